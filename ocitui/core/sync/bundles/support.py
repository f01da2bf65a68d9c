"""Small parts of bundle sync: the options and the image config's labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ocitui.core import jsonsafe
from ocitui.core.bundles import MARKINGS
from ocitui.core.errors import BundleError


@dataclass(frozen=True)
class BundleOptions:
    """How a push relocates bundles: the imgpkg-compatible record, and the marking."""

    #: Also write ``<alg>-<hex>.image-locations.imgpkg`` (what imgpkg itself reads).
    imgpkg_compat: bool = False
    #: ``label``, ``artifactType`` or ``both``; None keeps what the bundle has.
    marking: str | None = None

    def __post_init__(self) -> None:
        if self.marking is not None and self.marking not in MARKINGS:
            raise BundleError(f"unknown bundle marking {self.marking!r}: use {', '.join(MARKINGS)}")


def config_labels(raw: bytes) -> dict[str, Any]:
    """``config.Labels`` of an image config (empty when absent or unreadable)."""
    try:
        doc = jsonsafe.loads(raw)
    except ValueError:
        return {}
    inner = doc.get("config") if isinstance(doc, dict) else None
    labels = inner.get("Labels") if isinstance(inner, dict) else None
    return labels if isinstance(labels, dict) else {}

"""Small parts of bundle sync: the options, a verifying temporary blob sink, and the
image config's labels."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from ocitui.core import jsonsafe
from ocitui.core.bundles import MARKINGS
from ocitui.core.digest import Verifier
from ocitui.core.errors import BundleError
from ocitui.core.models import Descriptor


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


class TempSink:
    """A verifying blob sink into a temporary file (bundle layers read while planning)."""

    def __init__(self, desc: Descriptor) -> None:
        self.desc = desc
        # Handed to the caller, who closes it (a context manager would close it here).
        self.file = cast(BinaryIO, tempfile.TemporaryFile())  # noqa: SIM115
        self.offset = 0
        self._verifier = Verifier(desc.digest, desc.size)

    def write(self, chunk: bytes) -> None:
        """Hash and keep ``chunk`` (refusing bytes past the expected size)."""
        self._verifier.update(chunk)
        self.file.write(chunk)
        self.offset += len(chunk)

    def restart(self) -> None:
        """Drop what is held: the server ignored ``Range``."""
        self.file.seek(0)
        self.file.truncate()
        self.offset = 0
        self._verifier = Verifier(self.desc.digest, self.desc.size)

    def finish(self) -> BinaryIO:
        """Verify digest and size; the file, rewound (the caller closes it)."""
        self._verifier.verify()
        self.file.seek(0)
        return self.file


def config_labels(raw: bytes) -> dict[str, Any]:
    """``config.Labels`` of an image config (empty when absent or unreadable)."""
    try:
        doc = jsonsafe.loads(raw)
    except ValueError:
        return {}
    inner = doc.get("config") if isinstance(doc, dict) else None
    labels = inner.get("Labels") if isinstance(inner, dict) else None
    return labels if isinstance(labels, dict) else {}

"""Small parts of bundle sync: the options, a verifying temporary blob sink, and the
transfers that write blobs a plan carries as bytes (image-locations records on push,
image configs already fetched while planning on pull)."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from ocitui.core.bundles import MARKINGS
from ocitui.core.digest import Verifier
from ocitui.core.errors import BundleError
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor
from ocitui.core.sync.plan import PlanBlob
from ocitui.core.sync.sides import LayoutSide, RegistrySide
from ocitui.core.sync.transfers import Progress, PullTransfer, PushTransfer


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
        doc = json.loads(raw)
    except ValueError:
        return {}
    inner = doc.get("config") if isinstance(doc, dict) else None
    labels = inner.get("Labels") if isinstance(inner, dict) else None
    return labels if isinstance(labels, dict) else {}


def source_layout(source: object) -> Layout | None:
    """The layout a side reads from: the layout itself, or a registry side's cache."""
    if isinstance(source, LayoutSide):
        return source.layout
    if isinstance(source, RegistrySide):
        return source.cache
    return None


class BundlePushTransfer(PushTransfer):
    """A push that also uploads blobs the plan carries as bytes (image-locations records)."""

    async def blob(self, item: PlanBlob, started: Progress, progress: Progress) -> str:
        """Upload ``item.data`` when set, else stream from the layout as usual."""
        data = item.data
        if data is None or item.dest_repo is None or self.layout.has_blob(item.digest):
            return await super().blob(item, started, progress)
        started(0)
        opener: Callable[[], BinaryIO] = lambda: io.BytesIO(data)  # noqa: E731
        return await self.client.push_blob(
            item.dest_repo, item.descriptor, opener, on_progress=progress
        )


class BundlePullTransfer(PullTransfer):
    """A pull that stores blobs the plan already holds (configs read while planning)."""

    async def blob(self, item: PlanBlob, started: Progress, progress: Progress) -> str:
        """Write ``item.data`` (verified) when set, else download as usual."""
        data = item.data
        if data is None or self.layout.has_blob(item.digest, item.descriptor.size):
            return await super().blob(item, started, progress)
        started(0)
        self.layout.put_blob(data, item.digest)
        progress(len(data))
        return "downloaded"

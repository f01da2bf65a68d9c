"""The file diff: build both images' final filesystems by streaming their layers.

Layers both images start with (same digests, same order) are streamed once and the
filesystem is branched after them; the rest is streamed per side. Only metadata and
content hashes are kept.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from ocitui.core.diff.events import check_cancel
from ocitui.core.diff.filesystem import FilesDiff, Filesystem, compare_filesystems
from ocitui.core.diff.layers import diff_ids_of
from ocitui.core.diff.store import ContentStore
from ocitui.core.diff.tarstream import LayerReader
from ocitui.core.errors import DiffError, OcituiError
from ocitui.core.events import EventSink, LayerStarted
from ocitui.core.models import Descriptor, Manifest


@dataclass(frozen=True)
class ImageSide:
    """One image to stream: its store, manifest and parsed config (``None``: not an image)."""

    name: str
    store: ContentStore
    manifest: Manifest
    config: dict[str, Any] | None

    @property
    def layers(self) -> tuple[Descriptor, ...]:
        """The manifest's layers, in order."""
        return self.manifest.layers


def _stream_layer(
    fs: Filesystem,
    side: ImageSide,
    label: str,
    index: int,
    *,
    progress: EventSink | None,
    cancel: threading.Event | None,
) -> None:
    desc = side.layers[index]
    check_cancel(cancel)
    if progress is not None:
        progress(
            LayerStarted(label, index, len(side.layers), desc.digest, desc.size, desc.media_type)
        )
    try:
        stream = side.store.open_blob(desc.digest)
    except OcituiError as exc:
        raise DiffError(
            f"layer {desc.digest} cannot be read from side {side.name}: {exc}"
        ) from None
    diff_id = diff_ids_of(side.config, len(side.layers))[index]
    reader = LayerReader(
        stream, desc, side=label, index=index, diff_id=diff_id, progress=progress, cancel=cancel
    )
    fs.apply_layer(reader)
    if progress is not None:
        progress(reader.done_event())


def diff_files(
    a: ImageSide,
    b: ImageSide,
    *,
    progress: EventSink | None = None,
    cancel: threading.Event | None = None,
) -> FilesDiff:
    """Compare the final filesystems of two images.

    Raises :class:`DiffError` naming the layer for malformed, truncated or missing layers,
    and :class:`~ocitui.core.diff.events.DiffCancelled` when ``cancel`` is set.
    """
    if a.config is None or b.config is None:
        which = a.name if a.config is None else b.name
        return FilesDiff(skipped=f"side {which} is not a container image (no image config)")
    shared = 0
    for da, db in zip(a.layers, b.layers, strict=False):
        if da.digest != db.digest:
            break
        shared += 1
    base = Filesystem()
    for index in range(shared):
        _stream_layer(base, a, "both", index, progress=progress, cancel=cancel)
    fs_a = base.copy() if shared < len(a.layers) or shared < len(b.layers) else base
    for index in range(shared, len(a.layers)):
        _stream_layer(fs_a, a, "a", index, progress=progress, cancel=cancel)
    for index in range(shared, len(b.layers)):
        _stream_layer(base, b, "b", index, progress=progress, cancel=cancel)
    return compare_filesystems(fs_a, base)

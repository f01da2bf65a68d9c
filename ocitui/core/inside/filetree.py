"""An image's layers as file trees, in the spirit of dive: what each layer adds, changes
and removes, and the squashed filesystem they make, with sizes.

Layers stream from their blobs through :class:`~ocitui.core.diff.tarstream.LayerReader`
(digest- and diff_id-checked, nothing unpacked to disk); only metadata is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ocitui.core.diff.tarstream import FileEntry, LayerReader, Whiteout
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor

ADDED, MODIFIED, REMOVED = "added", "modified", "removed"


@dataclass(frozen=True)
class Node:
    """A path as one layer (or the squashed view) has it.

    ``status`` is ``added``, ``modified`` or ``removed`` (a whiteout) for a layer's own
    changes; in the squashed view it is the status of the path's last change.
    """

    path: str
    type: str
    size: int
    mode: int
    status: str
    layer: int
    link: str | None = None


@dataclass
class LayerFiles:
    """One layer's changes, in tar order."""

    index: int
    digest: str
    compressed: int
    nodes: list[Node] = field(default_factory=list)

    @property
    def size(self) -> int:
        """Bytes of the files the layer writes (uncompressed)."""
        return sum(n.size for n in self.nodes if n.status != REMOVED)

    def count(self, status: str) -> int:
        """How many paths have ``status``."""
        return sum(1 for n in self.nodes if n.status == status)


@dataclass
class ImageFiles:
    """Every layer's changes and the filesystem they make together."""

    layers: list[LayerFiles]

    def squashed(self, upto: int | None = None) -> list[Node]:
        """The filesystem after layers ``0..upto`` (all by default), sorted by path;
        removed paths are left out."""
        last = len(self.layers) - 1 if upto is None else upto
        state: dict[str, Node] = {}
        for layer in self.layers[: last + 1]:
            # A layer's whiteouts apply to the layers below it, before its own files.
            for node in layer.nodes:
                if node.status == REMOVED:
                    for path in _under(state, node):
                        del state[path]
            for node in layer.nodes:
                if node.status != REMOVED:
                    state[node.path] = node
        return [state[p] for p in sorted(state)]

    @property
    def total(self) -> int:
        """Bytes of the squashed filesystem's files."""
        return sum(n.size for n in self.squashed())

    @property
    def wasted(self) -> int:
        """Bytes written by one layer and overwritten or removed by a later one."""
        return sum(layer.size for layer in self.layers) - self.total


def read_files(
    layout: Layout,
    layers: Sequence[tuple[Descriptor, str | None]],
    *,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImageFiles:
    """Stream every layer once and classify its paths against the layers below it.

    ``progress(done, total)`` gets compressed bytes read so far after each layer.
    """
    seen: set[str] = set()
    result = ImageFiles([])
    total = sum(desc.size for desc, _ in layers)
    done = 0
    for index, (desc, diff_id) in enumerate(layers):
        files = LayerFiles(index, str(desc.digest), desc.size)
        reader = LayerReader(
            layout.open_blob(desc.digest),
            desc,
            side="image",
            index=index,
            diff_id=diff_id,
            cancel=cancel,
        )
        for record in reader:
            files.nodes.append(_node(record, index, seen))
        for node in files.nodes:
            if node.status == REMOVED:
                seen.difference_update(_under(seen, node))
        seen.update(n.path for n in files.nodes if n.status != REMOVED)
        result.layers.append(files)
        done += desc.size
        if progress is not None:
            progress(done, total)
    return result


def _under(paths: Iterable[str], whiteout: Node) -> list[str]:
    """The paths a whiteout removes: the path and what is under it (an opaque whiteout:
    only what is under the directory)."""
    prefix = whiteout.path + "/" if whiteout.path else ""
    keep_dir = whiteout.type == "opaque"
    return [p for p in paths if p.startswith(prefix) or (p == whiteout.path and not keep_dir)]


def _node(record: FileEntry | Whiteout, index: int, seen: set[str]) -> Node:
    if isinstance(record, Whiteout):
        return Node(
            record.path, "whiteout" if not record.opaque else "opaque", 0, 0, REMOVED, index
        )
    status = MODIFIED if record.path in seen else ADDED
    return Node(record.path, record.type, record.size, record.mode, status, index, record.link)


__all__ = ["ADDED", "MODIFIED", "REMOVED", "ImageFiles", "LayerFiles", "Node", "read_files"]

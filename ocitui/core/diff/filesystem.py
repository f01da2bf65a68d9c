"""An image's final filesystem as metadata, built layer by layer with OCI whiteouts.

Layer changesets are applied the way runtimes do: a ``.wh.<name>`` member deletes
``<name>`` from the lower layers, ``.wh..wh..opq`` hides everything the lower layers had
under its directory, and entries of the layer itself then land on top. A non-directory
replacing a directory takes the directory's subtree with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from ocitui.core.diff.data import DiffData
from ocitui.core.diff.tarstream import FileEntry, Whiteout

#: Attributes compared between two entries of the same path (mtime is not: every
#: rebuild changes it, and it would drown the real differences).
COMPARED = ("type", "size", "mode", "uid", "gid", "link", "sha256", "device")


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


class Filesystem:
    """Path -> :class:`FileEntry`, with a child index so subtree deletion is cheap."""

    def __init__(self) -> None:
        self.entries: dict[str, FileEntry] = {}
        self._children: defaultdict[str, set[str]] = defaultdict(set)

    def copy(self) -> Filesystem:
        """An independent copy (to branch two images off a shared base)."""
        twin = Filesystem()
        twin.entries = dict(self.entries)
        twin._children = defaultdict(set, {k: set(v) for k, v in self._children.items()})
        return twin

    def remove(self, path: str) -> None:
        """Delete ``path`` and everything below it (if present)."""
        # Iterative: a hostile layer may nest directories deeper than Python's stack.
        stack = [path]
        while stack:
            current = stack.pop()
            stack.extend(self._children.pop(current, ()))
            self.entries.pop(current, None)
        siblings = self._children.get(_parent(path))
        if siblings is not None:
            siblings.discard(path)

    def clear_below(self, path: str) -> None:
        """Delete everything below directory ``path``, keeping the directory."""
        for child in list(self._children.get(path, ())):
            self.remove(child)

    def put(self, entry: FileEntry) -> None:
        """Place ``entry``, creating missing parent directories as runtimes do."""
        parts = entry.path.split("/")
        for i in range(1, len(parts)):
            ancestor = "/".join(parts[:i])
            held = self.entries.get(ancestor)
            if held is None or held.type != "dir":
                if held is not None:
                    self.remove(ancestor)
                self._link(FileEntry(ancestor, "dir", 0, 0o755, 0, 0))
        held = self.entries.get(entry.path)
        if held is not None and held.type == "dir" and entry.type != "dir":
            self.remove(entry.path)
        self._link(entry)

    def _link(self, entry: FileEntry) -> None:
        self.entries[entry.path] = entry
        self._children[_parent(entry.path)].add(entry.path)

    def apply_layer(self, records: Iterable[FileEntry | Whiteout]) -> None:
        """Apply one layer's members (streamed) as a changeset on top of this filesystem."""
        added: dict[str, FileEntry] = {}
        whiteouts: list[Whiteout] = []
        for record in records:
            if isinstance(record, Whiteout):
                whiteouts.append(record)
                continue
            entry = self._resolve_hardlink(record, added) if record.type == "hardlink" else record
            added.pop(entry.path, None)  # a repeated path lands where it last appeared
            added[entry.path] = entry
        # Whiteouts only hide lower content, so they go first; then the layer's own entries.
        for whiteout in whiteouts:
            if whiteout.opaque:
                self.clear_below(whiteout.path)
            else:
                self.remove(whiteout.path)
        for entry in added.values():
            self.put(entry)

    def _resolve_hardlink(self, entry: FileEntry, added: dict[str, FileEntry]) -> FileEntry:
        target = added.get(entry.link or "") or self.entries.get(entry.link or "")
        if target is None:
            return entry
        return replace(entry, size=target.size, sha256=target.sha256)


@dataclass(frozen=True)
class FileChange(DiffData):
    """A path present on both sides whose ``attributes`` differ."""

    path: str
    attributes: tuple[str, ...]
    a: FileEntry
    b: FileEntry


@dataclass(frozen=True)
class FilesDiff(DiffData):
    """Final-filesystem differences; ``skipped`` says why no comparison was made."""

    added: tuple[FileEntry, ...] = ()
    removed: tuple[FileEntry, ...] = ()
    changed: tuple[FileChange, ...] = ()
    paths_a: int = 0
    paths_b: int = 0
    skipped: str | None = None

    @property
    def count(self) -> int:
        """How many paths differ."""
        return len(self.added) + len(self.removed) + len(self.changed)


def compare_filesystems(a: Filesystem, b: Filesystem) -> FilesDiff:
    """Paths added, removed and changed from ``a`` to ``b``, sorted by path."""
    added = tuple(b.entries[p] for p in sorted(b.entries.keys() - a.entries.keys()))
    removed = tuple(a.entries[p] for p in sorted(a.entries.keys() - b.entries.keys()))
    changed: list[FileChange] = []
    for path in sorted(a.entries.keys() & b.entries.keys()):
        ea, eb = a.entries[path], b.entries[path]
        if ea == eb:
            continue
        attributes = tuple(n for n in COMPARED if getattr(ea, n) != getattr(eb, n))
        if attributes:
            changed.append(FileChange(path, attributes, ea, eb))
    return FilesDiff(added, removed, tuple(changed), len(a.entries), len(b.entries))

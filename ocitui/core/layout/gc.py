"""Garbage collection: remove blobs unreachable from ``index.json``, and nothing else.

The safety model (the README's "Reliability" section states it for users):

- Every index entry is a root (referrer entries included).
- gc takes the layout's write lease exclusively and does not wait: while a pull or import
  holds it (from its plan to its last ``index.json`` write) gc removes nothing.
- Blobs younger than a grace period are kept; a pull refreshes the mtime of every blob it
  decides to reuse, so a reused blob is young again.
- A manifest gc cannot read (corrupt, mislabelled, too large) keeps its subtree: its bytes
  are scanned for digests, and what those reach is kept; when even that is impossible gc
  removes nothing. The report names each such node.
- ``blobs/<alg>/`` and ``ingest/`` must be real directories (checked under the lock), so a
  symlink never leads gc outside the layout; a partial download is removed only when gc
  can take its lock (a live writer holds it).
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ocitui.core.digest import ALGORITHMS, Digest
from ocitui.core.errors import LayoutError, OcituiError
from ocitui.core.layout.guard import check_structure, lease, open_regular
from ocitui.core.layout.index_file import exclusive_lock
from ocitui.core.layout.store import Layout
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor, Index

DEFAULT_GRACE_SECONDS = 600.0
_DIGEST_TEXT = re.compile(rb"sha256:[a-f0-9]{64}")


@dataclass
class GcReport:
    """What gc removed (or would remove), and what it kept because it could not be sure."""

    removed: list[tuple[Digest, int]] = field(default_factory=list)
    kept_young: int = 0
    reachable: int = 0
    partials_removed: int = 0
    #: Partials kept because a live writer holds their lock.
    partials_in_use: int = 0
    #: Nodes that could not be read: ``"<digest>: <why>"``; their subtrees were kept.
    unreadable: list[str] = field(default_factory=list)
    #: True when an unreadable node could not even be scanned: nothing was removed.
    kept_everything: bool = False

    @property
    def bytes_freed(self) -> int:
        """Total size of the removed blobs."""
        return sum(size for _, size in self.removed)

    def to_json(self) -> dict[str, object]:
        """JSON form."""
        return {
            "removed": [{"digest": str(d), "size": s} for d, s in self.removed],
            "bytesFreed": self.bytes_freed,
            "reachable": self.reachable,
            "keptYoung": self.kept_young,
            "partialsRemoved": self.partials_removed,
            "partialsInUse": self.partials_in_use,
            "unreadable": self.unreadable,
            "keptEverything": self.kept_everything,
        }


@dataclass
class Reach:
    """The reachable digests, and what could not be read on the way."""

    digests: set[Digest] = field(default_factory=set)
    unreadable: list[str] = field(default_factory=list)
    keep_everything: bool = False


def reach(layout: Layout) -> Reach:
    """Walk from every index entry (iteratively, each digest once); see the module doc."""
    out = Reach()
    # (digest, media type as described, kind): kind "manifest" for a described manifest or
    # index, "blob" for other described blobs, "found" for a digest a scan turned up.
    stack: list[tuple[Digest, str | None, str]] = [
        (e.digest, e.media_type, "manifest" if e.is_manifest_like else "blob")
        for e in layout.entries()
    ]
    while stack:
        digest, media_type, kind = stack.pop()
        if digest in out.digests:
            continue
        out.digests.add(digest)
        if kind == "blob" or not layout.has_blob(digest):
            continue
        if _size(layout, digest) > MAX_MANIFEST_SIZE:
            if kind == "manifest":  # Too large to read or scan: nothing can be ruled out.
                out.unreadable.append(f"{digest}: over {MAX_MANIFEST_SIZE} bytes")
                out.keep_everything = True
            continue
        try:
            doc = layout.get_document(digest, media_type if kind == "manifest" else None)
        except OcituiError as exc:
            found = _scan(layout, digest)
            if kind == "manifest":
                out.unreadable.append(f"{digest}: {exc}")
                out.keep_everything = out.keep_everything or found is None
            stack.extend((d, None, "found") for d in found or ())
            continue
        children = doc.manifests if isinstance(doc, Index) else doc.children()
        stack.extend(
            (c.digest, c.media_type, "manifest" if c.is_manifest_like else "blob") for c in children
        )
    return out


def reachable(layout: Layout) -> set[Digest]:
    """Every digest reachable from the index entries (see :func:`reach`)."""
    return reach(layout).digests


def unreferenced(layout: Layout, written: list[Descriptor]) -> dict[Digest, int]:
    """Of the blobs a failed pull or import wrote, those present that nothing names."""
    present = {d.digest: d.size for d in written if layout.has_blob(d.digest, d.size)}
    if not present:
        return {}
    named = reachable(layout)
    return {digest: size for digest, size in present.items() if digest not in named}


def _size(layout: Layout, digest: Digest) -> int:
    try:
        return os.lstat(layout.blob_path(digest)).st_size
    except OSError:
        return 0


def _scan(layout: Layout, digest: Digest) -> list[Digest] | None:
    """Digests named anywhere in a blob's bytes (unverified); None when unreadable."""
    try:
        with layout.open_blob(digest) as handle:
            raw = handle.read(MAX_MANIFEST_SIZE + 1)
    except (OcituiError, OSError):
        return None
    if len(raw) > MAX_MANIFEST_SIZE:
        return None
    return [Digest.parse(m.decode()) for m in _DIGEST_TEXT.findall(raw)]


def _blob_files(layout: Layout) -> list[tuple[Digest, Path]]:
    found = []
    for algorithm in ALGORITHMS:
        folder = layout.blobs_dir / algorithm
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if Digest.is_valid(f"{algorithm}:{path.name}"):
                found.append((Digest(algorithm, path.name), path))
    return found


def gc(
    layout: Layout,
    *,
    dry_run: bool = False,
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
    clean_partials: bool = False,
) -> GcReport:
    """Remove unreachable blobs (only report them with ``dry_run``)."""
    report = GcReport()
    now = time.time()
    with (
        lease(layout.root, exclusive=True, timeout=0, read_only=dry_run),
        exclusive_lock(layout.root, read_only=dry_run),
    ):
        check_structure(layout.root)  # Again, under the lock: never delete through a link.
        found = reach(layout)
        report.reachable = len(found.digests)
        report.unreadable = found.unreadable
        report.kept_everything = found.keep_everything
        for digest, path in sorted(_blob_files(layout)):
            if digest in found.digests or found.keep_everything:
                continue
            info = os.lstat(path)
            if now - info.st_mtime < grace_seconds:
                report.kept_young += 1
                continue
            report.removed.append((digest, info.st_size))
            if not dry_run:
                path.unlink()
        if not dry_run:
            # Their records in the metadata index would never be used again.
            layout.metadata_view().index.prune(str(digest) for digest, _ in report.removed)
        if clean_partials and layout.ingest_dir.is_dir():
            for partial in sorted(layout.ingest_dir.glob("*.partial")):
                _remove_partial(partial, report, dry_run)
    return report


def _remove_partial(partial: Path, report: GcReport, dry_run: bool) -> None:
    """Remove one partial download, unless a writer holds its lock right now."""
    try:
        fd = open_regular(partial, f"ingest/{partial.name}")
    except (FileNotFoundError, LayoutError):
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            report.partials_in_use += 1
            return
        if os.stat(partial).st_ino != os.fstat(fd).st_ino:
            return  # Renamed into blobs/ by its writer meanwhile.
        report.partials_removed += 1
        if not dry_run:
            os.unlink(partial)  # While holding its lock, as writers do.
    finally:
        os.close(fd)

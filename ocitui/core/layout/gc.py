"""Garbage collection: remove blobs unreachable from ``index.json``.

Every index entry is a root (referrer entries included). Blobs younger than a grace
period are kept, because a pull in another process writes blobs before it names them.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ocitui.core.digest import ALGORITHMS, Digest
from ocitui.core.errors import OcituiError
from ocitui.core.layout.index_file import exclusive_lock
from ocitui.core.layout.store import Layout
from ocitui.core.models import Index, Manifest

DEFAULT_GRACE_SECONDS = 600.0


@dataclass
class GcReport:
    """What gc removed (or would remove)."""

    removed: list[tuple[Digest, int]] = field(default_factory=list)
    kept_young: int = 0
    reachable: int = 0
    partials_removed: int = 0

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
        }


def reachable(layout: Layout) -> set[Digest]:
    """Every digest reachable from the index entries (missing children are skipped)."""
    seen: set[Digest] = set()
    stack = [e for e in layout.entries()]
    while stack:
        desc = stack.pop()
        if desc.digest in seen:
            continue
        seen.add(desc.digest)
        if not desc.is_manifest_like or not layout.has_blob(desc.digest):
            continue
        try:
            doc = layout.get_document(desc.digest, desc.media_type)
        except OcituiError:
            continue  # fsck reports it; gc must not delete what it cannot read through.
        if isinstance(doc, Manifest):
            stack.extend(doc.children())
        elif isinstance(doc, Index):
            stack.extend(doc.manifests)
    return seen


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
    with exclusive_lock(layout.root):
        keep = reachable(layout)
        report.reachable = len(keep)
        for digest, path in sorted(_blob_files(layout)):
            if digest in keep:
                continue
            info = os.lstat(path)
            if now - info.st_mtime < grace_seconds:
                report.kept_young += 1
                continue
            report.removed.append((digest, info.st_size))
            if not dry_run:
                path.unlink()
        if clean_partials and layout.ingest_dir.is_dir():
            for partial in layout.ingest_dir.glob("*.partial"):
                report.partials_removed += 1
                if not dry_run:
                    partial.unlink()
    return report

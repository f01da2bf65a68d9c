"""Layout management as both faces show it: one summary line per result, one progress
fold for export and import.

``ocitui gc``/``export``/``import``/``fsck`` print these lines; the TUI's gc dialog and
its export, import and check task notes show the same text, so counts, plurals and sizes
read alike.
``--json`` prints the reports they read (``GcReport``, ``ExportReport``, ``ImportReport``).
:class:`ArchiveProgress` folds an export's or import's events into the status line the
CLI rewrites on a terminal and the TUI's task screen shows under its bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ocitui.core.events import ArchiveStarted, BlobDone, BlobProgress, Event
from ocitui.core.views_text import human_size, plural

if TYPE_CHECKING:
    from ocitui.core.archive.export import ExportReport
    from ocitui.core.archive.importer import ImportReport
    from ocitui.core.layout.fsck import FsckProgress, FsckReport
    from ocitui.core.layout.gc import GcReport


def gc_summary(report: GcReport, *, dry_run: bool) -> str:
    """``would remove 3 blobs (1.2 MiB) that nothing in index.json reaches; ...``."""
    verb = "would remove" if dry_run else "removed"
    return (
        f"{verb} {plural(len(report.removed), 'blob')} ({human_size(report.bytes_freed)}) "
        f"that nothing in index.json reaches; {report.reachable} reachable, "
        f"{report.kept_young} kept (younger than the grace period)"
    )


def fsck_lines(report: FsckReport) -> list[str]:
    """One line per finding (``error: ...``, `` (repaired)`` when it was), then
    ``ok: 12 blobs, 3.1 MiB verified`` or ``errors found: ...``."""
    lines = [
        f"{f.severity}: {f.message}{' (repaired)' if f.repaired else ''}" for f in report.findings
    ]
    state = "ok" if report.ok else "errors found"
    lines.append(f"{state}: {report.blobs} blobs, {human_size(report.bytes)} verified")
    return lines


def fsck_progress_line(event: FsckProgress) -> str:
    """``verifying  42% of 3.1 MiB``."""
    percent = event.done * 100 // max(event.total, 1)
    return f"verifying {percent:3d}% of {human_size(event.total)}"


def export_summary(report: ExportReport) -> str:
    """``exported 2 entries (1 ref), 5 blobs, 3.1 MiB -> app.tar (3.2 MiB, zstd)``."""
    where = report.parts_manifest or report.path
    details = [human_size(report.archive_bytes)]
    if report.compression == "zstd":
        details.append("zstd")
    if report.parts:
        details.append(plural(len(report.parts), "part"))
    return (
        f"exported {plural(report.entries, 'entry', 'entries')} "
        f"({plural(len(report.refs), 'ref')}), {plural(report.blobs, 'blob')}, "
        f"{human_size(report.blob_bytes)} -> {where} ({', '.join(details)})"
    )


def import_summary(report: ImportReport) -> str:
    """``imported 1 archive: 2 new refs, 0 moved, 3 new referrers, 7 blobs written ...``."""
    return (
        f"imported {plural(len(report.archives), 'archive')}: "
        f"{plural(len(report.refs_added), 'new ref')}, {len(report.refs_replaced)} moved, "
        f"{plural(report.referrers_added, 'new referrer')}, "
        f"{plural(report.blobs_written, 'blob')} written ({human_size(report.bytes_written)}), "
        f"{report.blobs_skipped} already present"
    )


@dataclass
class ArchiveProgress:
    """Running totals of an export or import, updated by :meth:`apply`."""

    #: Bytes announced by ``ArchiveStarted`` (blob bytes for export, archive bytes for import).
    total_bytes: int = 0
    #: Bytes of finished blobs, and how many.
    done_bytes: int = 0
    blobs: int = 0
    #: Bytes of the blob in flight.
    current: int = 0
    started_at: float | None = None
    last_at: float | None = None

    def apply(self, event: Event, now: float) -> None:
        """Fold one event in; ``now`` is a monotonic time in seconds."""
        if self.started_at is None:
            self.started_at = now
        self.last_at = now
        if isinstance(event, ArchiveStarted):
            self.total_bytes += event.total_bytes
        elif isinstance(event, BlobProgress):
            self.current = event.done
        elif isinstance(event, BlobDone):
            self.blobs += 1
            self.done_bytes += event.size
            self.current = 0

    @property
    def moved_bytes(self) -> int:
        """Finished blobs plus the blob in flight."""
        return self.done_bytes + self.current

    def rate(self) -> float:
        """Average bytes per second since the first event (0 before any time passed)."""
        if self.started_at is None or self.last_at is None or self.last_at <= self.started_at:
            return 0.0
        return self.moved_bytes / (self.last_at - self.started_at)

    def line(self) -> str:
        """``3 blobs, 1.2 MiB of 4.0 MiB, 600.0 KiB/s``."""
        total = f" of {human_size(self.total_bytes)}" if self.total_bytes else ""
        return (
            f"{plural(self.blobs, 'blob')}, {human_size(self.moved_bytes)}{total}, "
            f"{human_size(int(self.rate()))}/s"
        )


__all__ = [
    "ArchiveProgress",
    "export_summary",
    "fsck_lines",
    "fsck_progress_line",
    "gc_summary",
    "import_summary",
]

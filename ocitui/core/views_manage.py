"""One summary line for each layout-management result, shown by both faces.

``ocitui gc``/``export``/``import`` print these lines; the TUI's gc dialog and its export
and import task notes show the same text, so counts, plurals and sizes read alike.
``--json`` prints the reports they read (``GcReport``, ``ExportReport``, ``ImportReport``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ocitui.core.views_text import human_size, plural

if TYPE_CHECKING:
    from ocitui.core.archive.export import ExportReport
    from ocitui.core.archive.importer import ImportReport
    from ocitui.core.layout.gc import GcReport


def gc_summary(report: GcReport, *, dry_run: bool) -> str:
    """``would remove 3 blobs (1.2 MiB) that nothing in index.json reaches; ...``."""
    verb = "would remove" if dry_run else "removed"
    return (
        f"{verb} {plural(len(report.removed), 'blob')} ({human_size(report.bytes_freed)}) "
        f"that nothing in index.json reaches; {report.reachable} reachable, "
        f"{report.kept_young} kept (younger than the grace period)"
    )


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


__all__ = ["export_summary", "gc_summary", "import_summary"]

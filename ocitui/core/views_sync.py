"""Sync presentation: plan and report rows for both faces, a progress tally from events.

:func:`plan_rows` and :func:`report_rows` are the one presentation of a :class:`Plan` and a
:class:`SyncReport`: the CLI prints them as lines (``cli/progress.py``), the TUI as a
table, ``--json`` prints the objects they read. :class:`SyncProgress` folds the sync engine's events into totals, per-blob progress and a
throughput figure; the clock is passed in (``now``) so tests and screenshots are stable.
The TUI's Sync pane draws it; a CLI progress line could read the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ocitui.core.events import Retrying
from ocitui.core.sync import (
    BlobDone,
    BlobProgress,
    BlobStarted,
    Event,
    Failed,
    Finished,
    ManifestDone,
    Plan,
    PlanReady,
    Skipped,
    SyncReport,
    TagDone,
)
from ocitui.core.views_text import human_size, plural


@dataclass(frozen=True)
class Row:
    """One line of a plan or report: a label and its value.

    ``item`` rows detail the row above them (one left-behind item each); ``alert`` rows
    are failures and missing content. Both faces render the same rows: the CLI as
    ``label: value`` lines, the TUI as a key/value table.
    """

    label: str
    value: str
    item: bool = False
    alert: bool = False


def _counted(blobs: int, size: int, manifests: int) -> str:
    return f"{plural(blobs, 'blob')} ({human_size(size)}), {plural(manifests, 'manifest')}"


def plan_rows(plan: Plan, *, limit: int | None = None) -> list[Row]:
    """The plan: from/to, copy, already there, left behind (each item), warnings.

    The numbers are :meth:`Plan.summary`, the same object ``--json`` prints. ``limit``
    caps the left-behind items shown (a last row counts the rest); ``None`` shows all.
    """
    s = plan.summary()
    rows = [
        Row("from", plan.source),
        Row("to", plan.destination),
        Row("copy", _counted(s["blobsToCopy"], s["bytesToCopy"], s["manifestsToCopy"])),
        Row(
            "already there",
            _counted(s["blobsPresent"], s["bytesPresent"], s["manifestsPresent"]),
        ),
        Row("referrers", str(s["referrers"])),
        Row("tags", str(s["tags"])),
        Row("left behind", f"{s['leftBehind']} ({human_size(s['leftBehindBytes'])})"),
    ]
    shown = plan.left_behind if limit is None else plan.left_behind[:limit]
    for item in shown:
        kind = item.descriptor.artifact_type or item.descriptor.media_type
        detail = f" {item.detail}" if item.detail else ""
        rows.append(
            Row(
                item.reason,
                f"{item.descriptor.digest.short}{detail} [{kind}] ({human_size(item.size)})",
                item=True,
            )
        )
    if len(shown) < len(plan.left_behind):
        more = len(plan.left_behind) - len(shown)
        rows.append(Row("…", f"{more} more (--dry-run --json lists every one)", item=True))
    rows.extend(Row("warning", text) for text in plan.warnings)
    return rows


def report_rows(report: SyncReport) -> list[Row]:
    """The end report: copied, skipped, left behind, verified, failures, the result."""
    if report.dry_run:
        return [Row("result", "dry run: nothing was written")]
    mounted = f", {report.blobs_mounted} mounted" if report.blobs_mounted else ""
    rows = [
        Row(
            "copied",
            f"{plural(report.blobs_copied, 'blob')} ({human_size(report.bytes_copied)}"
            f"{mounted}), {plural(report.manifests_written, 'manifest')}, "
            f"{plural(report.tags_written, 'tag')}",
        ),
        Row(
            "skipped",
            f"{plural(report.blobs_skipped, 'blob')} ({human_size(report.bytes_skipped)}), "
            f"{plural(report.manifests_skipped, 'manifest')}, "
            f"{plural(report.tags_skipped, 'tag')} (already there)",
        ),
        Row("left behind", str(len(report.left_behind))),
        Row("verified", f"{plural(report.referrers_verified, 'referrer')} at the destination"),
    ]
    rows.extend(Row("FAILED", text, alert=True) for text in report.failed)
    rows.extend(Row("MISSING", text, alert=True) for text in report.missing)
    rows.extend(Row("warning", text) for text in report.warnings)
    if report.unreferenced_blobs:
        rows.append(
            Row(
                "left in the layout",
                f"{plural(report.unreferenced_blobs, 'verified blob')} "
                f"({human_size(report.unreferenced_bytes)}) that index.json does not name; "
                "a rerun uses them, 'ocitui gc' frees them",
            )
        )
    result = "ok" if report.ok else "sync incomplete: see FAILED/MISSING above"
    rows.append(Row("result", result, alert=not report.ok))
    return rows


@dataclass
class BlobState:
    """One blob in flight."""

    digest: str
    size: int
    done: int = 0


@dataclass
class SyncProgress:
    """Running totals of a sync, updated by :meth:`apply`."""

    total_bytes: int = 0
    done_bytes: int = 0
    blobs_total: int = 0
    blobs_done: int = 0
    manifests_done: int = 0
    tags_done: int = 0
    skipped: int = 0
    active: dict[str, BlobState] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    plan: Plan | None = None
    report: SyncReport | None = None
    started_at: float | None = None
    last_at: float | None = None
    #: Registry retries so far, and the newest one's line (shown while the sync runs).
    retries: int = 0
    last_retry: str = ""

    def apply(self, event: Event, now: float) -> None:
        """Fold one event in; ``now`` is a monotonic time in seconds."""
        if self.started_at is None:
            self.started_at = now
        self.last_at = now
        if isinstance(event, PlanReady):
            self.plan = event.plan
            summary = event.plan.summary()
            self.total_bytes, self.blobs_total = summary["bytesToCopy"], summary["blobsToCopy"]
        elif isinstance(event, BlobStarted):
            self.active[event.digest] = BlobState(event.digest, event.size, event.offset)
        elif isinstance(event, BlobProgress):
            state = self.active.setdefault(event.digest, BlobState(event.digest, event.size))
            state.done = event.done
        elif isinstance(event, BlobDone):
            self.active.pop(event.digest, None)
            self.blobs_done += 1
            self.done_bytes += event.size
        elif isinstance(event, Skipped):
            self.skipped += 1
        elif isinstance(event, ManifestDone):
            self.manifests_done += 1
        elif isinstance(event, TagDone):
            self.tags_done += 1
        elif isinstance(event, Failed):
            self.failures.append(f"{event.digest[:19]}: {event.message}")
        elif isinstance(event, Finished):
            self.report = event.report
            self.active.clear()
        elif isinstance(event, Retrying):
            self.retries += 1
            self.last_retry = event.message

    @property
    def moved_bytes(self) -> int:
        """Bytes of finished blobs plus bytes of blobs still in flight."""
        return self.done_bytes + sum(b.done for b in self.active.values())

    def throughput(self) -> float:
        """Average bytes per second since the first event (0 before any time passed)."""
        if self.started_at is None or self.last_at is None or self.last_at <= self.started_at:
            return 0.0
        return self.moved_bytes / (self.last_at - self.started_at)

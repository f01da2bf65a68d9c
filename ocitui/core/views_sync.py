"""Sync presentation state: plan rows, a progress tally from typed events, report rows.

:class:`SyncProgress` folds the sync engine's events into totals, per-blob progress and a
throughput figure; the clock is passed in (``now``) so tests and screenshots are stable.
The TUI's Sync pane draws it; a CLI progress line could read the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
from ocitui.core.views_text import human_size


def plan_rows(plan: Plan) -> list[tuple[str, str]]:
    """``(label, value)`` rows: copy / already there / left behind, with bytes."""
    s = plan.summary()
    rows = [
        ("from", plan.source),
        ("to", plan.destination),
        (
            "copy",
            f"{s['blobsToCopy']} blobs, {human_size(s['bytesToCopy'])}; "
            f"{s['manifestsToCopy']} manifests",
        ),
        (
            "already there",
            f"{s['blobsPresent']} blobs, {human_size(s['bytesPresent'])}; "
            f"{s['manifestsPresent']} manifests",
        ),
        ("referrers", str(s["referrers"])),
        ("tags", str(s["tags"])),
        ("left behind", f"{s['leftBehind']} ({human_size(s['leftBehindBytes'])})"),
    ]
    for item in plan.left_behind[:8]:
        what = item.detail or item.descriptor.artifact_type or item.descriptor.digest.short
        rows.append(("  ·", f"{item.reason}: {what} ({human_size(item.size)})"))
    rows.extend(("warning", text) for text in plan.warnings)
    return rows


def report_rows(report: SyncReport) -> list[tuple[str, str]]:
    """The final report as rows (ok, copied, skipped, left behind, failures)."""
    rows = [
        ("result", ("dry run" if report.dry_run else "done") if report.ok else "FAILED"),
        (
            "copied",
            f"{report.blobs_copied} blobs, {human_size(report.bytes_copied)}"
            + (f", {report.blobs_mounted} mounted" if report.blobs_mounted else ""),
        ),
        ("skipped", f"{report.blobs_skipped} blobs, {human_size(report.bytes_skipped)}"),
        ("manifests", f"{report.manifests_written} written, {report.manifests_skipped} there"),
        ("tags", f"{report.tags_written} written, {report.tags_skipped} there"),
        ("referrers verified", str(report.referrers_verified)),
        ("left behind", str(len(report.left_behind))),
    ]
    rows.extend(("failed", text) for text in report.failed)
    rows.extend(("missing", text) for text in report.missing)
    rows.extend(("warning", text) for text in report.warnings)
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

    @property
    def moved_bytes(self) -> int:
        """Bytes of finished blobs plus bytes of blobs still in flight."""
        return self.done_bytes + sum(b.done for b in self.active.values())

    def throughput(self) -> float:
        """Average bytes per second since the first event (0 before any time passed)."""
        if self.started_at is None or self.last_at is None or self.last_at <= self.started_at:
            return 0.0
        return self.moved_bytes / (self.last_at - self.started_at)

"""The end-of-sync report: copied, skipped, left behind, failed, and what verification found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ocitui.core.sync.plan import LeftBehind, Plan


@dataclass
class SyncReport:
    """What a sync did. ``ok`` is False when anything failed or is missing at the end."""

    source: str
    destination: str
    dry_run: bool = False
    blobs_copied: int = 0
    bytes_copied: int = 0
    blobs_mounted: int = 0
    blobs_skipped: int = 0
    bytes_skipped: int = 0
    manifests_written: int = 0
    manifests_skipped: int = 0
    tags_written: int = 0
    tags_skipped: int = 0
    referrers_verified: int = 0
    left_behind: list[LeftBehind] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Verified blobs this sync wrote that index.json does not reach (after a failure).
    unreferenced_blobs: int = 0
    unreferenced_bytes: int = 0

    @classmethod
    def for_plan(cls, plan: Plan, *, dry_run: bool = False) -> SyncReport:
        """An empty report carrying the plan's left-behind list and warnings."""
        return cls(
            plan.source,
            plan.destination,
            dry_run=dry_run,
            left_behind=list(plan.left_behind),
            warnings=list(plan.warnings),
        )

    @property
    def ok(self) -> bool:
        """True when nothing failed and verification found nothing missing."""
        return not self.failed and not self.missing

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "source": self.source,
            "destination": self.destination,
            "dryRun": self.dry_run,
            "ok": self.ok,
            "copied": {
                "blobs": self.blobs_copied,
                "bytes": self.bytes_copied,
                "mounted": self.blobs_mounted,
                "manifests": self.manifests_written,
                "tags": self.tags_written,
            },
            "skipped": {
                "blobs": self.blobs_skipped,
                "bytes": self.bytes_skipped,
                "manifests": self.manifests_skipped,
                "tags": self.tags_skipped,
            },
            "leftBehind": [item.to_json() for item in self.left_behind],
            "referrersVerified": self.referrers_verified,
            "failed": list(self.failed),
            "missing": list(self.missing),
            "warnings": list(self.warnings),
            "unreferenced": {"blobs": self.unreferenced_blobs, "bytes": self.unreferenced_bytes},
        }

    def merge(self, other: SyncReport) -> SyncReport:
        """Combine two stages (pull then push of a copy) into one report."""
        out = SyncReport(self.source, other.destination, dry_run=self.dry_run or other.dry_run)
        for name in (
            "blobs_copied",
            "bytes_copied",
            "blobs_mounted",
            "blobs_skipped",
            "bytes_skipped",
            "manifests_written",
            "manifests_skipped",
            "tags_written",
            "tags_skipped",
            "unreferenced_blobs",
            "unreferenced_bytes",
        ):
            setattr(out, name, getattr(self, name) + getattr(other, name))
        out.referrers_verified = other.referrers_verified
        out.left_behind = [*self.left_behind, *other.left_behind]
        out.failed = [*self.failed, *other.failed]
        out.missing = [*self.missing, *other.missing]
        out.warnings = [*self.warnings, *other.warnings]
        return out

"""The sync engine: plan and copy graphs between the layout and registries.

Everything attached moves with an image (referrers of referrers, cosign legacy tags,
imgpkg tags), nothing is fetched twice, every byte is verified, and the end report says
what was copied, skipped, left behind, and whether the destination has it all.
"""

from ocitui.core.events import (
    BlobDone,
    BlobProgress,
    BlobStarted,
    Event,
    EventSink,
    Failed,
    Finished,
    ManifestDone,
    PlanReady,
    Skipped,
    TagDone,
)
from ocitui.core.models import PLATFORMS_ANNOTATION
from ocitui.core.sync.engine import (
    PushItem,
    copy,
    plan_copy,
    plan_pull,
    plan_push,
    pull,
    push,
    repository,
    run,
)
from ocitui.core.sync.filters import SyncFilter
from ocitui.core.sync.plan import LeftBehind, Plan, PlanBlob, PlanManifest, PlanTag
from ocitui.core.sync.report import SyncReport

__all__ = [
    "PLATFORMS_ANNOTATION",
    "BlobDone",
    "BlobProgress",
    "BlobStarted",
    "Event",
    "EventSink",
    "Failed",
    "Finished",
    "LeftBehind",
    "ManifestDone",
    "Plan",
    "PlanBlob",
    "PlanManifest",
    "PlanReady",
    "PlanTag",
    "PushItem",
    "Skipped",
    "SyncFilter",
    "SyncReport",
    "TagDone",
    "copy",
    "plan_copy",
    "plan_pull",
    "plan_push",
    "pull",
    "push",
    "repository",
    "run",
]

"""The mirror plan as data: per image (entry), the tags selected and what the sync will do.

One :class:`MirrorPlan` is made for the whole file before anything moves; ``--dry-run``
prints it. Each :class:`ImagePlan` holds the sync engine's own :class:`Plan` for its tags;
:func:`merge_plans` joins them into the one plan that is executed, so a blob two images
share is fetched once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ocitui.core.digest import Digest
from ocitui.core.mirror.config import MirrorConfig, MirrorEntry
from ocitui.core.sync import Plan, SyncFilter

if TYPE_CHECKING:
    from ocitui.core.verify import Policy

#: A tag's state before the run.
NEW, CHANGED, UNCHANGED, COVERED, FAILED = "new", "changed", "unchanged", "covered", "failed"


@dataclass
class TagChoice:
    """One selected tag (or digest) of an image and what the plan knows about it."""

    tag: str
    #: new | changed | unchanged | covered (a machine tag its subject brings) | failed
    state: str
    digest: Digest | None = None
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {"tag": self.tag, "state": self.state}
        if self.digest is not None:
            out["digest"] = str(self.digest)
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass
class ImagePlan:
    """One entry of the file: its selected tags and its sync plan (None when planning failed)."""

    entry: MirrorEntry
    tags: list[TagChoice] = field(default_factory=list)
    #: How many tags the repository listed (None when it was not listed).
    listed: int | None = None
    plan: Plan | None = None
    error: str | None = None
    #: The repository's tag list as listed (None when it could not be listed).
    known_tags: list[str] | None = field(default=None, repr=False)
    #: The entry's verification policy, loaded (names are given only to what satisfies it).
    policy: Policy | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The source repository."""
        return self.entry.source.name

    def selected(self) -> list[str]:
        """Every selected tag or digest, in selection order."""
        return [choice.tag for choice in self.tags]

    def to_json(self) -> dict[str, Any]:
        """JSON form (the sync plan's summary, not its manifest list)."""
        out: dict[str, Any] = {
            "image": self.name,
            "entry": self.entry.to_json(),
            "listedTags": self.listed,
            "tags": [choice.to_json() for choice in self.tags],
        }
        if self.plan is not None:
            out["summary"] = self.plan.summary()
            out["leftBehind"] = [item.to_json() for item in self.plan.left_behind]
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass
class MirrorPlan:
    """Everything a mirror run will do, image by image."""

    config: MirrorConfig
    layout: str
    images: list[ImagePlan] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def selected(self) -> dict[str, list[str]]:
        """Repository -> sorted selected tags (the set ``skopeo sync`` would copy)."""
        out: dict[str, set[str]] = {}
        for image in self.images:
            out.setdefault(image.name, set()).update(image.selected())
        return {name: sorted(tags) for name, tags in sorted(out.items())}

    def merged(self) -> Plan:
        """The one sync plan of every image that could be planned."""
        plans = [image.plan for image in self.images if image.plan is not None]
        return merge_plans(plans, self.config.path, f"layout {self.layout}")

    def to_json(self) -> dict[str, Any]:
        """JSON form: the file, each image, and the merged summary."""
        return {
            "file": self.config.path,
            "format": self.config.format,
            "layout": self.layout,
            "images": [image.to_json() for image in self.images],
            "summary": self.merged().summary(),
            "warnings": [*self.config.warnings, *self.warnings],
        }


def merge_plans(plans: list[Plan], source: str, destination: str) -> Plan:
    """One plan holding each manifest, blob and name once (plans into the same layout).

    A manifest two plans reach at different depths keeps the deeper write level, and the
    ``referrer`` role wins so that it is registered as one.
    """
    out = Plan(source, destination, plans[0].filter if len(plans) == 1 else SyncFilter())
    manifests: dict[Digest, int] = {}
    blobs: set[Digest] = set()
    names: set[str] = set()
    left: set[tuple[str, Digest, Digest | None]] = set()
    bundles: set[Digest] = set()
    for plan in plans:
        for root in plan.roots:
            if all(r.name != root.name for r in out.roots):
                out.roots.append(root)
        for item in plan.manifests:
            at = manifests.get(item.digest)
            if at is None:
                manifests[item.digest] = len(out.manifests)
                out.manifests.append(item)
                continue
            kept = out.manifests[at]
            kept.level = max(kept.level, item.level)
            if item.role == "referrer" and kept.role != "referrer":
                out.manifests[at] = item
                item.level = kept.level
        for blob in plan.blobs:
            if blob.digest not in blobs:
                blobs.add(blob.digest)
                out.blobs.append(blob)
        for tag in plan.tags:
            if tag.name not in names:
                names.add(tag.name)
                out.tags.append(tag)
        for gone in plan.left_behind:
            key = (gone.reason, gone.descriptor.digest, gone.subject)
            if key not in left:
                left.add(key)
                out.left_behind.append(gone)
        for bundle in plan.bundles:
            if bundle.digest not in bundles:
                bundles.add(bundle.digest)
                out.bundles.append(bundle)
        out.warnings += [w for w in plan.warnings if w not in out.warnings]
    return out


__all__ = [
    "CHANGED",
    "COVERED",
    "FAILED",
    "NEW",
    "UNCHANGED",
    "ImagePlan",
    "MirrorPlan",
    "TagChoice",
    "merge_plans",
]

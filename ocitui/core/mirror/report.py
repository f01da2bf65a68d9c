"""The mirror report: per image, what was copied, skipped, left behind, and what failed (why).

Built from the typed sync events of the one executed plan (:class:`Tracker`), so it is
exact without reading report strings back: a ``TagDone`` is a copied tag, a ``Failed``
names the digest that failed, a ``BlobDone`` counts bytes (a blob two images share counts
for the first image that planned it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ocitui.core.digest import Digest
from ocitui.core.mirror.plan import COVERED, FAILED, ImagePlan, MirrorPlan
from ocitui.core.sync import (
    BlobDone,
    Event,
    EventSink,
    Failed,
    LeftBehind,
    SyncReport,
    TagDone,
)

if TYPE_CHECKING:
    from ocitui.core.verify import VerifyReport


@dataclass(frozen=True)
class MirrorPlanReady(Event):
    """The plan of the whole file is known; nothing has moved yet."""

    plan: MirrorPlan


@dataclass
class ImageReport:
    """What happened to one entry of the file."""

    image: str
    copied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)
    #: ``tag: reason`` for tags that were not staged.
    failed: list[str] = field(default_factory=list)
    left_behind: list[LeftBehind] = field(default_factory=list)
    blobs_copied: int = 0
    bytes_copied: int = 0
    #: Names that satisfied the entry's verification policy.
    verified: list[str] = field(default_factory=list)
    #: Where ``--push`` delivered it, and how that went.
    pushed_to: str | None = None
    push: SyncReport | None = None

    @property
    def ok(self) -> bool:
        """True when every selected tag is staged (and pushed, when asked)."""
        return not self.failed and (self.push is None or self.push.ok)

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {
            "image": self.image,
            "ok": self.ok,
            "copied": list(self.copied),
            "skipped": list(self.skipped),
            "covered": list(self.covered),
            "failed": list(self.failed),
            "leftBehind": [item.to_json() for item in self.left_behind],
            "blobsCopied": self.blobs_copied,
            "bytesCopied": self.bytes_copied,
            "verified": list(self.verified),
        }
        if self.pushed_to is not None:
            out["pushedTo"] = self.pushed_to
        if self.push is not None:
            out["push"] = self.push.to_json()
        return out


@dataclass
class MirrorReport:
    """The end of a mirror run: one :class:`ImageReport` per entry and the staging report."""

    file: str
    dry_run: bool
    images: list[ImageReport]
    staging: SyncReport | None = None

    @property
    def ok(self) -> bool:
        """True when every image is ok and the layout verified."""
        return all(i.ok for i in self.images) and (self.staging is None or self.staging.ok)

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {
            "file": self.file,
            "dryRun": self.dry_run,
            "ok": self.ok,
            "images": [image.to_json() for image in self.images],
        }
        if self.staging is not None:
            out["staging"] = self.staging.to_json()
        return out


@dataclass(frozen=True)
class MirrorFinished(Event):
    """Everything is done."""

    report: MirrorReport


class Tracker:
    """An event sink that forwards every event and remembers what the report needs."""

    def __init__(self, emit: EventSink) -> None:
        self.emit = emit
        self.tags_done: set[str] = set()
        self.failures: dict[str, str] = {}
        self.blobs: dict[str, BlobDone] = {}

    def __call__(self, event: Event) -> None:
        """Record, then forward."""
        if isinstance(event, TagDone):
            self.tags_done.add(event.name)
        elif isinstance(event, Failed):
            self.failures.setdefault(event.digest, event.message)
        elif isinstance(event, BlobDone) and event.how != "exists":
            self.blobs[event.digest] = event
        self.emit(event)


def image_reports(
    plan: MirrorPlan, tracker: Tracker | None, verdicts: dict[int, VerifyReport] | None = None
) -> list[ImageReport]:
    """One report per image of ``plan`` (``tracker`` None: a dry run, nothing moved);
    ``verdicts`` by image index for images with a verification policy."""
    counted: set[str] = set()
    reports = [_image_report(image, tracker, counted) for image in plan.images]
    for i, verdict in (verdicts or {}).items():
        for item in verdict.images:
            if item.satisfied:
                reports[i].verified.append(item.ref)
            else:
                reports[i].failed.append(f"verify {item.ref}: {item.reason}")
    return reports


def _image_report(image: ImagePlan, tracker: Tracker | None, counted: set[str]) -> ImageReport:
    out = ImageReport(image.name)
    if image.error is not None:
        out.failed.append(f"{image.entry.origin}: {image.error}")
    for choice in image.tags:
        if choice.state == FAILED:
            out.failed.append(f"{choice.tag}: {choice.detail}")
        elif choice.state == COVERED:
            out.covered.append(choice.tag)
    if image.plan is None:
        return out
    out.left_behind = list(image.plan.left_behind)
    if tracker is None:
        return out
    mine = {str(m.digest) for m in image.plan.manifests} | {str(b.digest) for b in image.plan.blobs}
    problems = {d: m for d, m in tracker.failures.items() if d in mine}
    for tag in image.plan.tags:
        if tag.name in tracker.tags_done:
            out.copied.append(tag.name)
        elif tag.present:
            out.skipped.append(tag.name)
        elif str(tag.descriptor.digest) in problems:
            out.failed.append(f"{tag.name}: {problems[str(tag.descriptor.digest)]}")
        else:
            why = _first(problems) or (
                "refused by the verification policy" if image.policy else "names not written"
            )
            out.failed.append(f"{tag.name}: not named ({why})")
    for blob in image.plan.blobs:
        done = tracker.blobs.get(str(blob.digest))
        if done is not None and done.digest not in counted:
            counted.add(done.digest)
            out.blobs_copied += 1
            out.bytes_copied += done.size
    return out


def _first(problems: dict[str, str]) -> str:
    for digest, message in problems.items():
        return f"{Digest.parse(digest).short}: {message}" if digest else message
    return ""


__all__ = [
    "ImageReport",
    "MirrorFinished",
    "MirrorPlanReady",
    "MirrorReport",
    "Tracker",
    "image_reports",
]

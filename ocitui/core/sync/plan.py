"""The sync plan as data: what will be copied, what is already there, what stays behind.

A plan is computed before anything is written (see :mod:`ocitui.core.sync.walk`), printed
by ``--dry-run``, and then executed (:mod:`ocitui.core.sync.execute`). Manifests are listed
in a safe write order: blobs first, children before parents, referrers after subjects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ocitui.core.digest import Digest
from ocitui.core.models import Descriptor, Document, parse_document
from ocitui.core.reference import Reference
from ocitui.core.sync.filters import SyncFilter
from ocitui.core.target.base import Target


@dataclass
class PlanBlob:
    """One blob (config or layer) of the graph."""

    descriptor: Descriptor
    source_repo: Reference | None
    dest_repo: Reference | None
    present: bool = False
    #: The bytes, for small blobs made by the sync itself (imgpkg image-locations records).
    data: bytes | None = field(default=None, repr=False)

    @property
    def digest(self) -> Digest:
        """The blob's digest."""
        return self.descriptor.digest

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "digest": str(self.digest),
            "size": self.descriptor.size,
            "mediaType": self.descriptor.media_type,
            "present": self.present,
        }


@dataclass
class PlanManifest:
    """One manifest or index of the graph, with its exact bytes."""

    descriptor: Descriptor
    raw: bytes = field(repr=False)
    #: image | index | platform | referrer | legacy | imgpkg
    role: str
    source_repo: Reference | None
    dest_repo: Reference | None
    subject: Digest | None = None
    #: Manifests that must be written first (children of an index).
    needs: tuple[Digest, ...] = ()
    blobs: tuple[Digest, ...] = ()
    present: bool = False
    #: Write order level: everything of a lower level is written first.
    level: int = 0
    #: ``raw`` as the walk parsed it (None when made elsewhere); see :meth:`document`.
    doc: Document | None = field(default=None, repr=False, compare=False)

    @property
    def digest(self) -> Digest:
        """The manifest's digest."""
        return self.descriptor.digest

    def document(self) -> Document:
        """``raw`` parsed: the walk's parse when it is of these very bytes, else parsed now
        (a plan item whose bytes were replaced, e.g. a re-marked bundle)."""
        if self.doc is None or self.doc.raw is not self.raw:
            self.doc = parse_document(self.raw, self.descriptor.media_type)
        return self.doc

    def to_json(self) -> dict[str, Any]:
        """JSON form (without the bytes)."""
        out: dict[str, Any] = {
            "digest": str(self.digest),
            "mediaType": self.descriptor.media_type,
            "size": self.descriptor.size,
            "role": self.role,
            "present": self.present,
        }
        if self.descriptor.artifact_type:
            out["artifactType"] = self.descriptor.artifact_type
        if self.descriptor.platform is not None:
            out["platform"] = str(self.descriptor.platform)
        if self.subject is not None:
            out["subject"] = str(self.subject)
        return out


@dataclass
class PlanTag:
    """A name to set at the destination once its graph is complete."""

    name: str
    descriptor: Descriptor
    #: The repository and tag (or ``sha256:...`` for a digest name) at the destination.
    repo: Reference
    tag: str
    #: Annotations for the layout entry (e.g. which platforms are present).
    annotations: dict[str, str] = field(default_factory=dict)
    present: bool = False

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {
            "name": self.name,
            "digest": str(self.descriptor.digest),
            "mediaType": self.descriptor.media_type,
            "present": self.present,
        }
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        return out


@dataclass
class LeftBehind:
    """Something the source has that this sync deliberately does not copy."""

    #: platform | artifact-type | no-referrers | bad-subject | unavailable |
    #: legacy-taken (a second legacy .sig/.att/.sbom of one image) | referrer-tag
    reason: str
    descriptor: Descriptor
    subject: Digest | None
    detail: str
    #: Bytes of the item and (when known) everything under it.
    size: int
    manifests: int = 1

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {
            "reason": self.reason,
            "digest": str(self.descriptor.digest),
            "mediaType": self.descriptor.media_type,
            "detail": self.detail,
            "size": self.size,
            "manifests": self.manifests,
        }
        if self.descriptor.artifact_type:
            out["artifactType"] = self.descriptor.artifact_type
        if self.subject is not None:
            out["subject"] = str(self.subject)
        return out


@dataclass
class PlanBundleImage:
    """One image an imgpkg bundle locks, and where the sync takes it from and to."""

    #: The reference as written in the bundle's ``.imgpkg/images.yml``.
    image: str
    digest: Digest
    #: The repository it is copied from (the bundle's own when images.yml's is unreachable;
    #: ``layout`` on a push).
    source: str
    #: Its name at the destination (``<bundle repo>:<alg>-<hex>.imgpkg``).
    name: str
    is_bundle: bool = False

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "image": self.image,
            "digest": str(self.digest),
            "source": self.source,
            "name": self.name,
            "isBundle": self.is_bundle,
        }


@dataclass
class PlanBundle:
    """An imgpkg bundle in the plan (nested ones have a ``parent``)."""

    digest: Digest
    markings: tuple[str, ...]
    images: list[PlanBundleImage] = field(default_factory=list)
    parent: Digest | None = None
    #: The image-locations referrer written at the destination (push, copy).
    locations: Digest | None = None
    #: The imgpkg-compatible ``<alg>-<hex>.image-locations.imgpkg`` name written.
    locations_tag: str | None = None
    #: The bundle's digest before ``--bundle-marking`` rewrote it.
    remarked_from: Digest | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {
            "digest": str(self.digest),
            "markings": list(self.markings),
            "images": [i.to_json() for i in self.images],
        }
        for key, value in (
            ("parent", self.parent),
            ("imageLocations", self.locations),
            ("imageLocationsTag", self.locations_tag),
            ("remarkedFrom", self.remarked_from),
        ):
            if value is not None:
                out[key] = str(value)
        return out


@dataclass
class Plan:
    """Everything a sync will do, and will not do."""

    source: str
    destination: str
    filter: SyncFilter
    roots: list[PlanTag] = field(default_factory=list)
    manifests: list[PlanManifest] = field(default_factory=list)
    blobs: list[PlanBlob] = field(default_factory=list)
    tags: list[PlanTag] = field(default_factory=list)
    left_behind: list[LeftBehind] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: imgpkg bundles among the roots (and nested in them), with their locked images.
    bundles: list[PlanBundle] = field(default_factory=list)
    #: Where the plan copies from and to (set by the walker; ``run(plan)`` uses them).
    source_target: Target | None = field(default=None, repr=False, compare=False)
    dest_target: Target | None = field(default=None, repr=False, compare=False)
    #: A repository of the destination registry that blobs may be mounted from.
    mount_from: Reference | None = None

    def blobs_to_copy(self) -> list[PlanBlob]:
        """Blobs not yet at the destination (each digest once per destination repo)."""
        return [b for b in self.blobs if not b.present]

    def referrer_manifests(self) -> list[PlanManifest]:
        """Every manifest of the plan that has a subject."""
        return [m for m in self.manifests if m.subject is not None]

    def summary(self) -> dict[str, int]:
        """Counts and bytes: to copy, already there, left behind."""
        copy = self.blobs_to_copy()
        have = [b for b in self.blobs if b.present]
        return {
            "blobsToCopy": len(copy),
            "bytesToCopy": sum(b.descriptor.size for b in copy),
            "blobsPresent": len(have),
            "bytesPresent": sum(b.descriptor.size for b in have),
            "manifestsToCopy": sum(1 for m in self.manifests if not m.present),
            "manifestsPresent": sum(1 for m in self.manifests if m.present),
            "referrers": len(self.referrer_manifests()),
            "tags": len(self.tags),
            "leftBehind": len(self.left_behind),
            "leftBehindBytes": sum(item.size for item in self.left_behind),
        }

    def to_json(self) -> dict[str, Any]:
        """The whole plan as JSON (what ``--dry-run --json`` prints)."""
        out: dict[str, Any] = {
            "source": self.source,
            "destination": self.destination,
            "filter": self.filter.to_json(),
            "summary": self.summary(),
            "manifests": [m.to_json() for m in sorted(self.manifests, key=lambda m: m.level)],
            "blobs": [b.to_json() for b in self.blobs],
            "tags": [t.to_json() for t in self.tags],
            "leftBehind": [item.to_json() for item in self.left_behind],
            "warnings": list(self.warnings),
        }
        if self.bundles:
            out["bundles"] = [b.to_json() for b in self.bundles]
        return out

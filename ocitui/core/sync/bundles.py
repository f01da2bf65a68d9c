"""imgpkg bundles in pull, push and copy: a bundle travels with every image it locks.

**Pull.** When a root (or a locked image) is an imgpkg bundle -- config label
``dev.carvel.imgpkg.bundle`` or artifactType ``application/vnd.carvel.imgpkg.bundle.v1`` --
its ``.imgpkg/images.yml`` is read from the source while planning (so ``--dry-run``
lists the locked images), and every locked image is walked like a root: by digest, with
its referrers (recursively), legacy cosign tags and imgpkg tags. Nested bundles are
expanded the same way, at most :data:`MAX_DEPTH` levels deep. A locked image is taken
from the repository images.yml names; when that registry cannot be reached or does not
hold the digest, from the bundle's own repository (where imgpkg relocates every image;
for a nested bundle its own repository, then its parents', are tried).

**Names.** In the layout each locked image is named ``<bundle repo>:<alg>-<hex>.imgpkg``
(the bundle's repository as pulled), the machine tag imgpkg gives relocated images: ``ls``
hides it, ``ls --all`` shows it, :func:`~ocitui.core.bundles.read_bundle` finds the image
by digest, and a later push relocates it from there. Legacy ``.sig/.att/.sbom`` tags of
locked images are named in the bundle's repository too.

**Push and copy.** The bundle is relocated as imgpkg does it: every locked image (nested
ones too) by digest into the bundle's destination repository, tagged
``<alg>-<hex>.imgpkg``, with its referrers and legacy tags; then the bundle; then, for it
and each nested bundle, an image-locations record as an OCI 1.1 referrer (artifactType
``application/vnd.carvel.imgpkg.image-locations.v1``, subject = the bundle; it lists the
original references of images.yml, which live on in the destination repository under the
same digests). With ``imgpkg_compat`` also the ``<alg>-<hex>.image-locations.imgpkg``
image that imgpkg itself reads. The records are made in memory (their blobs travel as
:attr:`PlanBlob.data`), never written to the source layout. ``marking`` rewrites the
bundle with :func:`~ocitui.core.bundles.mark_bundle` (a new digest; the new manifest is
stored in the layout as blobs, unnamed); the destination tag then names the re-marked
bundle, and referrers of the original digest, which do not apply to it, are left behind.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from ocitui.core import media_types as mt
from ocitui.core.bundles import (
    BUNDLE_LABEL,
    MARKINGS,
    Bundle,
    LockedImage,
    is_bundle,
    make_image_locations_artifact,
    make_legacy_locations_image,
    mark_bundle,
    parse_bundle_yml,
    parse_images_lock,
)
from ocitui.core.bundles.model import BUNDLE_YML_PATH, IMAGES_LOCK_PATH
from ocitui.core.bundles.tarball import read_members
from ocitui.core.digest import Digest, Verifier
from ocitui.core.errors import AuthError, BundleError, OcituiError, RegistryError, SyncError
from ocitui.core.layout import Layout
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor, Manifest, parse_document
from ocitui.core.reference import Reference
from ocitui.core.sync.plan import LeftBehind, PlanBlob, PlanBundle, PlanBundleImage, PlanTag
from ocitui.core.sync.sides import LayoutSide, RegistrySide, plain
from ocitui.core.sync.transfers import Progress, PushTransfer
from ocitui.core.sync.walk import Route, Walker, tag_name

#: How deep bundles may nest (a deeper chain is refused as a probable loop).
MAX_DEPTH = 8
_WANTED = (IMAGES_LOCK_PATH, BUNDLE_YML_PATH)


@dataclass(frozen=True)
class BundleOptions:
    """How a push relocates bundles: the imgpkg-compatible record, and the marking."""

    #: Also write ``<alg>-<hex>.image-locations.imgpkg`` (what imgpkg itself reads).
    imgpkg_compat: bool = False
    #: ``label``, ``artifactType`` or ``both``; None keeps what the bundle has.
    marking: str | None = None

    def __post_init__(self) -> None:
        if self.marking is not None and self.marking not in MARKINGS:
            raise BundleError(f"unknown bundle marking {self.marking!r}: use {', '.join(MARKINGS)}")


class _TempSink:
    """A verifying blob sink into a temporary file (bundle layers read while planning)."""

    def __init__(self, desc: Descriptor) -> None:
        self.desc = desc
        # Handed to the caller, who closes it (a context manager would close it here).
        self.file = cast(BinaryIO, tempfile.TemporaryFile())  # noqa: SIM115
        self.offset = 0
        self._verifier = Verifier(desc.digest, desc.size)

    def write(self, chunk: bytes) -> None:
        self._verifier.update(chunk)
        self.file.write(chunk)
        self.offset += len(chunk)

    def restart(self) -> None:
        self.file.seek(0)
        self.file.truncate()
        self.offset = 0
        self._verifier = Verifier(self.desc.digest, self.desc.size)

    def finish(self) -> BinaryIO:
        self._verifier.verify()
        self.file.seek(0)
        return self.file


def _labels(raw: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(raw)
    except ValueError:
        return {}
    inner = doc.get("config") if isinstance(doc, dict) else None
    labels = inner.get("Labels") if isinstance(inner, dict) else None
    return labels if isinstance(labels, dict) else {}


class BundleWalker(Walker):
    """A :class:`Walker` that expands imgpkg bundles into the images they lock."""

    def __init__(self, *args: Any, options: BundleOptions | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = options or BundleOptions()
        self._bundles: dict[tuple[str, Digest], Bundle | None] = {}
        self._entries: dict[tuple[str, Digest], PlanBundle] = {}
        self._unreachable: set[str] = set()

    async def add_root(self, route: Route, text: str, tag: str) -> PlanTag:
        """Walk ``text`` as a root; when it is a bundle, also everything it locks."""
        before = None
        if self.options.marking is not None and isinstance(self.source, LayoutSide):
            text, before = self._remark(self.source.layout, text, self.options.marking)
        root = await super().add_root(route, text, tag)
        bundle = await self._expand(route, root.descriptor, [route.source_repo], None, 0)
        if bundle is None:
            return root
        self._entries[self._key(route, bundle.digest)].remarked_from = before
        if not self._local_dest:
            for each in bundle.walk():
                entry = self._entries[self._key(route, each.digest)]
                if entry.locations is None and entry.locations_tag is None:
                    await self._add_locations(route, each, entry)
        return root

    # -- reading bundles from the source -------------------------------------------------

    async def _open(self, repo: Reference, desc: Descriptor) -> BinaryIO:
        layout = _source_layout(self.source)
        if layout is not None and layout.has_blob(desc.digest, desc.size):
            return layout.open_blob(desc.digest)
        if not isinstance(self.source, RegistrySide):
            raise BundleError(f"bundle blob {desc.digest} is not in the {self.source.label}")
        sink = _TempSink(desc)
        try:
            await self._io(self.source.client.fetch_blob(repo, desc, sink))
            return sink.finish()
        except BaseException:
            sink.file.close()
            raise

    async def _read(self, repo: Reference, raw: bytes, desc: Descriptor) -> Bundle | None:
        """The bundle at ``desc`` (images not yet located), or None when it is not one."""
        doc = parse_document(raw, desc.media_type)
        if not isinstance(doc, Manifest):
            return None
        marks = {"artifactType"} if doc.artifact_type == mt.IMGPKG_BUNDLE_ARTIFACT else set()
        if doc.config.media_type in mt.CONFIG_TYPES and doc.config.size <= MAX_MANIFEST_SIZE:
            with await self._open(repo, doc.config) as handle:
                if BUNDLE_LABEL in _labels(handle.read(MAX_MANIFEST_SIZE + 1)):
                    marks.add("label")
        if not marks:
            return None
        files: dict[str, bytes] = {}
        for layer in doc.layers:  # Later layers win, as when the image is unpacked.
            with await self._open(repo, layer) as handle:
                files.update(read_members(handle, layer.media_type, _WANTED))
        if IMAGES_LOCK_PATH not in files:
            raise BundleError(f"bundle {desc.digest} has no {IMAGES_LOCK_PATH}")
        try:
            metadata = (
                parse_bundle_yml(files[BUNDLE_YML_PATH]) if BUNDLE_YML_PATH in files else None
            )
        except BundleError:
            metadata = None  # Decorative: a bad bundle.yml does not stop a copy.
        return Bundle(plain(desc), frozenset(marks), (), metadata, files[IMAGES_LOCK_PATH])

    # -- expanding ----------------------------------------------------------------------

    async def _expand(
        self,
        route: Route,
        desc: Descriptor,
        fallbacks: list[Reference],
        parent: Digest | None,
        depth: int,
    ) -> Bundle | None:
        key = self._key(route, desc.digest)
        if key in self._bundles:
            return self._bundles[key]
        node = self._nodes.get(key)
        if node is None:
            return None
        self._bundles[key] = None
        found = await self._read(route.source_repo, node.raw, desc)
        if found is None:
            return None
        if depth >= MAX_DEPTH:
            raise BundleError(f"bundles nested deeper than {MAX_DEPTH} levels (a loop?)")
        entry = PlanBundle(desc.digest, tuple(sorted(found.markings)), parent=parent)
        self.plan.bundles.append(entry)
        self._entries[key] = entry
        images = []
        for text, ref, notes in parse_images_lock(found.images_yml):
            digest = ref.digest
            assert digest is not None  # parse_images_lock refuses tag references.
            source = await self._locate(text, ref, fallbacks, desc.digest)
            sub = Route(source, route.dest_repo)
            name = str(digest) if self._local_source else f"{source.name}@{digest}"
            named = await Walker.add_root(self, sub, name, f"{digest.tag_form}.imgpkg")
            nested = await self._expand(
                sub, named.descriptor, [source, *fallbacks], desc.digest, depth + 1
            )
            entry.images.append(
                PlanBundleImage(text, digest, source.name, named.name, nested is not None)
            )
            images.append(LockedImage(text, ref, notes, present=True, bundle=nested))
        bundle = Bundle(
            found.descriptor, found.markings, tuple(images), found.metadata, found.images_yml
        )
        self._bundles[key] = bundle
        return bundle

    @property
    def _local_source(self) -> bool:
        return isinstance(self.source, LayoutSide)

    async def _locate(
        self, text: str, ref: Reference, fallbacks: list[Reference], bundle: Digest
    ) -> Reference:
        """Where the locked image ``ref`` can be read: images.yml's repository, else the
        bundle's (the layout holds every repository at once: named as the outermost bundle)."""
        digest = ref.digest
        assert digest is not None
        if isinstance(self.source, LayoutSide):
            if self.source.layout.has_blob(digest):
                return fallbacks[-1]
            raise SyncError(
                f"bundle {bundle.short} locks {text}, which is not in the layout: "
                "pull the bundle first (ocitui pull <bundle>)"
            )
        assert isinstance(self.source, RegistrySide)
        named = Reference(ref.registry, ref.repository)
        tried: list[str] = []
        for repo in {r.name: r for r in (named, *fallbacks)}.values():
            if repo.registry in self._unreachable:
                continue
            try:
                head = self.source.client.head_manifest(repo.with_digest(digest))
                if await self._io(head) is not None:
                    return repo
                tried.append(f"{repo.name} (not there)")
            except OcituiError as exc:
                tried.append(f"{repo.name} ({exc})")
                unreachable = isinstance(exc, RegistryError) and exc.status is None
                if unreachable and not isinstance(exc, AuthError):
                    self._unreachable.add(repo.registry)
                    self.plan.warnings.append(
                        f"{repo.registry} cannot be reached: locked images are taken "
                        f"from the bundle's repository {fallbacks[0].name} when it has them"
                    )
        raise SyncError(f"bundle {bundle.short} locks {text}, found nowhere: {'; '.join(tried)}")

    # -- push: image-locations and marking ----------------------------------------------

    async def _add_locations(self, route: Route, bundle: Bundle, entry: PlanBundle) -> None:
        wanted = self.filter.referrers and mt.IMGPKG_LOCATIONS_ARTIFACT not in (
            self.filter.exclude_artifact_types
        )
        if wanted:
            raw, blobs = make_image_locations_artifact(bundle)
            desc = Descriptor(
                mt.OCI_MANIFEST,
                Digest.of(raw),
                len(raw),
                artifact_type=mt.IMGPKG_LOCATIONS_ARTIFACT,
            )
            await self._visit(route, desc, raw, "referrer")
            self._carry(route, blobs)
            entry.locations = desc.digest
        if self.options.imgpkg_compat:
            raw, blobs, tag = make_legacy_locations_image(bundle)
            desc = Descriptor(mt.DOCKER_MANIFEST, Digest.of(raw), len(raw))
            await self._visit(route, desc, raw, "imgpkg")
            self._carry(route, blobs)
            await self._add_tag(route, tag, desc, {})
            entry.locations_tag = tag_name(route.dest_repo, tag)

    def _carry(self, route: Route, blobs: list[tuple[Descriptor, bytes]]) -> None:
        for desc, data in blobs:
            item = self._blobs.get(self._key(route, desc.digest))
            if item is not None and item.data is None:
                item.data = data

    def _remark(self, layout: Layout, text: str, marking: str) -> tuple[str, Digest | None]:
        desc = layout.resolve(text)
        if not is_bundle(layout, desc):
            return text, None
        new = mark_bundle(layout, desc, marking=marking)
        if new.digest == desc.digest:
            return text, None
        old = desc.digest
        for item in [*layout.referrers(old), *(d for _, d in layout.legacy_attachments(old))]:
            detail = f"refers to the bundle before re-marking ({old.short})"
            self.plan.left_behind.append(
                LeftBehind("bundle-marking", plain(item), old, detail, item.size)
            )
        self.plan.warnings.append(
            f"bundle {text} re-marked ({marking}): {old} -> {new.digest}; "
            "the destination tag names the re-marked bundle"
        )
        return str(new.digest), old


def _source_layout(source: object) -> Layout | None:
    if isinstance(source, LayoutSide):
        return source.layout
    if isinstance(source, RegistrySide):
        return source.cache
    return None


class BundlePushTransfer(PushTransfer):
    """A push that also uploads blobs the plan carries as bytes (image-locations records)."""

    async def blob(self, item: PlanBlob, started: Progress, progress: Progress) -> str:
        """Upload ``item.data`` when set, else stream from the layout as usual."""
        data = item.data
        if data is None or item.dest_repo is None or self.layout.has_blob(item.digest):
            return await super().blob(item, started, progress)
        started(0)
        opener: Callable[[], BinaryIO] = lambda: io.BytesIO(data)  # noqa: E731
        return await self.client.push_blob(
            item.dest_repo, item.descriptor, opener, on_progress=progress
        )


__all__ = ["MAX_DEPTH", "BundleOptions", "BundlePushTransfer", "BundleWalker"]

"""The bundle-aware walk: a :class:`~ocitui.core.sync.walk.Walker` that reads each
bundle's ``.imgpkg/images.yml`` from the source while planning and walks every locked
image (nested bundles too) as a root named ``<alg>-<hex>.imgpkg`` in the bundle's
destination repository; for registry destinations it adds the image-locations records.
See :mod:`ocitui.core.sync.bundles` for the whole scheme."""

from __future__ import annotations

import asyncio
from typing import Any, BinaryIO

from ocitui.core import media_types as mt
from ocitui.core.bundles import (
    BUNDLE_LABEL,
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
from ocitui.core.digest import Digest
from ocitui.core.errors import (
    AuthError,
    BundleError,
    NotFound,
    OcituiError,
    RegistryError,
    SyncError,
)
from ocitui.core.layout import Layout
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor, Manifest, parse_document
from ocitui.core.reference import Reference
from ocitui.core.sync.bundles.support import BundleOptions, config_labels
from ocitui.core.sync.plan import LeftBehind, PlanBundle, PlanBundleImage, PlanTag
from ocitui.core.sync.walk import Route, Walker, tag_name
from ocitui.core.target.base import SpoolSink, plain

Locked = tuple[PlanBundleImage, LockedImage]
#: How deep bundles may nest (a deeper chain is refused as a probable loop).
MAX_DEPTH = 8
_WANTED = (IMAGES_LOCK_PATH, BUNDLE_YML_PATH)


class BundleWalker(Walker):
    """A :class:`Walker` that expands imgpkg bundles into the images they lock."""

    def __init__(
        self,
        *args: Any,
        options: BundleOptions | None = None,
        remark_in: Layout | None = None,
        **kwargs: Any,
    ) -> None:
        """``remark_in``: the layout the source reads, where ``--bundle-marking`` stores
        the re-marked bundle (a push from a layout; None elsewhere)."""
        super().__init__(*args, **kwargs)
        self.options = options or BundleOptions()
        self._remark_in = remark_in
        self._bundles: dict[tuple[str, Digest], asyncio.Future[Bundle | None]] = {}
        self._entries: dict[tuple[str, Digest], PlanBundle] = {}
        self._unreachable: set[str] = set()

    async def add_root(self, route: Route, text: str, tag: str) -> PlanTag:
        """Walk ``text`` as a root; when it is a bundle, also everything it locks."""
        before = None
        if self.options.marking is not None and self._remark_in is not None:
            text, before = self._remark(self._remark_in, text, self.options.marking)
        root = await super().add_root(route, text, tag)
        bundle = await self._expand(route, root.descriptor, [route.source_repo], None, 0)
        if bundle is None:
            return root
        self._entries[self._key(route, bundle.digest)].remarked_from = before
        # Nested bundles were found concurrently: list them depth first, as images.yml does.
        ours = [self._entries[self._key(route, b.digest)] for b in bundle.walk()]
        rest = [b for b in self.plan.bundles if all(b is not mine for mine in ours)]
        self.plan.bundles[:] = rest + list({id(e): e for e in ours}.values())
        if not self._local_dest:
            for each in bundle.walk():
                entry = self._entries[self._key(route, each.digest)]
                if entry.locations is None and entry.locations_tag is None:
                    await self._add_locations(route, each, entry)
        return root

    # -- reading bundles from the source -------------------------------------------------

    async def _open(self, repo: Reference, desc: Descriptor) -> BinaryIO:
        opener = self.source.open_local(desc)
        if opener is not None:
            return opener()
        if self.source.capabilities.local:
            raise BundleError(f"bundle blob {desc.digest} is not in the {self.source.label}")
        sink = SpoolSink(desc)
        try:
            await self._io(self.source.stream_blob(repo, desc, sink, None))
        except BaseException:
            sink.close()
            raise
        return sink.finish()

    async def _read(self, route: Route, raw: bytes, desc: Descriptor) -> Bundle | None:
        """The bundle at ``desc`` (images not yet located), or None when it is not one."""
        repo = route.source_repo
        doc = parse_document(raw, desc.media_type)
        if not isinstance(doc, Manifest):
            return None
        marks = {"artifactType"} if doc.artifact_type == mt.IMGPKG_BUNDLE_ARTIFACT else set()
        if doc.config.media_type in mt.CONFIG_TYPES and doc.config.size <= MAX_MANIFEST_SIZE:
            with await self._open(repo, doc.config) as handle:
                config = handle.read(MAX_MANIFEST_SIZE + 1)
            if not self._local_source:
                # Fetched and verified already: the pull writes these bytes, no second GET.
                self._carry(route, [(doc.config, config)])
            if BUNDLE_LABEL in config_labels(config):
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
        """The bundle at ``desc`` with every locked image walked; None when not a bundle.

        Each bundle is expanded once per destination repository, by one task that later
        callers await too (a bundle locked twice is still known to be a bundle).
        """
        key = self._key(route, desc.digest)
        if key not in self._bundles:
            work = self._expand_once(route, desc, fallbacks, parent, depth)
            self._bundles[key] = asyncio.ensure_future(work)
        return await self._bundles[key]

    async def _expand_once(
        self,
        route: Route,
        desc: Descriptor,
        fallbacks: list[Reference],
        parent: Digest | None,
        depth: int,
    ) -> Bundle | None:
        key = self._key(route, desc.digest)
        node = self._nodes.get(key)
        found = None if node is None else await self._read(route, node.raw, desc)
        if found is None:
            return None
        if depth >= MAX_DEPTH:
            raise BundleError(f"bundles nested deeper than {MAX_DEPTH} levels (a loop?)")
        entry = PlanBundle(desc.digest, tuple(sorted(found.markings)), parent=parent)
        self.plan.bundles.append(entry)
        self._entries[key] = entry
        if not self.list_tags:
            await self._source_locations(route, desc.digest)

        async def one(text: str, ref: Reference, notes: dict[str, str]) -> Locked:
            digest = ref.digest
            assert digest is not None  # parse_images_lock refuses tag references.
            source = await self._locate(text, ref, fallbacks, desc.digest)
            sub = Route(source, route.dest_repo)
            name = str(digest) if self._local_source else f"{source.name}@{digest}"
            named = await Walker.add_root(self, sub, name, f"{digest.tag_form}.imgpkg")
            nested = await self._expand(
                sub, named.descriptor, [source, *fallbacks], desc.digest, depth + 1
            )
            origin = "layout" if self._local_source else source.name
            return (
                PlanBundleImage(text, digest, origin, named.name, nested is not None),
                LockedImage(text, ref, notes, present=True, bundle=nested),
            )

        lock = parse_images_lock(found.images_yml)
        # Every image is walked at once (the walk bounds the requests); all are awaited
        # before the first failure is raised, so no task outlives the plan.
        results = await asyncio.gather(*(one(*e) for e in lock), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        done = [r for r in results if not isinstance(r, BaseException)]
        entry.images = [planned for planned, _ in done]
        images = tuple(locked for _, locked in done)
        return Bundle(found.descriptor, found.markings, images, found.metadata, found.images_yml)

    async def _source_locations(self, route: Route, digest: Digest) -> None:
        """The source's ``<alg>-<hex>.image-locations.imgpkg`` record of bundle ``digest``
        (what ``imgpkg copy`` leaves in the bundle's repository), by one lookup."""
        tag = f"{digest.tag_form}.image-locations.imgpkg"
        try:
            found = await self._io(self.source.lookup_tag(route.source_repo, tag))
        except OcituiError as exc:
            self.plan.warnings.append(f"imgpkg record {tag} not read: {exc}")
            return
        if found is not None:
            await self._take_imgpkg_tag(route, tag)

    async def _locate(
        self, text: str, ref: Reference, fallbacks: list[Reference], bundle: Digest
    ) -> Reference:
        """Where the locked image ``ref`` can be read: images.yml's repository, else the
        bundle's (the layout holds every repository at once: named as the outermost bundle)."""
        digest = ref.digest
        assert digest is not None
        if self.source.capabilities.local:
            try:
                await self._io(self.source.resolve(fallbacks[-1], str(digest)))
            except NotFound:
                raise SyncError(
                    f"bundle {bundle.short} locks {text}, which is not in the layout: "
                    "pull the bundle first (ocitui pull <bundle>)"
                ) from None
            return fallbacks[-1]
        named = Reference(ref.registry, ref.repository)
        tried: list[str] = []
        for repo in {r.name: r for r in (named, *fallbacks)}.values():
            if repo.registry in self._unreachable:
                continue
            try:
                if await self._io(self.source.lookup_tag(repo, str(digest))) is not None:
                    return repo
                tried.append(f"{repo.name} (not there)")
            except OcituiError as exc:
                tried.append(f"{repo.name} ({exc})")
                unreachable = isinstance(exc, RegistryError) and exc.status is None
                if (
                    unreachable
                    and not isinstance(exc, AuthError)
                    and repo.registry not in self._unreachable
                ):
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
        if marking == "artifactType":
            self.plan.warnings.append(
                f"bundle {text}: imgpkg recognises bundles only by the config label "
                "dev.carvel.imgpkg.bundle, which --bundle-marking artifactType removes; imgpkg "
                "will treat it as a plain image (--bundle-marking both keeps it a bundle)"
            )
        return str(new.digest), old

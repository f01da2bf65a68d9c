"""Build a :class:`~ocitui.core.sync.plan.Plan`: walk the source graph, compare with the destination.

The walk follows index -> children -> config/layers, referrers (recursively, each one's
``subject`` checked against what it claims to refer to), cosign legacy tags of every
manifest (by HEAD), and ``*.imgpkg`` tags. It is written once over two
:class:`~ocitui.core.target.Target` values, so pull, push and copy share it; it reads
their capabilities, never their kind.

A remote source's tags are never listed just to find ``*.imgpkg`` tags: every
``<alg>-<hex>.imgpkg`` tag whose subject is in the graph is taken when the tag list is
at hand anyway (a layout, or a list the caller passed, as ``mirror`` does); otherwise
the bundle walk names locked images itself and looks up each bundle's
``<alg>-<hex>.image-locations.imgpkg`` record with one request.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import NotFound, OcituiError, SyncError
from ocitui.core.models import (
    PLATFORMS_ANNOTATION,
    Descriptor,
    Document,
    Index,
    Manifest,
    parse_document,
)
from ocitui.core.reference import Reference
from ocitui.core.sync.filters import SyncFilter, platforms_label
from ocitui.core.sync.plan import LeftBehind, Plan, PlanBlob, PlanManifest, PlanTag
from ocitui.core.target.base import Target, plain
from ocitui.core.tasks import gather_or_cancel

T = TypeVar("T")
#: imgpkg machine tags: ``sha256-<hex>.imgpkg`` and ``sha256-<hex>.image-locations.imgpkg``.
IMGPKG_TAG = re.compile(r"(?:.*-)?(sha256)-([a-f0-9]{64})(?:\.image-locations)?\.imgpkg")


@dataclass(frozen=True)
class Route:
    """Where one graph comes from and goes to (a layout side ignores its repository,
    except to name machine tags)."""

    source_repo: Reference
    dest_repo: Reference


def imgpkg_subject(tag: str) -> Digest | None:
    """The digest an imgpkg machine tag is about."""
    match = IMGPKG_TAG.fullmatch(tag)
    return Digest(match.group(1), match.group(2)) if match else None


def tag_name(repo: Reference, tag: str) -> str:
    """``registry/repo:tag``, or ``registry/repo@sha256:...`` when ``tag`` is a digest."""
    if ":" in tag:
        return f"{repo.name}@{tag}"
    return str(repo.with_tag(tag))


class Walker:
    """Accumulates one plan from any number of roots."""

    def __init__(
        self,
        source: Target,
        dest: Target,
        plan: Plan,
        *,
        concurrency: int = 8,
        list_tags: bool | None = None,
    ) -> None:
        """``list_tags``: read the source's tag list for ``*.imgpkg`` tags (default: only
        when the source is local, where listing costs no request)."""
        self.source = source
        self.list_tags = source.capabilities.local if list_tags is None else list_tags
        self.dest = dest
        self.plan = plan
        self.filter: SyncFilter = plan.filter
        self._sem = asyncio.Semaphore(max(1, concurrency))
        self._seen: set[tuple[str, Digest]] = set()
        self._nodes: dict[tuple[str, Digest], PlanManifest] = {}
        self._blobs: dict[tuple[str, Digest], PlanBlob] = {}
        self._tags: dict[str, PlanTag] = {}
        self._present_children: dict[Digest, list[Descriptor]] = {}
        self._blocking: list[str] = []
        self._local_dest = dest.capabilities.local
        self._local_source = source.capabilities.local
        plan.source_target, plan.dest_target = source, dest

    def _key(self, route: Route, digest: Digest) -> tuple[str, Digest]:
        # The layout is one store for every repository: dedupe by digest alone there, so
        # two graphs never write the same blob at once.
        return ("" if self._local_dest else route.dest_repo.name, digest)

    async def _io(self, work: Awaitable[T]) -> T:
        async with self._sem:
            return await work

    def _at_source(self, work: Awaitable[T]) -> Awaitable[T]:
        """``work`` on the source: within the bound on requests, unless the source is a
        layout (no request; see :meth:`_at_dest`)."""
        return work if self._local_source else self._io(work)

    def _at_dest(self, work: Awaitable[T]) -> Awaitable[T]:
        """``work`` on the destination: within the bound on requests, unless it is a
        layout. A layout's answer costs a stat: behind the bound (first come, first
        served) each referrer's check waited for every manifest request queued before
        it, and a pull of 10,000 referrers made 10,000 such checks one after another at
        the end of its walk."""
        return work if self._local_dest else self._io(work)

    # -- roots and tags ------------------------------------------------------------------

    async def add_root(self, route: Route, text: str, tag: str) -> PlanTag:
        """Walk the graph named ``text`` at the source; name it ``tag`` at the destination."""
        found, raw = await self._at_source(self.source.resolve(route.source_repo, text))
        desc = Descriptor(found.media_type, found.digest, len(raw))
        doc = parse_document(raw, desc.media_type)
        role = "index" if isinstance(doc, Index) else "image"
        await self._visit(route, desc, raw, role, doc)
        annotations: dict[str, str] = {}
        if desc.digest in self._present_children:
            annotations[PLATFORMS_ANNOTATION] = platforms_label(self._present_children[desc.digest])
        root = await self._add_tag(route, tag, desc, annotations)
        self.plan.roots.append(root)
        await self._visit_imgpkg(route)
        return root

    async def add_name(self, route: Route, tag: str, desc: Descriptor) -> PlanTag:
        """Also name ``desc`` (already in the plan) ``tag`` at the destination."""
        return await self._add_tag(route, tag, desc, {})

    async def _add_tag(
        self, route: Route, tag: str, desc: Descriptor, annotations: dict[str, str]
    ) -> PlanTag:
        name = tag_name(route.dest_repo, tag)
        entry = PlanTag(name, plain(desc), route.dest_repo, tag, annotations)
        if name in self._tags:
            return self._tags[name]
        self._tags[name] = entry
        self.plan.tags.append(entry)
        found = await self._at_dest(self.dest.lookup_tag(route.dest_repo, tag))
        # A local destination records which platforms a sparse index holds: a name is
        # only "present" when that record is the one this sync would write.
        sparse_before = found.annotations.get(PLATFORMS_ANNOTATION, False) if found else False
        entry.present = (
            found is not None
            and found.digest == desc.digest
            and sparse_before == annotations.get(PLATFORMS_ANNOTATION, False)
        )
        return entry

    def finish(self) -> Plan:
        """Order the manifests for writing; refuse plans that would push broken content."""
        if self._blocking:
            raise SyncError(
                "cannot push a partial index: "
                + "; ".join(self._blocking)
                + ". Pull every platform first (ocitui pull REF), or push one platform by "
                "digest (ocitui push NAME@sha256:<platform manifest digest> DEST)"
            )
        memo: dict[tuple[str, Digest], int] = {}

        def level(key: tuple[str, Digest], depth: int = 0) -> int:
            if key in memo or depth > 64:
                return memo.get(key, 0)
            node = self._nodes[key]
            deps = [(key[0], d) for d in node.needs]
            if node.subject is not None:
                deps.append((key[0], node.subject))
            memo[key] = 1 + max((level(d, depth + 1) for d in deps if d in self._nodes), default=-1)
            return memo[key]

        for key, node in self._nodes.items():
            node.level = level(key)
        return self.plan

    # -- the graph -----------------------------------------------------------------------

    async def _visit(
        self,
        route: Route,
        desc: Descriptor,
        raw: bytes | None,
        role: str,
        doc: Document | None = None,
    ) -> None:
        """Add the manifest ``desc`` and walk what hangs below it; ``doc``, when given, is
        ``raw`` already parsed (it is carried in the plan, not parsed again)."""
        key = self._key(route, desc.digest)
        if key in self._seen:
            return
        self._seen.add(key)
        if raw is None:
            raw = await self._at_source(self.source.fetch(route.source_repo, desc))
        if doc is None or doc.raw is not raw:
            doc = parse_document(raw, desc.media_type)
        present = await self._at_dest(self.dest.exists(route.dest_repo, desc))
        node = PlanManifest(
            desc.with_changes(annotations={}, extra={}, data=None),
            raw,
            role,
            route.source_repo,
            route.dest_repo,
            subject=doc.subject.digest if doc.subject is not None else None,
            present=present,
            doc=doc,
        )
        self._nodes[key] = node
        self.plan.manifests.append(node)
        work: list[Awaitable[None]] = []
        if isinstance(doc, Index):
            kept, dropped = self.filter.select_children(doc.manifests)
            node.needs = tuple(c.digest for c in kept)
            work += [self._visit_child(route, c, node) for c in kept]
            if dropped:
                work.append(self._drop_platforms(route, node, kept, dropped))
        elif isinstance(doc, Manifest):
            blobs = []
            for blob in doc.children():
                if blob.is_foreign_layer:
                    self._leave("non-distributable", blob, None, "foreign layer, not copied")
                    continue
                blobs.append(blob.digest)
                work.append(self._add_blob(route, blob, present))
            node.blobs = tuple(blobs)
        work.append(self._visit_referrers(route, node))
        work.append(self._visit_legacy(route, node))
        await gather_or_cancel(*work)

    async def _visit_child(self, route: Route, child: Descriptor, parent: PlanManifest) -> None:
        role = "index" if mt.is_index(child.media_type) else "platform"
        try:
            await self._visit(route, child, None, role)
        except NotFound:
            if await self._at_dest(self.dest.exists(route.dest_repo, child)):
                return
            what = str(child.platform) if child.platform else str(child.digest)
            self._blocking.append(
                f"{parent.digest.short} lists {what} ({child.digest.short}), "
                f"which is not in the {self.source.label}"
            )

    async def _drop_platforms(
        self, route: Route, node: PlanManifest, kept: list[Descriptor], dropped: list[Descriptor]
    ) -> None:
        present = list(kept)
        for child in dropped:
            if await self._at_dest(self.dest.exists(route.dest_repo, child)):
                present.append(child)
                continue
            size = child.size
            try:
                raw = await self._at_source(self.source.fetch(route.source_repo, child))
                sub = parse_document(raw, child.media_type)
                if isinstance(sub, Manifest):
                    size += sum(b.size for b in sub.children())
            except OcituiError:
                pass  # The size stays an estimate; the item is still reported.
            label = str(child.platform) if child.platform else "attestation"
            self._leave("platform", child, None, f"{label} of {node.digest.short}", size)
        if len(present) < len(kept) + len(dropped):
            self._present_children[node.digest] = present

    async def _add_blob(self, route: Route, blob: Descriptor, manifest_present: bool) -> None:
        key = self._key(route, blob.digest)
        if key in self._blobs:
            return
        entry = PlanBlob(plain(blob), route.source_repo, route.dest_repo)
        self._blobs[key] = entry
        self.plan.blobs.append(entry)
        if manifest_present and not self._local_dest:
            entry.present = True  # A registry holding the manifest holds its blobs.
        else:
            entry.present = await self._at_dest(self.dest.exists(route.dest_repo, blob))

    # -- attachments ---------------------------------------------------------------------

    async def _visit_referrers(self, route: Route, node: PlanManifest) -> None:
        listed = await self._at_source(self.source.referrers(route.source_repo, node.digest))
        work = []
        for desc in listed:
            if self._key(route, desc.digest) in self._seen:
                continue
            if not self.filter.referrers:
                self._leave("no-referrers", desc, node.digest, "referrer (--no-referrers)")
            elif not self.filter.wants_artifact_type(desc.artifact_type):
                self._leave("artifact-type", desc, node.digest, f"{desc.artifact_type}")
            else:
                work.append(self._visit_referrer(route, desc, node.digest))
        await gather_or_cancel(*work)

    async def _visit_referrer(self, route: Route, desc: Descriptor, subject: Digest) -> None:
        try:
            raw = await self._at_source(self.source.fetch(route.source_repo, desc))
        except NotFound:
            self._leave("unavailable", desc, subject, "listed as a referrer but not found")
            return
        doc = parse_document(raw, desc.media_type)
        if doc.subject is None or doc.subject.digest != subject:
            self._leave(
                "bad-subject", desc, subject, "listed as a referrer, but its subject differs"
            )
            self.plan.warnings.append(
                f"{desc.digest} is listed as a referrer of {subject.short} but does not refer to it"
            )
            return
        effective = mt.effective_artifact_type(doc.doc)
        if not self.filter.wants_artifact_type(effective):
            self._leave("artifact-type", desc, subject, f"{effective}")
            return
        await self._visit(
            route, plain(desc).with_changes(artifact_type=effective), raw, "referrer", doc
        )

    async def _visit_legacy(self, route: Route, node: PlanManifest) -> None:
        found = await self._at_source(self.source.legacy(route.source_repo, node.digest))
        tagged: dict[str, Descriptor] = {}
        for kind, desc in found:
            tag = f"{node.digest.algorithm}-{node.digest.encoded}.{kind}"
            if kind in tagged:  # A layout keeps one per repository; a tag holds one.
                self._leave("legacy-taken", desc, node.digest, _taken(kind, desc, tagged[kind]))
                continue
            tagged[kind] = desc
            if not self.filter.referrers:
                self._leave("no-referrers", desc, node.digest, f"legacy cosign .{kind} tag")
                continue
            raw = await self._at_source(self.source.fetch(route.source_repo, desc))
            doc = parse_document(raw, desc.media_type)
            effective = mt.effective_artifact_type(doc.doc)
            if not self.filter.wants_artifact_type(effective):
                self._leave("artifact-type", desc, node.digest, f"legacy .{kind}: {effective}")
                continue
            await self._visit(route, plain(desc), raw, "legacy", doc)
            await self._add_tag(route, tag, desc, {})

    async def _visit_imgpkg(self, route: Route) -> None:
        for tag in await self._imgpkg_tags(route.source_repo):
            subject = imgpkg_subject(tag)
            if subject is None or self._key(route, subject) not in self._nodes:
                continue
            await self._take_imgpkg_tag(route, tag)

    async def _take_imgpkg_tag(self, route: Route, tag: str) -> None:
        """Walk what the source's ``tag`` names and give it that tag at the destination."""
        text = str(route.source_repo.with_tag(tag))
        desc, raw = await self._at_source(self.source.resolve(route.source_repo, text))
        await self._visit(route, desc, raw, "imgpkg")
        await self._add_tag(route, tag, desc, {})

    async def _imgpkg_tags(self, repo: Reference) -> list[str]:
        """Tags of ``repo`` ending in ``.imgpkg``, when the walk reads the tag list
        (none when it does not, or when the tags cannot be listed)."""
        if not self.list_tags:
            return []
        try:
            tags = await self._at_source(self.source.tags(repo))
        except OcituiError:
            return []
        return [t for t in tags if t.endswith(".imgpkg")]

    def leave(
        self,
        reason: str,
        desc: Descriptor,
        subject: Digest | None,
        detail: str,
        size: int | None = None,
    ) -> None:
        """List ``desc`` under *left behind* with ``reason`` (``size``: bytes not carried)."""
        self.plan.left_behind.append(
            LeftBehind(reason, plain(desc), subject, detail, desc.size if size is None else size)
        )

    _leave = leave


def _taken(kind: str, desc: Descriptor, kept: Descriptor) -> str:
    """Why a second legacy ``.kind`` manifest of one image stays behind."""
    name = desc.ref_name or str(desc.digest)
    return (
        f"{name}: another legacy .{kind} of this image ({kept.digest.short} is carried); "
        f"a repository holds one .{kind} tag per image, push the name it came with to carry it"
    )

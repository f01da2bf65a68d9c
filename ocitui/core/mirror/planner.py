"""Plan a whole mirror file before anything moves.

Per entry (concurrently, at most ``jobs`` at a time): list the repository's tags (an
explicit tag list does without when listing is refused), select, ``HEAD`` each selected
tag (the one manifest request an unchanged tag costs), then plan the graph with the sync
engine's :func:`plan_pull`, naming each root ``repo:tag@digest`` so an unchanged root is
read from the layout, and handing it the tag list so legacy, fallback and imgpkg tags are
looked up there instead of probed. The walk still lists the referrers of every manifest
(so new referrers of old tags are found). Machine tags among the selected ones (``sha256-<hex>`` referrer
fallback indexes, cosign ``.sig/.att/.sbom``, ``.imgpkg``) are *covered* when their subject
is in the plan (the walk brings them); the others are planned as roots, as skopeo would copy
them. When an entry's plan fails, each root is planned alone so one bad tag fails alone;
an entry that selects no tag at all fails (skopeo only logs a warning).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ocitui.core.digest import Digest
from ocitui.core.errors import InvalidDigest, OcituiError
from ocitui.core.layout import Layout
from ocitui.core.layout.summary import machine_tag_kind
from ocitui.core.mirror.config import MirrorConfig, MirrorEntry
from ocitui.core.mirror.connect import Connections
from ocitui.core.mirror.plan import (
    CHANGED,
    COVERED,
    FAILED,
    NEW,
    UNCHANGED,
    ImagePlan,
    MirrorPlan,
    TagChoice,
    merge_plans,
)
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import LeftBehind, Plan, plan_pull
from ocitui.core.sync.walk import imgpkg_subject

if TYPE_CHECKING:
    from ocitui.core.verify import Policy

T = TypeVar("T")


class _Planner:
    def __init__(
        self, config: MirrorConfig, layout: Layout, connections: Connections, jobs: int
    ) -> None:
        self.config = config
        self.layout = layout
        self.connections = connections
        self.jobs = asyncio.Semaphore(max(1, jobs))
        self.requests = asyncio.Semaphore(max(4, 2 * jobs))
        self.names = {e.ref_name: e.digest for e in layout.tagged() if e.ref_name}

    async def _io(self, work: Awaitable[T]) -> T:
        async with self.requests:
            return await work

    async def image(self, entry: MirrorEntry) -> ImagePlan:
        async with self.jobs:
            image = ImagePlan(entry)
            try:
                client = self.connections.client(entry.settings)
                await self._plan(image, client)
            except OcituiError as exc:
                image.error = str(exc)
            return image

    async def _plan(self, image: ImagePlan, client: RegistryClient) -> None:
        entry = image.entry
        selection = entry.selection
        listed: list[str] = []
        try:
            listed = await self._io(client.list_tags(entry.source))
        except OcituiError as exc:
            if selection.needs_listing:
                raise OcituiError(f"cannot list the tags of {entry.source.name}: {exc}") from None
        else:
            image.listed = len(listed)
            image.known_tags = listed
        chosen = selection.select(listed)
        if not chosen:
            # skopeo logs "No refs to sync found" and exits 0; a mirror that silently
            # stages nothing for an entry is worse than a failed one.
            found = f"none of its {len(listed)} tags match" if listed else "it has no tags"
            raise OcituiError(f"{entry.source.name} selects nothing: {found}")
        plain = [t for t in chosen if not _is_digest(t) and _machine_subject(t) is None]
        heads = await asyncio.gather(*(self._head(client, entry, tag) for tag in plain))
        roots: dict[str, TagChoice] = {}
        for tag, choice in zip(plain, heads, strict=True):
            image.tags.append(choice)
            if choice.digest is not None:
                roots[f"{entry.source.name}:{tag}@{choice.digest}"] = choice
        for text in (t for t in chosen if _is_digest(t)):
            name = f"{entry.source.name}@{text}"
            choice = TagChoice(text, UNCHANGED if name in self.names else NEW, Digest.parse(text))
            image.tags.append(choice)
            roots[name] = choice
        plans = await self._plan_roots(client, image, roots)
        in_plan = {m.digest for p in plans for m in p.manifests}
        extra: dict[str, TagChoice] = {}
        for tag in (t for t in chosen if not _is_digest(t) and _machine_subject(t) is not None):
            subject = _machine_subject(tag)
            if subject in in_plan:
                image.tags.append(TagChoice(tag, COVERED, detail=f"comes with {subject}"))
            else:
                extra[str(entry.source.with_tag(tag))] = choice = TagChoice(tag, NEW)
                image.tags.append(choice)
        if extra:
            plans += await self._plan_roots(client, image, extra)
        if plans:
            image.plan = merge_plans(plans, entry.source.name, f"layout {self.layout.root}")
            if not entry.legacy_tags:
                drop_legacy(image.plan)

    async def _head(self, client: RegistryClient, entry: MirrorEntry, tag: str) -> TagChoice:
        try:
            found = await self._io(client.head_manifest(entry.source.with_tag(tag)))
        except OcituiError as exc:
            return TagChoice(tag, FAILED, detail=str(exc))
        if found is None:
            return TagChoice(tag, FAILED, detail="not found in the registry")
        before = self.names.get(str(entry.source.with_tag(tag)))
        state = NEW if before is None else UNCHANGED if before == found.digest else CHANGED
        return TagChoice(tag, state, found.digest)

    async def _plan_pull(self, client: RegistryClient, image: ImagePlan, refs: list[str]) -> Plan:
        known = None
        if image.known_tags is not None:
            known = {image.entry.source.name: image.known_tags}
        return await plan_pull(client, self.layout, refs, image.entry.filter, known_tags=known)

    async def _plan_roots(
        self, client: RegistryClient, image: ImagePlan, roots: dict[str, TagChoice]
    ) -> list[Plan]:
        if not roots:
            return []
        if len(roots) > 1:
            try:
                return [await self._plan_pull(client, image, list(roots))]
            except OcituiError:
                pass  # Find which roots fail, and why; plan the others.
        plans = []
        for text, choice in roots.items():
            try:
                plans.append(await self._plan_pull(client, image, [text]))
            except OcituiError as exc:
                choice.state, choice.detail = FAILED, str(exc)
        return plans


def _is_digest(text: str) -> bool:
    try:
        Digest.parse(text)
    except InvalidDigest:
        return False
    return True


def _machine_subject(tag: str) -> Digest | None:
    kind = machine_tag_kind(tag)
    if kind is None:
        return None
    return kind.subject if kind.subject is not None else imgpkg_subject(tag)


def drop_legacy(plan: Plan) -> None:
    """Leave cosign legacy ``.sig/.att/.sbom`` manifests (and blobs only they use) behind."""
    legacy = {m.digest: m for m in plan.manifests if m.role == "legacy"}
    if not legacy:
        return
    kept = [m for m in plan.manifests if m.digest not in legacy]
    used = {d for m in kept for d in m.blobs}
    sizes = {b.digest: b.descriptor.size for b in plan.blobs if b.digest not in used}
    for tag in [t for t in plan.tags if t.descriptor.digest in legacy]:
        plan.tags.remove(tag)
        own = legacy[tag.descriptor.digest].blobs
        size = tag.descriptor.size + sum(sizes.get(d, 0) for d in own)
        detail = f"{tag.name} (legacy-tags: false)"
        plan.left_behind.append(LeftBehind("legacy-tags", tag.descriptor, None, detail, size))
    plan.manifests = kept
    plan.blobs = [b for b in plan.blobs if b.digest in used]


async def plan_mirror(
    config: MirrorConfig, layout: Layout, connections: Connections, *, jobs: int = 4
) -> MirrorPlan:
    """The plan of every entry of ``config`` against ``layout`` (nothing is written)."""
    policies = load_policies(config)
    planner = _Planner(config, layout, connections, jobs)
    images = await asyncio.gather(*(planner.image(entry) for entry in config.entries))
    for image in images:
        if image.entry.verify_policy is not None:
            image.policy = policies[image.entry.verify_policy]
    return MirrorPlan(config, str(layout.root), list(images))


def load_policies(config: MirrorConfig) -> dict[str, Policy]:
    """Every verification policy the file names, read now (relative to the file), so a
    broken policy stops the run before anything moves."""
    from ocitui.core.verify.policy import load_policy

    out: dict[str, Policy] = {}
    for entry in config.entries:
        name = entry.verify_policy
        if name is not None and name not in out:
            path = Path(name)
            out[name] = load_policy(path if path.is_absolute() else Path(config.path).parent / path)
    return out


__all__ = ["drop_legacy", "load_policies", "plan_mirror"]

"""The sync operations the faces call: plan and run pull, push and copy.

>>> report = await pull(client, layout, ["registry.example.com/app:v1"], SyncFilter())

Every operation plans first (the plan is emitted as :class:`PlanReady`; ``dry_run`` stops
there), executes, verifies the destination, and emits :class:`Finished` with the report.
"""

from __future__ import annotations

from collections.abc import Sequence

from ocitui.core.errors import InvalidReference, SyncError
from ocitui.core.layout import Layout
from ocitui.core.reference import Reference, parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync.bundles import (
    BundleOptions,
    BundlePullTransfer,
    BundlePushTransfer,
    BundleWalker,
)
from ocitui.core.sync.events import EventSink, Finished, PlanReady, ignore
from ocitui.core.sync.execute import execute
from ocitui.core.sync.filters import SyncFilter
from ocitui.core.sync.gate import GatedTransfer, IndexGate
from ocitui.core.sync.plan import Plan
from ocitui.core.sync.report import SyncReport
from ocitui.core.sync.sides import LayoutSide, RegistrySide, Side
from ocitui.core.sync.transfers import Transfer
from ocitui.core.sync.verify import verify_destination
from ocitui.core.sync.walk import Route

#: A push item: the layout name to push and the destination reference.
PushItem = tuple[str, Reference]


def repository(ref: Reference) -> Reference:
    """``ref`` without tag or digest."""
    return Reference(ref.registry, ref.repository)


def root_tag(ref: Reference) -> str:
    """The tag a root is named with at the destination (a digest for digest-only refs)."""
    if ref.tag is not None:
        return ref.tag
    return str(ref.digest) if ref.digest is not None else "latest"


async def plan_pull(
    client: RegistryClient,
    layout: Layout,
    refs: Sequence[str],
    sync_filter: SyncFilter,
    *,
    concurrency: int = 8,
) -> Plan:
    """What pulling ``refs`` into ``layout`` would do."""
    plan = Plan(", ".join(refs), f"layout {layout.root}", sync_filter)
    walker = BundleWalker(
        RegistrySide(client, cache=layout), LayoutSide(layout), plan, concurrency=concurrency
    )
    for text in refs:
        ref = parse_reference(text)
        await walker.add_root(Route(repository(ref), repository(ref)), text, root_tag(ref))
    return walker.finish()


async def plan_push(
    layout: Layout,
    client: RegistryClient,
    items: Sequence[PushItem],
    sync_filter: SyncFilter,
    *,
    concurrency: int = 8,
    bundle_options: BundleOptions | None = None,
) -> Plan:
    """What pushing layout names to registries would do (refuses partial indexes)."""
    destinations = ", ".join(str(dest) for _, dest in items)
    plan = Plan(", ".join(text for text, _ in items), destinations, sync_filter)
    walker = BundleWalker(
        LayoutSide(layout),
        RegistrySide(client),
        plan,
        concurrency=concurrency,
        options=bundle_options,
    )
    for text, dest in items:
        entry = layout.resolve(text)
        try:
            source_repo = repository(parse_reference(entry.ref_name or ""))
        except InvalidReference:
            source_repo = repository(dest)
        if dest.tag is None and dest.digest is None:
            raise SyncError(f"destination {dest} needs a tag")
        await walker.add_root(Route(source_repo, repository(dest)), text, root_tag(dest))
    return walker.finish()


async def plan_copy(
    client: RegistryClient,
    layout: Layout,
    source: str,
    dest: str,
    sync_filter: SyncFilter,
    *,
    concurrency: int = 8,
    bundle_options: BundleOptions | None = None,
) -> Plan:
    """What ``copy`` would do, registry to registry (the layout is consulted as a cache)."""
    src, dst = parse_reference(source), parse_reference(dest)
    plan = Plan(source, dest, sync_filter)
    walker = BundleWalker(
        RegistrySide(client, cache=layout),
        RegistrySide(client),
        plan,
        concurrency=concurrency,
        options=bundle_options,
    )
    await walker.add_root(Route(repository(src), repository(dst)), source, root_tag(dst))
    return walker.finish()


async def _run(
    plan: Plan,
    transfer: Transfer,
    dest: Side,
    *,
    dry_run: bool,
    concurrency: int,
    emit: EventSink,
) -> SyncReport:
    emit(PlanReady(plan))
    if dry_run:
        report = SyncReport.for_plan(plan, dry_run=True)
    else:
        report, failed = await execute(plan, transfer, concurrency=concurrency, emit=emit)
        report.referrers_verified, report.missing = await verify_destination(
            plan, dest, failed, concurrency=concurrency
        )
    emit(Finished(report))
    return report


async def pull(
    client: RegistryClient,
    layout: Layout,
    refs: Sequence[str],
    sync_filter: SyncFilter | None = None,
    *,
    dry_run: bool = False,
    concurrency: int = 4,
    emit: EventSink = ignore,
    gate: IndexGate | None = None,
) -> SyncReport:
    """Registry -> layout, with everything attached (under ``sync_filter``); ``gate``:
    see :func:`run_pull`."""
    plan = await plan_pull(
        client, layout, refs, sync_filter or SyncFilter(), concurrency=max(concurrency, 8)
    )
    return await run_pull(
        client, layout, plan, dry_run=dry_run, concurrency=concurrency, emit=emit, gate=gate
    )


async def run_pull(
    client: RegistryClient,
    layout: Layout,
    plan: Plan,
    *,
    dry_run: bool = False,
    concurrency: int = 4,
    emit: EventSink = ignore,
    gate: IndexGate | None = None,
) -> SyncReport:
    """Carry out a plan made by :func:`plan_pull` (or several merged), then verify the layout.

    ``gate`` sees the entries about to be named once every byte is stored; when it
    raises, nothing is added to ``index.json`` and the report says why.
    """
    transfer: Transfer = BundlePullTransfer(client, layout)
    if gate is not None:
        transfer = GatedTransfer(transfer, layout, gate)
    return await _run(
        plan,
        transfer,
        LayoutSide(layout),
        dry_run=dry_run,
        concurrency=concurrency,
        emit=emit,
    )


async def push(
    layout: Layout,
    client: RegistryClient,
    items: Sequence[PushItem],
    sync_filter: SyncFilter | None = None,
    *,
    dry_run: bool = False,
    concurrency: int = 4,
    mount_from: Reference | None = None,
    emit: EventSink = ignore,
    bundle_options: BundleOptions | None = None,
) -> SyncReport:
    """Layout -> registry; ``mount_from`` lets same-registry blobs be mounted, not uploaded.

    Layout names are full references, so they say where content came from: pushing one
    name back to its own registry (another repository) mounts instead of uploading.
    """
    if mount_from is None and len(items) == 1:
        mount_from = _origin(items[0][0])
    plan = await plan_push(
        layout,
        client,
        items,
        sync_filter or SyncFilter(),
        concurrency=max(concurrency, 8),
        bundle_options=bundle_options,
    )
    return await _run(
        plan,
        BundlePushTransfer(layout, client, mount_from),
        RegistrySide(client),
        dry_run=dry_run,
        concurrency=concurrency,
        emit=emit,
    )


def _origin(layout_name: str) -> Reference | None:
    """The repository a layout name says its content came from, when it is a reference."""
    try:
        return repository(parse_reference(layout_name))
    except InvalidReference:
        return None


async def copy(
    client: RegistryClient,
    layout: Layout,
    source: str,
    dest: str,
    sync_filter: SyncFilter | None = None,
    *,
    dry_run: bool = False,
    concurrency: int = 4,
    emit: EventSink = ignore,
    bundle_options: BundleOptions | None = None,
) -> SyncReport:
    """Registry -> layout -> registry; the layout is the staging cache."""
    sync_filter = sync_filter or SyncFilter()
    if sync_filter.platforms:
        raise SyncError("copy takes every platform; pull with --platform, then push one by digest")
    if dry_run:
        plan = await plan_copy(
            client,
            layout,
            source,
            dest,
            sync_filter,
            concurrency=max(concurrency, 8),
            bundle_options=bundle_options,
        )
        emit(PlanReady(plan))
        report = SyncReport.for_plan(plan, dry_run=True)
        emit(Finished(report))
        return report
    pulled = await pull(client, layout, [source], sync_filter, concurrency=concurrency, emit=emit)
    if not pulled.ok:
        return pulled
    src = parse_reference(source)
    pushed = await push(
        layout,
        client,
        [(str(src), parse_reference(dest))],
        sync_filter,
        concurrency=concurrency,
        mount_from=repository(src),
        emit=emit,
        bundle_options=bundle_options,
    )
    return pulled.merge(pushed)

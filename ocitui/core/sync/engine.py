"""The sync operations the faces call: plan and run pull, push and copy.

>>> report = await pull(client, layout, ["registry.example.com/app:v1"], SyncFilter())

Each is one graph copy between two :class:`~ocitui.core.target.Target` values: a pull
copies a registry target into a layout target, a push the reverse, a copy goes through
the layout. Every operation plans first (``plan_pull``/``plan_push``/``plan_copy``; the
plan knows its targets), then :func:`run` executes that same plan, verifies the
destination, and emits :class:`Finished` with the report; ``dry_run`` stops after the plan.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Mapping, Sequence

from ocitui.core.errors import InvalidReference, SyncError
from ocitui.core.events import EventSink, Finished, PlanReady, ignore
from ocitui.core.layout import Layout
from ocitui.core.layout.gc import unreferenced
from ocitui.core.reference import Reference, parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync.bundles import BundleOptions, BundleWalker
from ocitui.core.sync.execute import execute
from ocitui.core.sync.filters import SyncFilter
from ocitui.core.sync.gate import GatedTransfer, IndexGate
from ocitui.core.sync.plan import Plan
from ocitui.core.sync.referrer_names import carry_referrer_names
from ocitui.core.sync.report import SyncReport
from ocitui.core.sync.transfers import CopyTransfer, Transfer
from ocitui.core.sync.verify import verify_destination
from ocitui.core.sync.walk import Route
from ocitui.core.target import LayoutTarget, RegistryTarget

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
    known_tags: Mapping[str, Collection[str]] | None = None,
) -> Plan:
    """What pulling ``refs`` into ``layout`` would do.

    ``known_tags`` (repository name -> its complete tag list, just fetched) saves the
    probes for legacy cosign tags and fallback referrer tags, and brings every
    ``<alg>-<hex>.imgpkg`` tag of the graph. Without it no tag is listed for imgpkg
    (see :mod:`ocitui.core.sync.walk`), and legacy and fallback tags are probed per
    manifest until a listing saves requests (see :mod:`ocitui.core.target.registry`).
    """
    plan = Plan(", ".join(refs), f"layout {layout.root}", sync_filter)
    source = RegistryTarget(client, cache=layout, known_tags=known_tags)
    walker = BundleWalker(
        source,
        LayoutTarget(layout),
        plan,
        concurrency=concurrency,
        list_tags=known_tags is not None,
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
    mount_from: Reference | None = None,
) -> Plan:
    """What pushing layout names to registries would do (refuses partial indexes).

    Blobs are mounted from ``mount_from`` (by default, for one name, the repository the
    name says it came from) when it is on the destination registry.
    """
    destinations = ", ".join(str(dest) for _, dest in items)
    plan = Plan(", ".join(text for text, _ in items), destinations, sync_filter)
    walker = BundleWalker(
        LayoutTarget(layout),
        RegistryTarget(client),
        plan,
        concurrency=concurrency,
        options=bundle_options,
        remark_in=layout,
    )
    roots = {layout.resolve(text).ref_name or text for text, _ in items}
    for text, dest in items:
        entry = layout.resolve(text)
        try:
            source_repo = repository(parse_reference(entry.ref_name or ""))
        except InvalidReference:
            source_repo = repository(dest)
        if dest.tag is None and dest.digest is None:
            raise SyncError(f"destination {dest} needs a tag")
        route = Route(source_repo, repository(dest))
        before = len(plan.manifests)
        await walker.add_root(route, text, root_tag(dest))
        new = plan.manifests[before:]
        await carry_referrer_names(
            walker, layout, route, root_name=entry.ref_name, nodes=new, roots=roots
        )
    plan = walker.finish()
    if mount_from is None and len(items) == 1:
        mount_from = _origin(items[0][0])
    plan.mount_from = mount_from
    return plan


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
        RegistryTarget(client, cache=layout),
        RegistryTarget(client),
        plan,
        concurrency=concurrency,
        options=bundle_options,
    )
    await walker.add_root(Route(repository(src), repository(dst)), source, root_tag(dst))
    return walker.finish()


async def run(
    plan: Plan,
    *,
    dry_run: bool = False,
    concurrency: int = 4,
    emit: EventSink = ignore,
    gate: IndexGate | None = None,
) -> SyncReport:
    """Carry out ``plan`` between the targets it was made for, then verify the destination.

    The TUI previews a plan and runs that same plan; nothing is planned twice. When the
    destination writes into a layout (``dest.local_store``), its write lease is held
    while it writes (gc removes nothing meanwhile), ``gate`` sees the entries about to be
    named once every byte is stored (when it raises, nothing is added to ``index.json``
    and the report says why), and a failed run reports the verified blobs it left there.
    """
    emit(PlanReady(plan))
    if dry_run:
        report = SyncReport.for_plan(plan, dry_run=True)
    else:
        source, dest = plan.source_target, plan.dest_target
        if source is None or dest is None:
            raise SyncError("this plan was not made by a walk over two targets")
        store = dest.local_store
        transfer: Transfer = CopyTransfer(source, dest, plan.mount_from)
        if gate is not None:
            if store is None:
                raise SyncError(f"a verification gate needs a layout destination, not {dest.label}")
            transfer = GatedTransfer(transfer, store, gate)
        with store.lease() if store is not None else contextlib.nullcontext():
            report, failed = await execute(plan, transfer, concurrency=concurrency, emit=emit)
        report.referrers_verified, report.missing = await verify_destination(
            plan, dest, failed, concurrency=concurrency
        )
        if not report.ok and store is not None:
            # Say honestly what a failed sync leaves: verified blobs nothing names.
            written = [b.descriptor for b in plan.blobs if not b.present]
            written += [m.descriptor for m in plan.manifests if not m.present]
            left = unreferenced(store, written)
            report.unreferenced_blobs, report.unreferenced_bytes = len(left), sum(left.values())
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
    see :func:`run`.

    The layout's write lease is held from the plan to the last index.json write, so gc
    never collects a blob this pull decided to reuse or has written but not named yet.
    """
    with contextlib.nullcontext() if dry_run else layout.lease():
        plan = await plan_pull(
            client, layout, refs, sync_filter or SyncFilter(), concurrency=max(concurrency, 8)
        )
        return await run(plan, dry_run=dry_run, concurrency=concurrency, emit=emit, gate=gate)


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
    plan = await plan_push(
        layout,
        client,
        items,
        sync_filter or SyncFilter(),
        concurrency=max(concurrency, 8),
        bundle_options=bundle_options,
        mount_from=mount_from,
    )
    return await run(plan, dry_run=dry_run, concurrency=concurrency, emit=emit)


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
        return await run(plan, dry_run=True, emit=emit)
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

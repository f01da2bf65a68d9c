"""Run a mirror file: plan everything, stage it in the layout, optionally push it on.

>>> report = await mirror(config, layout, connections, push_client=None)

1. :func:`~ocitui.core.mirror.planner.plan_mirror` plans every entry (emitted as
   :class:`MirrorPlanReady`); ``dry_run`` stops after printing the sync plan.
2. The images' plans are merged and executed by the sync engine
   (:func:`~ocitui.core.sync.run`, registry target -> layout target), one run per set
   of connection settings (usually one), with the engine's bounded blob concurrency: blobs of all images share one pool, a blob two images need moves once, and
   a failure skips only what depends on it. The engine then verifies the layout.
3. With ``push_client``, each staged image goes to its destination repository through the
   push engine (:func:`push`), referrers included, ``jobs`` images at a time.
4. :class:`MirrorFinished` carries the :class:`MirrorReport`.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import TYPE_CHECKING

from ocitui.core.errors import OcituiError
from ocitui.core.layout import Layout
from ocitui.core.mirror.config import MirrorConfig, MirrorEntry
from ocitui.core.mirror.connect import Connections
from ocitui.core.mirror.plan import ImagePlan, MirrorPlan, merge_plans
from ocitui.core.mirror.planner import plan_mirror
from ocitui.core.mirror.report import (
    ImageReport,
    MirrorFinished,
    MirrorPlanReady,
    MirrorReport,
    Tracker,
    image_reports,
)
from ocitui.core.reference import Reference, parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import (
    Event,
    EventSink,
    Finished,
    PlanReady,
    PushItem,
    SyncFilter,
    SyncReport,
    push,
    run,
)
from ocitui.core.target import LayoutTarget, RegistryTarget

if TYPE_CHECKING:
    from ocitui.core.verify import VerifyReport
    from ocitui.core.verify.gate import VerifyGate


def _ignore(_event: Event) -> None:
    return None


def destination_of(entry: MirrorEntry, push_to: str | None) -> Reference | None:
    """Where ``--push`` sends an entry: ``--to PREFIX`` + its path, else the file's mapping."""
    if push_to:
        return parse_reference(f"{push_to.rstrip('/')}/{entry.source.repository}", default_tag=None)
    return entry.destination


async def stage(
    plan: MirrorPlan,
    layout: Layout,
    connections: Connections,
    *,
    dry_run: bool,
    concurrency: int,
    emit: EventSink,
) -> tuple[SyncReport | None, dict[int, VerifyReport]]:
    """Execute the plans of ``plan``: the joined report, and verdicts by image index.

    Images without a policy share one engine run per client. An image with a policy runs
    alone behind a verification gate, so a refusal leaves only its names unwritten; its
    names staged by an earlier run are verified too. Runs go one after the other: two
    runs never download the same blob at once.
    """
    groups: dict[tuple[tuple[bool | None, str | None], int], list[int]] = defaultdict(list)
    for i, image in enumerate(plan.images):
        if image.plan is not None:
            alone = i if image.policy is not None else -1
            groups[(connections.key(image.entry.settings), alone)].append(i)
    report: SyncReport | None = None
    verdicts: dict[int, VerifyReport] = {}
    for (_, alone), members in groups.items():
        images = [plan.images[i] for i in members]
        merged = merge_plans(
            [i.plan for i in images if i.plan is not None],
            plan.config.path,
            f"layout {layout.root}",
        )
        gate = _gate(images[0]) if alone >= 0 else None
        client = connections.client(images[0].entry.settings)
        merged.source_target = RegistryTarget(client, cache=layout)
        merged.dest_target = LayoutTarget(layout)
        done = await run(
            merged,
            dry_run=dry_run,
            concurrency=concurrency,
            emit=emit,
            gate=gate,
        )
        report = done if report is None else report.merge(done)
        if gate is not None and not dry_run:
            verdicts[members[0]] = _verdicts(images[0], layout, gate)
    return report, verdicts


def _gate(image: ImagePlan) -> VerifyGate:
    from ocitui.core.verify.gate import VerifyGate

    assert image.policy is not None
    return VerifyGate(image.policy, image.entry.filter.platforms)


def _verdicts(image: ImagePlan, layout: Layout, gate: VerifyGate) -> VerifyReport:
    """What the gate decided, plus a check of the image's names that were already staged."""
    from ocitui.core.verify import VerifyReport, verify_refs

    assert image.plan is not None and image.policy is not None
    found = list(gate.report.images) if gate.report is not None else []
    before = [t.name for t in image.plan.roots if t.present]
    if before:
        again = verify_refs(layout, before, image.policy, platforms=image.entry.filter.platforms)
        found += again.images
    return VerifyReport(tuple(found))


async def deliver(
    plan: MirrorPlan,
    reports: list[ImageReport],
    layout: Layout,
    client: RegistryClient,
    *,
    push_to: str | None,
    jobs: int,
    concurrency: int,
    emit: EventSink,
) -> None:
    """Push every staged image to its destination (failures land in its report)."""
    limit = asyncio.Semaphore(max(1, jobs))

    def progress(event: Event) -> None:
        if not isinstance(event, (PlanReady, Finished)):
            emit(event)  # The mirror report sums the push up; per-image plans would be noise.

    async def one(image: ImagePlan, report: ImageReport) -> None:
        dest = destination_of(image.entry, push_to)
        if dest is None:
            report.failed.append("push: no destination (give --to or 'destination' in the file)")
            return
        staged = [*report.copied, *report.skipped]
        items: list[PushItem] = [
            (name, _at(dest, name)) for name in staged if _is_root(image, name)
        ]
        if not items:
            return
        report.pushed_to = dest.name
        sync_filter = SyncFilter(
            artifact_types=image.entry.filter.artifact_types,
            exclude_artifact_types=image.entry.filter.exclude_artifact_types,
            referrers=image.entry.filter.referrers,
        )
        async with limit:
            try:
                report.push = await push(
                    layout, client, items, sync_filter, concurrency=concurrency, emit=progress
                )
            except OcituiError as exc:
                report.failed.append(f"push to {dest.name}: {exc}")

    await asyncio.gather(*(one(i, r) for i, r in zip(plan.images, reports, strict=True)))


def _is_root(image: ImagePlan, name: str) -> bool:
    """True for names of the image's selected roots (machine tags travel with them)."""
    assert image.plan is not None
    return any(root.name == name for root in image.plan.roots)


def _at(dest: Reference, name: str) -> Reference:
    ref = parse_reference(name)
    if ref.tag is not None:
        return dest.with_tag(ref.tag)
    return dest.with_digest(ref.digest)


async def mirror(
    config: MirrorConfig,
    layout: Layout,
    connections: Connections,
    *,
    dry_run: bool = False,
    jobs: int = 4,
    concurrency: int = 4,
    push_client: RegistryClient | None = None,
    push_to: str | None = None,
    emit: EventSink = _ignore,
) -> MirrorReport:
    """Plan, stage and (with ``push_client``) deliver everything ``config`` selects."""
    plan = await plan_mirror(config, layout, connections, jobs=jobs)
    emit(MirrorPlanReady(plan))
    tracker = Tracker(emit)
    staging, verdicts = await stage(
        plan, layout, connections, dry_run=dry_run, concurrency=concurrency, emit=tracker
    )
    reports = image_reports(plan, None if dry_run else tracker, verdicts)
    if push_client is not None and not dry_run:
        await deliver(
            plan,
            reports,
            layout,
            push_client,
            push_to=push_to,
            jobs=jobs,
            concurrency=concurrency,
            emit=emit,
        )
    report = MirrorReport(config.path, dry_run, reports, staging)
    emit(MirrorFinished(report))
    return report


__all__ = ["deliver", "destination_of", "mirror", "stage"]

"""Sync pane: plan preview then push to the loopback fake registry; progress and report."""

from __future__ import annotations

import re
from collections.abc import Callable

from syrupy.assertion import SnapshotAssertion
from textual.widgets import Static

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor
from ocitui.core.sync import (
    BlobDone,
    BlobProgress,
    BlobStarted,
    Finished,
    Plan,
    PlanBlob,
    PlanReady,
    SyncFilter,
    SyncReport,
)
from ocitui.tui.app import OcituiApp
from ocitui.tui.screens.sync import SyncScreen
from ocitui.tui.widgets.layout_tree import LayoutTreeView
from tests.tui.conftest import open_sync, plain_text, settle, toasts
from tests.tui.loopback import REGISTRY, RegistryRig

APP10 = "registry.example.com/demo/app:1.0"


def body_text(screen: SyncScreen) -> str:
    """What the output area shows, as plain text."""
    return plain_text(screen.query_one("#sync-body", Static).content)


async def test_push_plan_then_run_to_fake_registry(
    sample_layout: Layout, registry_rig: Callable[..., RegistryRig]
) -> None:
    rig = registry_rig()
    app = rig.app(sample_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.screen.query_one(LayoutTreeView).select_name(APP10)
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        assert screen.query_one("#sync-ref").value == APP10  # type: ignore[attr-defined]
        await pilot.press("ctrl+o")
        assert screen.direction == "push"
        screen.query_one("#sync-dest").value = f"{REGISTRY}/demo/app:1.0"  # type: ignore[attr-defined]
        await pilot.press("ctrl+l")
        await settle(pilot)
        text = body_text(screen)
        assert "Plan (nothing copied yet)" in text and "already there" in text
        assert rig.registry.requests  # the plan asked the registry what it has
        await pilot.press("ctrl+g")
        await settle(pilot)
        report = screen.progress.report
        assert report is not None and report.ok and report.blobs_copied > 0
        assert "Report" in body_text(screen)
        # A second plan finds everything already there.
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert re.search(r"copy\s+0 blobs", body_text(screen))


async def test_sync_errors_become_notifications(
    sample_layout: Layout, registry_rig: Callable[..., RegistryRig]
) -> None:
    app = registry_rig().app(sample_layout)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_sync(app, pilot)
        screen.query_one("#sync-ref").value = "Not A Ref!!"  # type: ignore[attr-defined]
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert toasts(app)
        assert app.current_mode == "sync"


def fixed_plan() -> Plan:
    """A plan with fixed names and digests (for stable screenshots)."""
    plan = Plan("registry.example.com/demo/app:1.0", "layout demo", SyncFilter())
    for i, (size, present) in enumerate([(4_200_000, False), (1_300_000, False), (900, True)]):
        desc = Descriptor(mt.OCI_LAYER_GZIP, Digest("sha256", f"{i:x}" * 64), size)
        plan.blobs.append(PlanBlob(desc, None, None, present))
    return plan


async def test_snapshot_sync_plan(
    sample_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    from ocitui.core.views_sync import plan_rows

    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_sync(app, pilot)
        screen.query_one("#sync-ref").value = "registry.example.com/demo/app:1.0"  # type: ignore[attr-defined]
        screen.show_plan(plan_rows(fixed_plan()))
        await settle(pilot)
        assert app.export_screenshot() == svg_snapshot


async def test_snapshot_sync_progress_then_report(
    sample_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_sync(app, pilot)
        ticks = iter([0.0, 0.5, 1.0, 1.5, 2.0, 2.5])
        screen.clock = lambda: next(ticks)
        plan = fixed_plan()
        first, second = (b.descriptor for b in plan.blobs[:2])
        screen.query_one("#sync-bar").display = True
        for event in (
            PlanReady(plan),
            BlobStarted(str(first.digest), first.size, 0, first.media_type),
            BlobProgress(str(first.digest), first.size, first.size),
            BlobDone(str(first.digest), first.size, "downloaded"),
            BlobStarted(str(second.digest), second.size, 0, second.media_type),
            BlobProgress(str(second.digest), 650_000, second.size),
        ):
            screen.apply_event(event)
        await settle(pilot)
        assert screen.progress.moved_bytes == first.size + 650_000
        assert screen.progress.throughput() == (first.size + 650_000) / 2.5
        assert app.export_screenshot() == svg_snapshot(name="progress")
        report = SyncReport(
            plan.source,
            plan.destination,
            blobs_copied=2,
            bytes_copied=5_500_000,
            blobs_skipped=1,
            bytes_skipped=900,
            manifests_written=3,
            tags_written=1,
            referrers_verified=2,
        )
        screen.clock = lambda: 3.0
        screen.apply_event(Finished(report))
        await settle(pilot)
        assert "Report" in body_text(screen) and "5.2 MiB" in body_text(screen)
        assert app.export_screenshot() == svg_snapshot(name="report")

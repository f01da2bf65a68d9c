"""The sync pane runs the plan it previewed: ``ctrl+l`` plans once, ``ctrl+g`` runs that
plan (no second walk); a changed form plans afresh."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ocitui.core.layout import Layout
from ocitui.tui.screens import sync as sync_screen
from ocitui.tui.screens.sync import SyncScreen
from ocitui.tui.widgets.layout_tree import LayoutTreeView
from tests.tui.conftest import settle
from tests.tui.loopback import REGISTRY, SAMPLE_APP, RegistryRig


async def test_run_uses_the_previewed_plan(
    sample_layout: Layout,
    registry_rig: Callable[..., RegistryRig],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    walks: list[str] = []
    real = sync_screen.plan_push

    async def counted(*args: Any, **kwargs: Any) -> Any:
        walks.append("push")
        return await real(*args, **kwargs)

    monkeypatch.setattr(sync_screen, "plan_push", counted)
    app = registry_rig().app(sample_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.screen.query_one(LayoutTreeView).select_name(SAMPLE_APP)
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        await pilot.press("ctrl+o")
        screen.query_one("#sync-dest").value = f"{REGISTRY}/demo/app:1.0"  # type: ignore[attr-defined]
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert walks == ["push"]
        await pilot.press("ctrl+g")
        await settle(pilot)
        report = screen.progress.report
        assert report is not None and report.ok and report.blobs_copied > 0
        assert walks == ["push"]  # ran the previewed plan, did not walk again
        screen.query_one("#sync-dest").value = f"{REGISTRY}/demo/other:1.0"  # type: ignore[attr-defined]
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert walks == ["push", "push"]  # no preview of this form: planned, then run

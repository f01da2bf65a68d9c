"""SVG gallery of the panes (under the top-level ``snapshots/``), at fixed sizes.

Stable by construction: layouts opened by relative path, no user config, NO_COLOR (set by
the shared autouse fixture), workers settled before every shot. Update with
``pytest tests/tui --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Callable

from syrupy.assertion import SnapshotAssertion
from textual.widgets import Input

from ocitui.core.layout import Layout
from ocitui.tui.app import OcituiApp
from ocitui.tui.widgets.layout_tree import LayoutTreeView
from tests.tui.conftest import settle

APP10 = "registry.example.com/demo/app:1.0"
APP11 = "registry.example.com/demo/app:1.1"


async def test_snapshot_browse_demo(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(LayoutTreeView)
        tree.select_name(APP10)
        await settle(pilot)  # the cursor's move lands before the key
        await pilot.press("l")
        await settle(pilot)
        assert app.export_screenshot() == svg_snapshot


async def test_snapshot_browse_80x24(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.export_screenshot() == svg_snapshot


async def test_snapshot_detail_manifest_tab(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.export_screenshot() == svg_snapshot


async def test_snapshot_detail_layers_tab(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(LayoutTreeView)
        tree.select_name(APP10)
        await settle(pilot)  # the cursor's move lands before the key
        await pilot.press("l", "j")  # the amd64 manifest
        await pilot.press(*["right_square_bracket"] * 3)
        await settle(pilot)
        assert app.export_screenshot() == svg_snapshot


async def test_snapshot_referrers(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.screen.query_one(LayoutTreeView).select_name(APP10)
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.export_screenshot() == svg_snapshot


async def test_snapshot_diff(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(LayoutTreeView)
        tree.select_name(APP10)
        await settle(pilot)
        await pilot.press("m")
        tree.select_name(APP11)
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert app.export_screenshot() == svg_snapshot


async def test_snapshot_help(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.export_screenshot() == svg_snapshot


async def test_snapshot_palette(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        # The palette's cursor blinks every 0.5 s: a screenshot taken late on a loaded
        # machine caught it off. Steady, it is on after the last keypress.
        app.screen.query_one(Input).cursor_blink = False
        await pilot.press(*"referrers of")
        await settle(pilot)
        assert app.export_screenshot() == svg_snapshot


async def test_snapshot_error(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("#files").value = "missing-file.json"  # type: ignore[attr-defined]
        app.screen.query_one("#files").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.export_screenshot() == svg_snapshot

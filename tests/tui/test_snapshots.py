"""SVG gallery of the panes (under the top-level ``snapshots/``), at fixed sizes.

Stable by construction: layouts opened by relative path, no user config, NO_COLOR (set by
the shared autouse fixture), workers settled before every shot (:func:`shot`). Update
with ``pytest tests/tui --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from syrupy.assertion import SnapshotAssertion
from textual.pilot import Pilot
from textual.widgets import Input

from ocitui.core.layout import Layout
from ocitui.tui.app import OcituiApp
from ocitui.tui.widgets.layout_tree import LayoutTreeView
from tests.tui.conftest import settle

APP10 = "registry.example.com/demo/app:1.0"
APP11 = "registry.example.com/demo/app:1.1"

Step = Callable[[OcituiApp, Pilot[int]], Awaitable[None]]


async def select(pilot: Pilot[int], name: str) -> None:
    """Put Browse's cursor on the tag ``name``; settled, so a key acts on the new cursor."""
    assert pilot.app.screen.query_one(LayoutTreeView).select_name(name)
    await settle(pilot)


async def shot(
    app: OcituiApp,
    *,
    size: tuple[int, int] = (100, 30),
    at: str | None = None,
    keys: Sequence[str] = (),
    then: Step | None = None,
    notifications: bool = False,
) -> str:
    """The screenshot after: start, settle, the cursor on ``at``, ``keys``, ``then``,
    each followed by a settle."""
    async with app.run_test(size=size, notifications=notifications) as pilot:
        await settle(pilot)
        if at is not None:
            await select(pilot, at)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        if then is not None:
            await then(app, pilot)
            await settle(pilot)
        return app.export_screenshot()


async def test_snapshot_browse_demo(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    assert await shot(make_app(demo_layout), at=APP10, keys=["l"]) == svg_snapshot


async def test_snapshot_browse_80x24(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    assert await shot(make_app(demo_layout), size=(80, 24)) == svg_snapshot


async def test_snapshot_detail_manifest_tab(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    assert await shot(make_app(demo_layout), keys=["right_square_bracket"]) == svg_snapshot


async def test_snapshot_detail_layers_tab(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    # The amd64 manifest, then three tabs on.
    keys = ["l", "j", *["right_square_bracket"] * 3]
    assert await shot(make_app(demo_layout), at=APP10, keys=keys) == svg_snapshot


async def test_snapshot_referrers(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    assert await shot(make_app(demo_layout), at=APP10, keys=["r"]) == svg_snapshot


async def test_snapshot_diff(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    async def with_app11(app: OcituiApp, pilot: Pilot[int]) -> None:
        await select(pilot, APP11)
        await pilot.press("d")

    assert await shot(make_app(demo_layout), at=APP10, keys=["m"], then=with_app11) == svg_snapshot


async def test_snapshot_help(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    assert await shot(make_app(demo_layout), keys=["question_mark"]) == svg_snapshot


async def test_snapshot_palette(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    async def type_query(app: OcituiApp, pilot: Pilot[int]) -> None:
        # The palette's cursor blinks every 0.5 s: a screenshot taken late on a loaded
        # machine caught it off. Steady, it is on after the last keypress.
        app.screen.query_one(Input).cursor_blink = False
        await pilot.press(*"referrers of")

    assert await shot(make_app(demo_layout), keys=["ctrl+p"], then=type_query) == svg_snapshot


async def test_snapshot_error(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    async def attach_missing(app: OcituiApp, pilot: Pilot[int]) -> None:
        field = app.screen.query_one("#files", Input)
        field.value = "missing-file.json"
        field.focus()
        await pilot.press("enter")

    app = make_app(demo_layout)
    assert await shot(app, keys=["a"], then=attach_missing, notifications=True) == svg_snapshot

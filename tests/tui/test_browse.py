"""Browse pane: the grouped tree, machine tags under images, detail tabs, filter, mark."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rich.syntax import Syntax
from textual.widgets import Input, Static

from ocitui.core.layout import Layout
from ocitui.tui.app import OcituiApp
from ocitui.tui.screens.browse import BrowseScreen
from ocitui.tui.widgets.detail import DetailPane
from ocitui.tui.widgets.layout_tree import LayoutTreeView
from tests.tui.conftest import settle


def labels(tree: LayoutTreeView) -> list[str]:
    """Every visible node label, depth-first."""
    out: list[str] = []
    stack = list(reversed(tree.root.children))
    while stack:
        node = stack.pop()
        out.append(str(node.label))
        if node.is_expanded:
            stack.extend(reversed(node.children))
    return out


async def test_tree_groups_registry_repository_tag(
    sample_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, BrowseScreen)
        tree = app.screen.query_one(LayoutTreeView)
        shown = labels(tree)
        assert shown[0] == "docker.io"
        assert "registry.example.com" in shown
        assert any(s.startswith("1.0  index · 2 plat · 2 ref") for s in shown)
        # Machine tags and untagged referrers are not top-level clutter.
        assert not any(s.startswith("sha256-") for s in shown)
        assert not any("(untagged)" in s for s in shown)
        # The cursor starts on the first tag and the detail pane describes it.
        assert app.selection is not None and app.selection.name.endswith("alpine:3.20")


async def test_expanding_a_tag_shows_platforms_referrers_and_machine_tags(
    sample_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(LayoutTreeView)
        assert tree.select_name("registry.example.com/demo/app:1.0")
        await pilot.press("l")
        await settle(pilot)
        node = tree.cursor_node
        assert node is not None
        kinds = [c.data.kind for c in node.children if c.data]
        assert kinds == ["platform", "platform", "referrer", "referrer", "machine"]
        assert str(node.children[0].label).startswith("linux/amd64 @")
        # The legacy cosign tag reads as what it is, not as "image".
        assert str(node.children[-1].label) == "↳ cosign signature (legacy .sig tag)"
        # The SBOM's own signature is one level deeper (referrers recursively).
        await pilot.press("l", "j", "j", "l")
        await settle(pilot)
        sbom = node.children[2]
        assert sbom.is_expanded and [c.data.kind for c in sbom.children if c.data] == ["referrer"]
        # h steps back out to the parent.
        await pilot.press("h", "h")
        assert tree.cursor_node is node


async def test_detail_tabs_cycle_and_show_manifest_json(
    sample_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(DetailPane)
        assert pane.active_tab == "summary"
        await pilot.press("right_square_bracket")
        assert pane.active_tab == "manifest"
        body = pane.query_one("#body-manifest", Static).content
        assert isinstance(body, Syntax) and '"schemaVersion": 2' in body.code
        for _ in range(5):
            await pilot.press("right_square_bracket")
        assert pane.active_tab == "summary"
        await pilot.press("left_square_bracket")
        assert pane.active_tab == "referrers"


async def test_the_tab_underline_is_under_the_active_tab_after_a_relabel(
    sample_layout: Layout, make_app: Callable[..., OcituiApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Resizing relabels the tabs (Summary <-> Info). Textual moves the underline in an
    after-refresh callback that may run before the relabel's layout (timing: seen on a
    loaded machine as "Summary"'s underline under "Info"). Here Textual's move never
    happens at all; the pane still puts the underline under the active tab's label."""
    from textual.widgets import Tabs
    from textual.widgets._tabs import Underline

    app = make_app(sample_layout)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(DetailPane)
        tabs = pane.tabs.query_one(Tabs)
        underline = tabs.query_one(Underline)

        def under_active() -> bool:
            active = tabs.active_tab
            assert active is not None
            span = active.virtual_region.shrink(active.styles.gutter).column_span
            return (underline.highlight_start, underline.highlight_end) == span

        assert str(tabs.active_tab.label) == "Summary" and under_active()  # type: ignore[union-attr]
        monkeypatch.setattr(Tabs, "_highlight_active", lambda self, animate=True: None)
        for size, label in (((80, 24), "Info"), ((140, 30), "Summary"), ((80, 24), "Info")):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert str(tabs.active_tab.label) == label  # type: ignore[union-attr]
            assert under_active(), (label, underline.highlight_start, underline.highlight_end)


async def test_filter_narrows_then_escape_restores(
    sample_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(LayoutTreeView)
        before = labels(tree)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"imgpkg")
        await settle(pilot)
        narrowed = labels(tree)
        assert any(s.startswith("demo/bundle") for s in narrowed)
        assert not any(s.startswith("demo/app") for s in narrowed)
        assert "docker.io" not in narrowed
        await pilot.press("enter")
        assert app.focused is tree
        await pilot.press("escape")
        await settle(pilot)
        assert labels(tree) == before


async def test_the_tree_follows_the_filter_in_the_same_step_as_the_edit(
    sample_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    """An edit of the filter's text narrows the tree before the edit returns (no message
    handled later): the frame that paints the letter paints the filtered tree."""
    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(LayoutTreeView)
        before = labels(tree)
        await pilot.press("slash")
        field = app.screen.query_one("#filter", Input)
        field.insert_text_at_cursor("imgpkg")  # No await: nothing else has run since.
        narrowed = labels(tree)
        assert any(s.startswith("demo/bundle") for s in narrowed)
        assert not any(s.startswith("demo/app") for s in narrowed)
        field.value = ""
        assert labels(tree) == before
        field.value = "/"  # The key that opened the filter, delivered again: dropped.
        assert field.value == "" and labels(tree) == before


async def test_mark_then_refresh_keeps_mark(
    sample_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        assert app.mark is not None and app.mark.name.endswith("alpine:3.20")
        await pilot.press("R")
        await settle(pilot)
        assert app.mark is not None
        status = str(app.screen.query_one("#status").render())
        assert "mark: docker.io/library/alpine:3.20" in status
        assert status.startswith("sample  4 tags")


async def test_actions_on_a_group_warn_instead_of_failing(
    sample_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("g")  # top: the registry group, which names no content
        await pilot.press("m", "d", "a")
        assert app.mark is None
        assert all(n.severity == "warning" for n in app._notifications)
        assert len(app._notifications) >= 1


async def test_digits_switch_panes(
    sample_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for key, mode in (("2", "referrers"), ("3", "diff"), ("4", "sync"), ("1", "browse")):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode

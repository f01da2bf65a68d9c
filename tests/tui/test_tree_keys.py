"""What keeps Browse's keys cheap must not change what they show: the tree's label
widths measured without rendering, and the detail pane's skipped re-clearing."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Static, Tree

from ocitui.core.layout import Layout
from ocitui.core.views_detail import load_detail
from ocitui.tui.app import OcituiApp
from ocitui.tui.widgets.detail import TABS, DetailPane
from ocitui.tui.widgets.layout_tree import LayoutTreeView
from tests.tui.conftest import plain_text, settle


async def test_label_width_is_the_rendered_width(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(LayoutTreeView)
        for node in tree.built_nodes():  # Open everything: expanded, closed and leaves.
            if node.allow_expand:
                node.expand()
        await settle(pilot)
        for _ in range(3):
            for node in tree.built_nodes():
                if node.allow_expand:
                    node.expand()
            await settle(pilot)
        nodes = tree.built_nodes()
        assert any(n.allow_expand and n.is_expanded for n in nodes)
        assert any(not n.allow_expand for n in nodes)
        nodes[0].collapse()
        assert any(n.allow_expand and not n.is_expanded for n in tree.built_nodes() + nodes)
        for node in nodes:
            assert tree.get_label_width(node) == Tree.get_label_width(tree, node), node.label


def bodies(pane: DetailPane) -> list[str]:
    return [plain_text(pane.query_one(f"#body-{tab}", Static).render()) for tab in TABS]


async def test_detail_pane_clears_after_a_detail_and_with_another_note(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(DetailPane)
        pane.show(None, [])
        pane.show(None, [])
        assert all("Select a tag." in text for text in bodies(pane))
        desc = demo_layout.resolve("registry.example.com/demo/app:1.0")
        pane.show(load_detail(demo_layout, desc), [])
        await pilot.pause()
        assert "Select a tag." not in bodies(pane)[0]
        pane.show(None, [])  # After a detail, clearing clears.
        await pilot.pause()
        assert all("Select a tag." in text for text in bodies(pane))
        pane.show(None, [], "Something else.")  # Another note replaces the first.
        await pilot.pause()
        assert all("Something else." in text for text in bodies(pane))


async def test_a_word_typed_in_one_burst_after_slash_lands_in_the_filter_whole(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    """Keys arriving together (a fast typist, a paste, tmux send-keys) are all queued
    before ``/`` is handled: none may go to the tree (``s`` would open Sync)."""
    from textual import events
    from textual.widgets import Input

    from ocitui.tui.screens.browse import BrowseScreen

    app = make_app(demo_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        word = "registry.example.com/demo/app:1.1"  # s (Sync), r, x, d, m, a: all bound.
        for char in "/" + word:
            key = {"/": "slash", ".": "full_stop", ":": "colon"}.get(char, char)
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert isinstance(app.screen, BrowseScreen)
        field = app.screen.query_one("#filter", Input)
        assert field.value == word  # The second "/" too: in the filter it is text.
        tree = app.screen.query_one(LayoutTreeView)
        tags = [n.data.name for n in tree.built_nodes() if n.data and n.data.kind == "tag"]
        assert tags == ["registry.example.com/demo/app:1.1"]

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

"""The Registry pane's tree is built a page at a time, as Browse's is (shared
:class:`~ocitui.tui.widgets.tree_window.WindowTree`), so a filter keystroke on a catalog of
thousands of repositories builds a page, and one that keeps what is shown builds nothing."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input

from ocitui.core.layout import Layout
from ocitui.core.views_registry import Catalog
from ocitui.tui.app import OcituiApp
from ocitui.tui.screens.registry import RegistryScreen, RegistryTree, remote_of
from ocitui.tui.widgets.tree_window import PAGE
from tests.tui.conftest import settle

N = 2500


def labels(tree: RegistryTree) -> list[str]:
    return [str(node.label) for node in tree.root.children]


async def test_a_big_catalog_builds_a_page_and_the_filter_keeps_to_pages(
    empty_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(empty_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RegistryScreen)
        # As the catalog's worker would leave it (the network part is tested elsewhere).
        screen.catalog = Catalog("registry.test", tuple(f"team/app{i:04}" for i in range(N)))
        screen._rebuild()
        tree = screen.query_one(RegistryTree)
        assert len(tree.root.children) == PAGE + 1
        assert labels(tree)[-1] == f"… {N - PAGE:,} more repositories"
        # The cursor reaching "more" builds the next page in its place.
        tree.focus()
        tree.cursor_to(tree.root.children[-1])
        await settle(pilot)
        assert len(tree.root.children) == 2 * PAGE + 1
        moved = remote_of(tree.cursor_node)
        assert moved is not None and moved.name == f"team/app{PAGE:04}"

        field = screen.query_one("#registry-filter", Input)
        before = list(tree.root.children)
        field.value = "team"  # Keeps every repository: the tree is left as it is.
        await settle(pilot)
        assert list(tree.root.children) == before
        field.value = "app1"  # app1000..app1999
        await settle(pilot)
        assert len(tree.root.children) == PAGE + 1
        assert labels(tree)[0] == "team/app1000"
        assert labels(tree)[-1] == "… 900 more repositories"
        field.value = "app12"  # app1200..app1299: one page, nothing more
        await settle(pilot)
        assert labels(tree) == [f"team/app{i}" for i in range(1200, 1300)]
        field.value = "app1234"
        await settle(pilot)
        assert labels(tree) == ["team/app1234"]
        field.value = "nothing-like-it"
        await settle(pilot)
        assert labels(tree) == ["No matches for 'nothing-like-it'."]

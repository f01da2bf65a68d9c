"""Browse on a big layout: the tree is built lazily (node counts, not timings), loads
behind a loading indicator, filters into a deep page, and keeps the cursor on reload."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from textual.widgets import Input

from bench.synth import make_layout
from ocitui.core.layout import Layout
from ocitui.core.views_locate import Location
from ocitui.tui.app import OcituiApp
from ocitui.tui.widgets.layout_tree import LayoutTreeView
from ocitui.tui.widgets.status import StatusLine
from ocitui.tui.widgets.tree_pages import PAGE
from tests.tui.conftest import settle, until

#: 2,000 images (each with a referrer: 4,000 entries) in two repositories of 1,000 tags.
IMAGES = 2000
REPOS = ("registry.example.com/big0/app", "registry.example.com/big1/app")


@pytest.fixture(scope="module")
def big_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("big") / "layout"
    assert make_layout(root, IMAGES, repositories=len(REPOS)) == 2 * IMAGES
    return root


@pytest.fixture
def big_layout(big_dir: Path) -> Layout:
    return Layout.open(big_dir)


def hold_the_tree(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Make Browse's model wait (up to 20 s) until the returned event is set."""
    import ocitui.tui.screens.browse_load as loader

    release = threading.Event()
    real = loader.build_tree

    def held(layout: Layout) -> object:
        release.wait(20)
        return real(layout)

    monkeypatch.setattr(loader, "build_tree", held)
    return release


def tree_of(app: OcituiApp) -> LayoutTreeView:
    return app.screen.query_one(LayoutTreeView)


def tag_names(tree: LayoutTreeView) -> list[str]:
    return [n.data.name for n in tree.built_nodes() if n.data is not None and n.data.kind == "tag"]


async def test_start_builds_the_repositories_only(
    big_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(big_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        # One registry and its two repositories, closed: none of the 2,000 tags.
        assert tree.built_count == 3
        assert tag_names(tree) == []
        node = tree.cursor_node
        assert node is not None and node.data is not None
        assert (node.data.kind, node.data.name) == ("repository", REPOS[0])
        assert "1000 tags" in str(node.label)

        await pilot.press("l")  # Open the first repository: one page of tags.
        await settle(pilot)
        assert len(tag_names(tree)) == PAGE
        last = node.children[-1]
        assert last.data is not None and last.data.kind == "more"
        assert str(last.label) == f"… {1000 - PAGE:,} more tags"

        # Walking onto the "more" node builds the next page under the cursor.
        tree.move_cursor(last)
        await settle(pilot)
        assert len(tag_names(tree)) == 2 * PAGE
        assert tree.built_count <= 3 + 2 * PAGE + 1
        assert app.selection is not None
        # big0 holds the even images, sorted naturally: the 101st tag is v200.
        assert app.selection.name == f"{REPOS[0]}:v{2 * PAGE}"


async def test_filter_finds_a_tag_deep_in_a_big_repository(
    big_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(big_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"v1999")
        await settle(pilot)
        tree = tree_of(app)
        assert tag_names(tree) == [f"{REPOS[1]}:v1999"]
        assert app.selection is not None and app.selection.name == f"{REPOS[1]}:v1999"
        # A digest prefix of the image's referrer (an SBOM) finds the image too.
        referrer = big_layout.referrers(app.selection.info.descriptor.digest)[0]  # type: ignore[union-attr]
        field = app.screen.query_one("#filter", Input)
        field.value = referrer.digest.encoded[:10]
        await settle(pilot)
        assert tag_names(tree) == [f"{REPOS[1]}:v1999"]
        await pilot.press("escape")
        await settle(pilot)
        assert tree.built_count == 3  # Back to the closed repositories.


async def test_reload_keeps_the_cursor_on_a_deep_page(
    big_dir: Path, tmp_path: Path, make_app: Callable[..., OcituiApp]
) -> None:
    # A copy: this test tags something, the others expect the layout as made.
    big_layout = Layout.open(shutil.copytree(big_dir, tmp_path / "copy"))
    app = make_app(big_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        deep = f"{REPOS[0]}:v1990"  # On the last page of big0's tags.
        assert tree.select_location(Location(deep))
        await settle(pilot)
        assert tree.top_name() == deep
        # Another process tags something: the watch reloads, the cursor stays.
        image = big_layout.resolve(deep)
        Layout.open(big_layout.root).set_tag("registry.example.com/other/app:new", image)
        await until(pilot, lambda: tree.knows("registry.example.com/other/app:new"), "reload")
        await settle(pilot)
        assert tree.knows("registry.example.com/other/app:new")
        assert tree.top_name() == deep
        # Pages are built up to the cursor's, in its repository only.
        assert all(name.startswith(REPOS[0]) for name in tag_names(tree))


async def test_names_show_first_and_the_cursor_stays_when_the_rest_arrives(
    big_layout: Layout, make_app: Callable[..., OcituiApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The repositories are on screen (from index.json alone) while the tags are still
    being summarised; moving meanwhile is kept when the whole model replaces the names."""
    release = hold_the_tree(monkeypatch)
    app = make_app(big_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        tree = tree_of(app)
        await until(pilot, lambda: tree.cursor_mark() == REPOS[0], "the names are shown")
        assert not tree.loading
        assert tree.built_count == 3
        assert "loading…" in str(app.screen.query_one(StatusLine).render())
        await pilot.press("j")
        await pilot.pause()
        assert tree.cursor_mark() == REPOS[1]
        release.set()
        await settle(pilot)
        assert "loading…" not in str(app.screen.query_one(StatusLine).render())
        assert tree.cursor_mark() == REPOS[1]
        await pilot.press("l", "l")
        await settle(pilot)
        # The tags carry the summaries now (an image with one referrer).
        assert app.selection is not None and app.selection.info is not None
        assert app.selection.info.referrer_count == 1


async def test_snapshot_loading_indicator(
    demo_layout: Layout,
    make_app: Callable[..., OcituiApp],
    svg_snapshot: SnapshotAssertion,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Browse at 80x24 while the tree is still loading (held until the shot is taken)."""
    release = hold_the_tree(monkeypatch)
    app = make_app(demo_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        tree = tree_of(app)
        # The loading worker is held in build_tree: wait for the screen to be quiet
        # around it (the status line says loading), not for a length of time.
        await until(
            pilot, lambda: "loading…" in str(app.screen.query_one(StatusLine).render()), "loading…"
        )
        await settle(pilot, workers=False)
        assert tree.loading
        shot = app.export_screenshot()
        release.set()
        await settle(pilot)
        assert not tree.loading
        assert app.screen.focused is tree
        assert shot == svg_snapshot


def labels(node: object) -> list[str]:
    from textual.widgets.tree import TreeNode

    assert isinstance(node, TreeNode)
    return [str(child.label) for child in node.children]


async def test_a_deep_tag_builds_its_page_alone_and_earlier_pages_on_the_way_up(
    big_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(big_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tree = tree_of(app)
        deep = f"{REPOS[0]}:v1990"  # big0's 996th tag: on its tenth page.
        assert tree.select_name(deep)
        await settle(pilot)
        assert tree.top_name() == deep
        assert app.selection is not None and app.selection.name == deep
        # That page alone (v1800 ... v1998), below a node standing for the 900 before it.
        names = tag_names(tree)
        assert names == [f"{REPOS[0]}:v{2 * n}" for n in range(900, 1000)]
        repo = tree.cursor_node.parent  # type: ignore[union-attr]
        assert repo is not None
        assert labels(repo)[0] == "… 900 earlier tags"

        # k from the page's first tag: the page before is built, the cursor on its last.
        first = repo.children[1]
        tree.cursor_to(first)
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        assert tree.top_name() == f"{REPOS[0]}:v1798"
        assert len(tag_names(tree)) == 2 * PAGE
        assert labels(repo)[0] == "… 800 earlier tags"

        # j from the repository onto "earlier": the page before, the cursor on its first.
        tree.cursor_to(repo)
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert tree.top_name() == f"{REPOS[0]}:v1400"
        assert labels(repo)[0] == "… 700 earlier tags"
        assert len(tag_names(tree)) == 3 * PAGE
        # Another deep name in a page not built: that page replaces the window.
        assert tree.select_name(f"{REPOS[0]}:v10")
        await settle(pilot)
        assert tag_names(tree)[:2] == [f"{REPOS[0]}:v0", f"{REPOS[0]}:v2"]
        assert len(tag_names(tree)) == PAGE

"""imgpkg bundles in the Browse tree: labelled, locked images under them (present or
absent), present ones expanding like any image, nested bundles recursing."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ocitui.core.layout import Layout
from ocitui.core.views_children import children_of
from ocitui.tui.app import OcituiApp
from ocitui.tui.widgets.detail import DetailPane
from ocitui.tui.widgets.layout_tree import LayoutTreeView
from tests.archive import builders
from tests.tui.conftest import plain_text, settle
from tests.tui.test_browse import labels

REPO = "registry.example.com/nest"
DEMO_BUNDLE = "registry.example.com/demo/bundle:1.0"


@pytest.fixture
def nested_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Layout:
    """outer:1 locks inner:1 (a bundle, present), app:1 (present) and a missing image."""
    layout = Layout.open(tmp_path / "nested", create=True)
    app = builders.image(layout, f"{REPO}/app:1", payload=b"app one")
    builders.legacy_sig(layout, f"{REPO}/app", app)
    inner_app = builders.image(layout, None, payload=b"inner app")
    inner = builders.bundle(layout, f"{REPO}/inner:1", [f"{REPO}/app@{inner_app.digest}"])
    gone = f"{REPO}/gone@sha256:{'a' * 64}"
    builders.bundle(
        layout,
        f"{REPO}/outer:1",
        [f"{REPO}/inner@{inner.digest}", f"{REPO}/app@{app.digest}", gone],
    )
    monkeypatch.chdir(tmp_path)
    return Layout.open("nested")


async def test_demo_bundle_shows_its_locked_images_like_any_image(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(LayoutTreeView)
        assert "1.0  imgpkg bundle" in labels(tree)
        assert tree.select_name(DEMO_BUNDLE)
        await pilot.press("l")
        await settle(pilot)
        node = tree.cursor_node
        assert node is not None
        locked = [c for c in node.children if c.data and c.data.kind == "locked"]
        assert len(locked) == 2 and all(c.data and c.data.info for c in locked)
        assert str(locked[0].label).startswith("● app@458a97824c1b")
        # The bundle's summary says what it locks (from the same inspect document).
        summary = plain_text(app.screen.query_one(DetailPane)._body("summary").content)
        assert re.search(r"imgpkg bundle\s+demo-app-config \(label\)", summary)
        assert re.search(r"locked images\s+2 \(2 present\)", summary)
        # A present locked image opens like the tag it is: platforms, referrers, legacy .sig.
        await pilot.press("l", "l")
        await settle(pilot)
        first = locked[0]
        kinds = [c.data.kind for c in first.children if c.data]
        assert kinds.count("platform") == 2 and kinds.count("referrer") == 3
        assert str(first.children[-1].label) == "↳ cosign signature (legacy .sig tag)"


async def test_nested_bundle_recurses_and_absent_images_are_marked(
    nested_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(nested_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(LayoutTreeView)
        assert tree.select_name(f"{REPO}/outer:1")
        await pilot.press("l")
        await settle(pilot)
        outer = tree.cursor_node
        assert outer is not None
        shown = [str(c.label) for c in outer.children]
        assert [c.data.kind for c in outer.children if c.data] == ["locked"] * 3
        assert shown[0].startswith("● inner@") and "imgpkg bundle" in shown[0]
        assert shown[1].startswith("● app@")
        assert shown[2] == f"○ gone@{'a' * 12}  absent"
        assert not outer.children[2].allow_expand
        # The nested bundle opens onto its own locked image.
        await pilot.press("l", "l")
        await settle(pilot)
        inner = outer.children[0]
        assert inner.is_expanded
        assert [c.data.kind for c in inner.children if c.data] == ["locked"]
        # The present app image carries its legacy signature, named as what it is.
        app_node = outer.children[1]
        app_node.expand()
        await settle(pilot)
        assert [str(c.label) for c in app_node.children] == ["↳ cosign signature (legacy .sig tag)"]
        # Selecting the absent image explains instead of showing stale details.
        tree.move_cursor(outer.children[2])
        await settle(pilot)
        assert app.selection is None
        body = str(app.screen.query_one(DetailPane)._body("summary").render())
        assert "not in this layout" in body


def test_children_of_a_non_bundle_has_no_locked_images(nested_layout: Layout) -> None:
    app = nested_layout.resolve(f"{REPO}/app:1")
    assert [c.kind for c in children_of(nested_layout, app)] == ["machine"]

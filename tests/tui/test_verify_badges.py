"""Signature badges: Browse shows signed / unsigned per image, Referrers per signature,
computed in a worker under the verification policy (demo key)."""

from __future__ import annotations

from collections.abc import Callable

from syrupy.assertion import SnapshotAssertion

from ocitui.core.layout import Layout
from ocitui.core.verify import Policy, Requirement, load_key_file
from ocitui.tui.app import OcituiApp
from ocitui.tui.screens.referrers import ReferrerTable
from ocitui.tui.widgets.layout_tree import LayoutTreeView
from tests.support.layouts import REPO_ROOT
from tests.tui.conftest import plain_text, settle

APP10 = "registry.example.com/demo/app:1.0"
DEMO_KEY = REPO_ROOT / "tools" / "demo" / "DEMO-ONLY-signing-key.pub"


def _policy() -> Policy:
    return Policy.everything(Requirement((load_key_file(DEMO_KEY),)))


async def test_snapshot_browse_badges(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    app = make_app(demo_layout, policy=_policy())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(LayoutTreeView)
        labels = {
            n.data.name: n.label.plain for n in tree.root.children[0].children[0].children if n.data
        }  # type: ignore[union-attr]
        assert labels[APP10].endswith("✓ signed")
        assert labels["registry.example.com/demo/app:1.1"].endswith("unsigned")
        assert app.export_screenshot() == svg_snapshot


async def test_referrers_show_each_signatures_verdict(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout, policy=_policy())
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.screen.query_one(LayoutTreeView).select_name(APP10)
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        table = app.screen.query_one(ReferrerTable)
        cells = [plain_text(table.get_row_at(i)[0]) for i in range(table.row_count)]
        bundle = [c for c in cells if "sigstore.bundle" in c]
        assert bundle and all("✗ invalid" in c for c in bundle), cells
        assert not any("signed" in c or "invalid" in c for c in cells if "spdx" in c)


async def test_no_policy_no_badges(demo_layout: Layout, make_app: Callable[..., OcituiApp]) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(LayoutTreeView)
        text = " ".join(n.label.plain for n in tree.root.children[0].children[0].children)
        assert "signed" not in text and "invalid" not in text

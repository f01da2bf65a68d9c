"""The registry pane's catalog: a registry alone lists its repositories; enter on one lists
its tags (against the loopback fake registry); plus its snapshot."""

from __future__ import annotations

from collections.abc import Callable

from syrupy.assertion import SnapshotAssertion

from ocitui.core.layout import Layout
from ocitui.tui.screens.remote import TagList
from tests.tui.conftest import settle
from tests.tui.loopback import REGISTRY, RegistryRig
from tests.tui.test_remote import open_remote


async def test_catalog_then_a_repository_s_tags(
    empty_layout: Layout,
    registry_rig: Callable[..., RegistryRig],
    svg_snapshot: SnapshotAssertion,
) -> None:
    rig = registry_rig()
    await rig.seed(["2.0"])
    app = rig.app(empty_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_remote(app, pilot, REGISTRY)
        assert screen.catalog is not None
        assert screen.catalog[1] == ["demo/app"]
        assert "1 repository in" in str(screen.query_one("#status").render())
        assert app.export_screenshot() == svg_snapshot
        screen.query_one(TagList).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert screen.catalog is None and screen.listing is not None
        assert screen.listing.tags == ["1.0", "2.0"]

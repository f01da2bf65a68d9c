"""The registry pane's catalog: a registry alone lists its repositories; enter on one lists
its tags (against the loopback fake registry); plus its snapshot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from syrupy.assertion import SnapshotAssertion

from ocitui.core.layout import Layout
from ocitui.tui.app import OcituiApp
from ocitui.tui.screens.remote import TagList
from tests.support.fake_registry import FakeRegistry
from tests.tui.conftest import settle
from tests.tui.loopback import REGISTRY, loopback_factory
from tests.tui.test_remote import open_remote, seed


async def test_catalog_then_a_repository_s_tags(
    empty_layout: Layout,
    make_app: Callable[..., OcituiApp],
    fake_registry: Callable[..., FakeRegistry],
    tmp_path: Path,
    svg_snapshot: SnapshotAssertion,
) -> None:
    registry = fake_registry()
    await seed(registry, tmp_path, ["2.0"])
    app = make_app(empty_layout)
    app.registry_factory = loopback_factory(registry.host)
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

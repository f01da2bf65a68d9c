"""The look-inside viewer (``v``): SBOM table and search, attestation, signature, config."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import DataTable, Static

from ocitui.core.layout import Layout
from ocitui.tui.app import OcituiApp
from ocitui.tui.screens.browse import BrowseScreen
from ocitui.tui.screens.inside import InsideScreen
from tests.tui.conftest import plain_text, settle


def table_names(app: OcituiApp) -> list[str]:
    table: DataTable[str] = app.screen.query_one("#inside-table", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def body(app: OcituiApp, width: int = 78) -> str:
    return plain_text(app.screen.query_one("#inside-body", Static).content, width=width)


async def test_v_on_the_demo_sbom_lists_its_packages_and_searches(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout, ref="9cbd7e27f73c")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, InsideScreen)
        assert table_names(app) == ["demo-app", "demoos-base"]
        count = str(app.screen.query_one("#inside-count", Static).render())
        assert count.startswith("2 packages · SPDX-2.3")
        await pilot.press("slash", *"mit")
        await settle(pilot)
        assert table_names(app) == ["demoos-base"]
        assert str(app.screen.query_one("#inside-count", Static).render()).startswith(
            "1 of 2 packages"
        )
        await pilot.press(*"zz")
        await settle(pilot)
        assert table_names(app) == []
        assert "no matches" in str(app.screen.query_one("#inside-count", Static).render())
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, BrowseScreen)


async def test_attestation_shows_subject_and_slsa_fields(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout, ref="7bbbd8483113")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        text = body(app, 118)
        assert "https://slsa.dev/provenance/v1" in text
        assert "https://ci.example.com/builders/container-builder@v1" in text
        assert "git+https://git.example.com/demo/app@refs/tags/v1.0" in text
        assert "registry.example.com/demo/app" in text


async def test_signature_shows_the_digest_it_signs_and_says_it_is_not_verified(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout, ref="fc97fa311052")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        text = body(app, 118)
        assert str(demo_layout.resolve("app:1.0").digest) in text
        assert "2026-01-01T00:05:00Z" in text
        assert "ocitui verify" in text
        # Search is an SBOM key: not offered here.
        assert "search" not in {b.binding.action for b in app.screen.active_bindings.values()}


async def test_platform_image_shows_config_and_history(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout, ref="app:1.0")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l", "j")  # linux/amd64
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        text = body(app, 118)
        assert "entrypoint" in text and "/bin/app" in text
        assert "History (6 steps)" in text and "ENV APP_VERSION=1.0" in text


async def test_enter_on_a_leaf_referrer_looks_inside(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout, ref="7bbbd8483113")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InsideScreen)
        assert app.screen.inside is not None and app.screen.inside.kind == "attestation"

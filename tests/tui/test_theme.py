"""Themes: the meaning-carrying colours are readable on the dark and the light theme's
backgrounds and distinct from each other; the theme is chosen by flag, env or terminal."""

from __future__ import annotations

import html
from collections.abc import Callable
from itertools import combinations

import pytest
from rich.color import Color
from syrupy.assertion import SnapshotAssertion
from textual.pilot import Pilot
from textual.theme import BUILTIN_THEMES

from ocitui.core.layout import Layout
from ocitui.tui.app import OcituiApp
from ocitui.tui.theme import (
    ANSI_DARK,
    ANSI_LIGHT,
    MEANINGFUL,
    MIN_CONTRAST,
    THEMES,
    choose_theme,
    contrast,
)
from ocitui.tui.widgets.layout_tree import LayoutTreeView
from tests.tui.conftest import settle

APP10 = "registry.example.com/demo/app:1.0"


def backgrounds(theme_name: str) -> dict[str, tuple[int, int, int]]:
    """The theme's background, surface and panel (what the panes and bars are drawn on)."""
    from textual.color import Color as TextualColor

    system = BUILTIN_THEMES[theme_name].to_color_system().generate()
    return {
        name: TextualColor.parse(system[name]).rgb for name in ("background", "surface", "panel")
    }


@pytest.mark.parametrize(("choice", "palette"), [("dark", ANSI_DARK), ("light", ANSI_LIGHT)])
def test_every_meaning_is_readable_and_distinct(choice: str, palette: object) -> None:
    grounds = backgrounds(THEMES[choice])
    shown = {}
    for name in MEANINGFUL:
        triplet = Color.parse(name).get_truecolor(palette)  # type: ignore[arg-type]
        shown[name] = triplet
        for where, ground in grounds.items():
            ratio = contrast(triplet, ground)
            assert ratio >= MIN_CONTRAST, (choice, name, where, round(ratio, 2))
    for (a, ca), (b, cb) in combinations(shown.items(), 2):
        distance = sum(abs(x - y) for x, y in zip(ca, cb, strict=True))
        assert distance >= 90, (choice, a, b, ca, cb)  # never two meanings in one colour


def test_textual_s_own_dark_palette_drew_errors_and_signatures_alike() -> None:
    from textual._ansi_theme import MONOKAI

    red, magenta = (Color.parse(n).get_truecolor(MONOKAI) for n in ("red", "magenta"))
    assert red == magenta  # why ocitui sets its own palettes


@pytest.mark.parametrize(
    ("flag", "env", "expected"),
    [
        ("light", {}, "light"),
        (None, {"OCITUI_THEME": "light"}, "light"),
        ("dark", {"OCITUI_THEME": "light"}, "dark"),
        (None, {"COLORFGBG": "0;15"}, "light"),
        (None, {"COLORFGBG": "15;default;0"}, "dark"),
        ("auto", {"COLORFGBG": "0;7"}, "light"),
        (None, {}, "dark"),
        (None, {"COLORFGBG": "weird"}, "dark"),
    ],
)
def test_choose_theme(flag: str | None, env: dict[str, str], expected: str) -> None:
    assert choose_theme(flag, env) == expected


def fills(svg: str) -> set[str]:
    """The colours an SVG screenshot paints with (``#rrggbb``)."""
    import re

    return {m.lower() for m in re.findall(r"fill:\s*(#[0-9a-fA-F]{6})", svg)}


def is_grey(hex_colour: str) -> bool:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return max(r, g, b) - min(r, g, b) <= 8


async def browse_shot(app: OcituiApp, pilot: Pilot[int]) -> str:
    """Browse on the demo at app:1.0 with its referrers open, settled."""
    await settle(pilot)
    app.screen.query_one(LayoutTreeView).select_name(APP10)
    await pilot.press("l")
    await settle(pilot)
    return app.export_screenshot()


async def test_snapshot_browse_light_theme_80x24(
    demo_layout: Layout,
    make_app: Callable[..., OcituiApp],
    svg_snapshot: SnapshotAssertion,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR")
    app = make_app(demo_layout, theme="light")
    async with app.run_test(size=(80, 24)) as pilot:
        svg = await browse_shot(app, pilot)
        assert app.theme == "textual-light" and not app.no_color
        # The SBOM's label is drawn in the light palette's cyan, signatures in its magenta.
        cyan, magenta = (Color.parse(n).get_truecolor(ANSI_LIGHT).hex for n in ("cyan", "magenta"))
        assert {cyan, magenta} <= fills(svg), sorted(fills(svg))
        assert svg == svg_snapshot


async def test_snapshot_browse_no_color_80x24(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], svg_snapshot: SnapshotAssertion
) -> None:
    app = make_app(demo_layout, theme="light")  # NO_COLOR wins over any theme
    async with app.run_test(size=(80, 24)) as pilot:
        svg = await browse_shot(app, pilot)
        assert app.no_color
        assert all(is_grey(c) for c in fills(svg)), sorted(c for c in fills(svg) if not is_grey(c))
        words = html.unescape(svg).replace("\xa0", " ")
        assert "SPDX SBOM" in words and "sigstore bundle" in words  # meaning kept as words
        assert svg == svg_snapshot

"""Themes: dark or light, chosen by ``--theme``, ``$OCITUI_THEME`` or the terminal.

Colour carries meaning in the TUI (artifact kinds, signed/invalid, added/removed/changed,
errors, retries) through the eight ANSI colour names (``red``, ``green``, ...). Textual
turns those into true colour with the app's ANSI palette for the active theme; ocitui
sets its own two palettes, so that every meaning stays readable on its background (at
least 4.5:1 contrast, :data:`MIN_CONTRAST`) and no two meanings share a colour (Textual's
dark palette draws red and magenta alike, so errors and signatures looked the same).
With ``NO_COLOR`` Textual draws in monochrome; meaning is then carried by the marks
(``✓ ✗ ?``, ``+ - ~``) and words the screens print beside the colour.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from rich.color_triplet import ColorTriplet
from rich.terminal_theme import TerminalTheme

#: ``--theme`` values -> Textual theme names (``auto``: ask the terminal, else dark).
THEMES = {"dark": "textual-dark", "light": "textual-light"}
CHOICES = ("auto", *THEMES)
MIN_CONTRAST = 4.5

#: black, red, green, yellow, blue, magenta, cyan, white (normal, then bright).
_DARK = [
    (26, 26, 26),
    (255, 92, 92),
    (152, 224, 36),
    (253, 181, 61),
    (120, 150, 255),
    (230, 120, 230),
    (88, 209, 235),
    (196, 197, 181),
]
_LIGHT = [
    (0, 0, 0),
    (165, 25, 35),
    (0, 100, 10),
    (120, 75, 0),
    (20, 70, 180),
    (135, 35, 140),
    (0, 90, 120),
    (247, 247, 247),
]

#: The palettes Textual maps ANSI colours through (``App.ansi_theme_dark``/``_light``);
#: the bright half starts with a grey ("bright black") and reuses the meaningful colours.
ANSI_DARK = TerminalTheme(
    (12, 12, 12), (217, 217, 217), _DARK, [(98, 94, 76), *_DARK[1:7], (246, 246, 239)]
)
ANSI_LIGHT = TerminalTheme(
    (247, 247, 247), (0, 0, 0), _LIGHT, [(119, 119, 119), *_LIGHT[1:7], (247, 247, 247)]
)

#: Colour names the screens give meaning to.
MEANINGFUL = ("red", "green", "yellow", "blue", "magenta", "cyan")


def choose_theme(flag: str | None, env: Mapping[str, str] | None = None) -> str:
    """``dark`` or ``light``: the flag, else ``$OCITUI_THEME``, else the terminal's
    background as ``$COLORFGBG`` tells it (``15;0`` dark, ``0;15`` light), else dark."""
    env = os.environ if env is None else env
    chosen = (flag or env.get("OCITUI_THEME") or "auto").strip().lower()
    if chosen in THEMES:
        return chosen
    background = env.get("COLORFGBG", "").rsplit(";", 1)[-1]
    if background.isdigit():
        # xterm colour numbers: 7 and 9-15 are light backgrounds, 0-6 and 8 dark.
        return "light" if int(background) in (7, *range(9, 16)) else "dark"
    return "dark"


def luminance(colour: tuple[int, int, int] | ColorTriplet) -> float:
    """Relative luminance (WCAG 2)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = colour
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(
    a: tuple[int, int, int] | ColorTriplet, b: tuple[int, int, int] | ColorTriplet
) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


__all__ = [
    "ANSI_DARK",
    "ANSI_LIGHT",
    "CHOICES",
    "MEANINGFUL",
    "MIN_CONTRAST",
    "THEMES",
    "choose_theme",
    "contrast",
    "luminance",
]

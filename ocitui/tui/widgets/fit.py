"""Fitting values into narrow columns without wrapping inside a token.

A digest or media type that does not fit is shortened in the middle
(``sha256:e2e1ef06…2daec1618``: both ends stay recognisable); values made of words wrap
at spaces. The full value stays one keystroke away (the Manifest tab, ``y``).
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from ocitui.core.text_safety import terminal_safe
from ocitui.tui.safe import safe

ELLIPSIS = "…"


def middle(text: str, width: int) -> str:
    """``text`` shortened to ``width`` cells by cutting its middle (unchanged if it fits)."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    keep = width - 1
    head = (keep + 1) // 2
    tail = keep - head
    return text[:head] + ELLIPSIS + (text[-tail:] if tail else "")


def fit_words(text: str, width: int) -> str:
    """Shorten each space-separated token that alone is wider than ``width``."""
    return " ".join(middle(token, width) for token in text.split(" "))


class KeyValues:
    """A borderless two-column table whose values never break inside a token."""

    def __init__(self, rows: list[tuple[str, str]], *, key_style: str = "bold") -> None:
        self.rows = rows
        self.key_style = key_style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Lay out for the width Rich offers."""
        key_width = max((cell_len(k) for k, _ in self.rows), default=0)
        value_width = max(options.max_width - key_width - 2, 8)
        table = Table.grid(padding=(0, 2))
        table.add_column(style=self.key_style, no_wrap=True)
        table.add_column(overflow="fold")
        for key, value in self.rows:
            table.add_row(safe(key), Text(fit_words(terminal_safe(value), value_width)))
        yield table


__all__ = ["ELLIPSIS", "KeyValues", "fit_words", "middle"]

"""Untrusted text for widgets: names, annotations, tags and error messages come from
layouts, archives and registries, so they pass the terminal sanitiser and travel as
:class:`~rich.text.Text` (never read as markup) before a widget draws them.

Textual writes a segment's characters to the terminal as they are: an ``ESC[2J`` in a ref
name would clear the user's screen, a ``[bold]`` in an annotation would be read as markup.
"""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text

from ocitui.core.text_safety import one_line_safe, terminal_safe


def safe(text: str, style: str = "") -> Text:
    """One line of untrusted text (newlines and tabs shown as escapes too)."""
    return Text(one_line_safe(text), style=style)


def safe_lines(text: str, style: str = "") -> Text:
    """Untrusted text that may span lines (controls shown as escapes, newlines kept)."""
    return Text(terminal_safe(text), style=style)


def safe_cell(text: str) -> str:
    """A ``str`` table cell (a ``DataTable[str]`` reads its cells as markup): sanitised
    and markup-escaped, so it shows exactly the characters it holds."""
    return escape(one_line_safe(text))


__all__ = ["safe", "safe_cell", "safe_lines"]

"""The help screen: every active key of the pane underneath, generated from its bindings."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def binding_rows(bindings: dict[str, ActiveBinding]) -> list[tuple[str, str, str]]:
    """``(keys, description, id)`` per binding, keys merged when one action has several."""
    merged: dict[tuple[str, str], list[str]] = {}
    ids: dict[tuple[str, str], str] = {}
    for key, active in bindings.items():
        binding = active.binding
        if not binding.description or binding.system:
            continue
        slot = (binding.action, binding.description)
        display = active.node.app.get_key_display(binding.with_key(key))
        merged.setdefault(slot, []).append(display)
        ids[slot] = binding.id or ""
    rows = [(", ".join(keys), slot[1], ids[slot]) for slot, keys in merged.items()]
    return sorted(rows, key=lambda row: (row[2].split(".")[0] if row[2] else "~", row[1]))


class HelpScreen(ModalScreen[None]):
    """A modal table of keys; ``escape``, ``q`` or ``?`` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="help.down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="help.up"),
    ]

    def __init__(self, bindings: dict[str, ActiveBinding], pane: str) -> None:
        super().__init__()
        self._rows = binding_rows(bindings)
        self._pane = pane

    def compose(self) -> ComposeResult:
        """A bordered box with the key table."""
        table = Table(box=None, padding=(0, 2), header_style="bold")
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("does")
        table.add_column("binding id (keymap.toml)", style="dim", no_wrap=True)
        for keys, description, binding_id in self._rows:
            table.add_row(keys, description, binding_id)
        with VerticalScroll(id="help-box") as box:
            box.border_title = f"Keys · {self._pane}"
            box.border_subtitle = "escape closes"
            yield Static(table)
            yield Static(
                Text("ctrl+p opens the command palette; tab moves between panes.", style="dim")
            )

    def action_close(self) -> None:
        """Back to the pane."""
        self.dismiss(None)

    def action_scroll(self, delta: int) -> None:
        """Scroll the key list."""
        box = self.query_one("#help-box", VerticalScroll)
        if not box.allow_vertical_scroll:
            raise SkipAction()
        box.scroll_relative(y=delta, animate=False)

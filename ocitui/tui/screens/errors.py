"""The message log (``e``): every error and retry of this session, newest last, scrollable."""

from __future__ import annotations

import time
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ocitui.tui.errorlog import ErrorLog
from ocitui.tui.safe import safe


def log_table(log: ErrorLog) -> Table | Text:
    """The log as a table: time, what was being done, reason (wrapping at spaces)."""
    if not log.entries:
        return Text("No errors so far.", style="dim")
    table = Table(box=None, padding=(0, 1), header_style="bold", expand=True)
    table.add_column("time", no_wrap=True, style="dim")
    table.add_column("while", no_wrap=True, style="bold")
    table.add_column("reason", ratio=1, overflow="fold")
    for entry in log.entries:
        stamp = time.strftime("%H:%M:%S", time.localtime(entry.when))
        style = "yellow" if entry.severity == "warning" else "red"
        table.add_row(stamp, safe(entry.title), safe(entry.message, style))
    return table


class ErrorLogScreen(ModalScreen[None]):
    """A modal, scrollable list of errors; ``escape``, ``q`` or ``e`` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,e", "close", "Close", id="errors.close"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="errors.down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="errors.up"),
    ]

    def __init__(self, log: ErrorLog) -> None:
        super().__init__()
        self._log = log

    def compose(self) -> ComposeResult:
        """A bordered box holding the table."""
        with VerticalScroll(id="errors-box") as box:
            box.border_title = f"Errors · {len(self._log.entries)}"
            box.border_subtitle = "escape closes"
            yield Static(log_table(self._log))

    def on_mount(self) -> None:
        """Show the newest entry."""
        self.query_one("#errors-box", VerticalScroll).scroll_end(animate=False)

    def action_close(self) -> None:
        """Back to the pane."""
        self.dismiss(None)

    def action_scroll(self, delta: int) -> None:
        """Scroll by lines."""
        self.query_one("#errors-box", VerticalScroll).scroll_relative(y=delta, animate=False)

"""The one-line pane switcher at the top: ``1 Browse  2 Referrers  3 Diff  4 Sync  5 Registry``."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

PANES = (
    ("browse", "Browse"),
    ("referrers", "Referrers"),
    ("diff", "Diff"),
    ("sync", "Sync"),
    ("registry", "Registry"),
)


class PaneBar(Static):
    """Shows which pane is active and the digit that opens each one."""

    DEFAULT_CSS = """
    PaneBar { height: 1; padding: 0 1; background: $panel; }
    """

    def __init__(self, active: str, *, note: str = "") -> None:
        super().__init__()
        self.active = active
        self.note = note

    def on_mount(self) -> None:
        """Draw once; the bar is static per screen."""
        self.refresh_bar()

    def refresh_bar(self) -> None:
        """Re-render (after ``note`` changes)."""
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("ocitui ", style="bold")
        for number, (mode, title) in enumerate(PANES, start=1):
            style = "bold reverse" if mode == self.active else ""
            text.append(f" {number} {title} ", style=style)
        if self.note:
            text.append(f"  {self.note}", style="dim")
        self.update(text)

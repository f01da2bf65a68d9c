"""The status line: layout path, counts, total size, and the current mark."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ocitui.core.views_detail import LayoutStats
from ocitui.core.views_text import human_size


class StatusLine(Static):
    """One line at the bottom of a pane; the screen pushes new values into it."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """

    def set_status(
        self, path: str, stats: LayoutStats | None, mark: str | None = None, extra: str = ""
    ) -> None:
        """Render the layout path, counts, size, mark and an optional extra note."""
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(path, style="bold")
        if stats is not None:
            text.append(
                f"  {stats.tags} tags · {stats.entries} entries · "
                f"{stats.blobs} blobs · {human_size(stats.total_bytes)}"
            )
        if mark:
            text.append(f"  mark: {mark}", style="reverse")
        if extra:
            text.append(f"  {extra}")
        self.update(text)

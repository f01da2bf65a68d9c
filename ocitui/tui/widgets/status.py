"""The status line: layout path, counts, total size, and the current mark.

At 80 columns the pieces that matter least (entry and blob counts) give way first, so the
mark and any note are never cut to ``mark:``.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from ocitui.core.text_safety import one_line_safe
from ocitui.core.views_detail import LayoutStats
from ocitui.core.views_text import human_size, plural


class StatusLine(Static):
    """One line at the bottom of a pane; the screen pushes new values into it."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """

    def set_status(
        self, path: str, stats: LayoutStats | None, mark: str | None = None, extra: str = ""
    ) -> None:
        """Render the layout path, counts, size, mark and an optional extra note."""
        width = max(self.content_region.width, 40) if self.is_attached else 78
        counts: list[str] = []
        if stats is not None:
            counts = [
                plural(stats.tags, "tag"),
                human_size(stats.total_bytes),
                plural(stats.entries, "entry", "entries"),
                plural(stats.blobs, "blob"),
            ]
        tail: list[tuple[str, str]] = []
        if mark:
            tail.append((f"mark: {one_line_safe(mark)}", "reverse"))  # A layout name.
        if extra:
            tail.append((one_line_safe(extra), "italic"))
        while True:
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append(path, style="bold")
            if counts:
                text.append("  " + " · ".join(counts))
            for piece, style in tail:
                text.append("  ")
                text.append(piece, style=style)
            if cell_len(text.plain) <= width or len(counts) <= 2:
                break
            counts.pop()
        self.update(text)

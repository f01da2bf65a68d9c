"""The key bar at the bottom of every pane: ``? Help`` and ``q Quit`` always, then as many
of the pane's own keys as the width allows (never a key cut in half).

Textual's Footer lists the focused widget's keys first and the app's last, so at 80
columns ``q Quit`` and ``? Help`` fell off the right edge; this bar reserves them.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

#: Shown first, whatever the width.
ALWAYS = ("app.help", "app.quit")


class KeyBar(Static):
    """One line of ``key Description`` pairs generated from the screen's active bindings."""

    DEFAULT_CSS = """
    KeyBar { height: 1; padding: 0 1; background: $panel; }
    """

    def on_mount(self) -> None:
        """Follow the screen's binding changes (focus moves, modes switch)."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self._redraw)

    def on_unmount(self) -> None:
        """Stop following."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self) -> None:
        """Refit to the new width."""
        self._redraw()

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            self.call_after_refresh(self._redraw)

    def _pairs(self) -> list[tuple[str, str]]:
        first: dict[str, tuple[str, str]] = {}
        rest: list[tuple[str, str]] = []
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding: Binding = active.binding
            if binding.action in seen or not binding.description:
                continue
            if binding.id in ALWAYS:
                seen.add(binding.action)
                first[binding.id] = (self.app.get_key_display(binding), binding.description)
            elif binding.show and not binding.system:
                seen.add(binding.action)
                rest.append((self.app.get_key_display(binding), binding.description))
        return [first[i] for i in ALWAYS if i in first] + rest

    def render_bar(self, width: int) -> Text:
        """The bar for ``width`` cells: help and quit, then whole pairs while they fit."""
        text = Text(no_wrap=True, overflow="crop")
        for index, (key, description) in enumerate(self._pairs()):
            piece = f"{key} {description}"
            gap = "  " if index else ""
            if index >= len(ALWAYS) and cell_len(text.plain + gap + piece) > width:
                break
            text.append(gap)
            text.append(key, style="bold")
            text.append(f" {description}", style="dim" if index >= len(ALWAYS) else "")
        return text

    def _redraw(self) -> None:
        if self.is_attached:
            self.update(self.render_bar(max(self.content_region.width, 20)))

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
from textual.widget import Widget

#: Shown first, whatever the width.
ALWAYS = ("app.help", "app.quit")


class KeyBar(Widget):
    """One line of ``key Description`` pairs generated from the screen's active bindings,
    drawn at paint time for the width the bar has (so it is the same on every frame)."""

    DEFAULT_CSS = """
    KeyBar { height: 1; padding: 0 1; background: $panel; }
    """

    def on_mount(self) -> None:
        """Follow the screen's binding changes (focus moves, modes switch)."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        """Stop following."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            self.refresh()

    def _always(self) -> list[tuple[str, str]]:
        """Help and quit from the app's own bindings (whatever has focus)."""
        found: dict[str, tuple[str, str]] = {}
        for bindings in self.app._bindings.key_to_bindings.values():
            for binding in bindings:
                if binding.id in ALWAYS and binding.id not in found:
                    found[binding.id] = (self.app.get_key_display(binding), binding.description)
        return [found[i] for i in ALWAYS if i in found]

    def _pairs(self) -> list[tuple[str, str]]:
        rest: list[tuple[str, str]] = []
        seen: set[str] = {"help", "quit"}
        for active in self.screen.active_bindings.values():
            binding: Binding = active.binding
            if binding.action in seen or not binding.description or binding.id in ALWAYS:
                continue
            if binding.show and not binding.system:
                seen.add(binding.action)
                rest.append((self.app.get_key_display(binding), binding.description))
        return rest

    def render_bar(self, width: int) -> Text:
        """The bar for ``width`` cells: help and quit, then whole pairs while they fit."""
        text = Text(no_wrap=True, overflow="crop")
        always = self._always()
        for index, (key, description) in enumerate([*always, *self._pairs()]):
            piece = f"{key} {description}"
            gap = "  " if index else ""
            if index >= len(always) and cell_len(text.plain + gap + piece) > width:
                break
            text.append(gap)
            text.append(key, style="bold")
            text.append(f" {description}", style="dim" if index >= len(always) else "")
        return text

    def render(self) -> Text:
        """Fit the bar to the current width."""
        return self.render_bar(max(self.content_region.width, 20))

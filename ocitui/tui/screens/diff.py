"""Diff: the diff engine's result for the marked node and the selection."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from ocitui.tui.widgets.panebar import PaneBar


class DiffScreen(Screen[None]):
    """Sections for platforms, config, layers, referrers, annotations and files."""

    def compose(self) -> ComposeResult:
        """Pane bar, body, footer."""
        yield PaneBar("diff")
        yield Static("", id="diff-body")
        yield Footer()

    def start(self) -> None:
        """Run the diff of the app's pair."""

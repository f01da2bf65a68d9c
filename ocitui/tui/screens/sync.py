"""Sync: pull from or push to a registry (placeholder until the sync engine lands)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from ocitui.tui.widgets.panebar import PaneBar


class SyncScreen(Screen[None]):
    """Pull/push form, plan preview and progress."""

    def compose(self) -> ComposeResult:
        """Pane bar, body, footer."""
        yield PaneBar("sync")
        yield Static("Sync is not available yet.", id="sync-body")
        yield Footer()

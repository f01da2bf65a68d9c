"""The base of the four panes: the typed app, and the one handler for worker failures."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from ocitui.tui.app import OcituiApp


class PaneScreen(Screen[None]):
    """A pane. Worker state messages do not bubble, so each pane forwards failures here."""

    @property
    def ocitui(self) -> OcituiApp:
        """The app, typed."""
        return cast("OcituiApp", self.app)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed worker becomes a one-line error notification, never a crash."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.ocitui.show_error(event.worker.error, title=event.worker.group or "Error")
            self.worker_failed(event.worker)

    def worker_failed(self, worker: Worker[object]) -> None:
        """Hook for panes that must reset their display after a failure."""

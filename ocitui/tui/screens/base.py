"""The base of the panes and their sub-screens: the typed app, and the one handler for
worker failures."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from ocitui.tui.app import OcituiApp

ResultT = TypeVar("ResultT")


class OcituiScreen(Screen[ResultT]):
    """A screen of ocitui. Worker state messages do not bubble to the app (Textual 8.2.8),
    so each screen forwards failures here: a one-line notification, never a crash."""

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
        """Hook for screens that must reset their display after a failure."""


class PaneScreen(OcituiScreen[None]):
    """One of the four panes (a mode of the app)."""

"""A long layout task (export, import, gc) in a thread worker, with a progress bar fed by
the core's typed archive events (folded by ``views_manage.ArchiveProgress``, the status
line the CLI shows too), and the one-line result when it is done."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ProgressBar, Static

from ocitui.core.events import BlobDone, BlobProgress, Event, EventSink
from ocitui.core.views_manage import ArchiveProgress
from ocitui.tui.screens.base import OcituiScreen

#: Runs the task with a consumer of progress events; returns the line to show at the end.
Job = Callable[[EventSink], str]


class TaskScreen(OcituiScreen[bool]):
    """Modal progress for one task; dismisses with True when it succeeded."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", "Close", id="task.close"),
    ]

    class Progress(Message):
        """Bytes done of the total (posted from the worker thread)."""

        def __init__(self, done: int, total: int, note: str) -> None:
            self.done, self.total, self.note = done, total, note
            super().__init__()

    def __init__(self, title: str, job: Job) -> None:
        super().__init__()
        self._title = title
        self._job = job
        self._busy = True
        self._ok = False

    def compose(self) -> ComposeResult:
        """Title, bar, the current step, the result."""
        with Vertical(classes="dialog", id="task-box") as box:
            box.border_title = self._title
            box.border_subtitle = "working…"
            yield ProgressBar(id="task-bar", show_eta=False)
            yield Static(Text("starting…", style="dim"), id="task-note")

    def on_mount(self) -> None:
        """Start the worker."""
        self._run()

    @work(thread=True, exclusive=True, group="layout.task", exit_on_error=False)
    def _run(self) -> None:
        progress = ArchiveProgress()

        def consume(event: Event) -> None:
            progress.apply(event, time.monotonic())
            line = progress.line() if isinstance(event, (BlobProgress, BlobDone)) else ""
            self.post_message(self.Progress(progress.moved_bytes, progress.total_bytes, line))

        result = self._job(consume)
        self.app.call_from_thread(self._done, result)

    @on(Progress)
    def _progress(self, event: Progress) -> None:
        bar = self.query_one("#task-bar", ProgressBar)
        bar.update(total=max(event.total, 1) if event.total else None, progress=event.done)
        if event.note:
            self.query_one("#task-note", Static).update(Text(event.note, style="dim"))

    def _done(self, result: str) -> None:
        self._busy, self._ok = False, True
        bar = self.query_one("#task-bar", ProgressBar)
        bar.update(total=1, progress=1)
        self.query_one("#task-note", Static).update(Text(result, style="green"))
        self.query_one("#task-box").border_subtitle = "enter closes"

    def worker_failed(self, worker: object) -> None:
        """The error is in the toast and the log; say so here and allow closing."""
        self._busy = False
        self.query_one("#task-note", Static).update(
            Text("Failed; see the error log (e).", style="bold red")
        )
        self.query_one("#task-box").border_subtitle = "enter closes"

    def action_close(self) -> None:
        """Close once the task is over (it cannot be abandoned half-way)."""
        if not self._busy:
            self.dismiss(self._ok)

"""A long layout task (export, import, gc, fsck) in a thread worker, with a progress bar
fed by the core's typed archive events (folded by ``views_manage.ArchiveProgress``, the
status line the CLI shows too) or by :meth:`TaskScreen.progress`, and the result (the
lines the CLI prints) when it is done."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
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
from ocitui.tui.safe import safe_lines
from ocitui.tui.screens.base import OcituiScreen


@dataclass(frozen=True)
class Outcome:
    """What a task that can find problems ends with: its lines, and whether it is ok."""

    text: str
    ok: bool


#: Runs the task with a consumer of progress events; returns what to show at the end.
Job = Callable[[EventSink], "str | Outcome"]


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

    def progress(self, done: int, total: int, note: str) -> None:
        """Move the bar (from the worker thread: a job whose core reports progress in
        its own terms, such as fsck's bytes verified)."""
        self.post_message(self.Progress(done, total, note))

    @on(Progress)
    def _progress(self, event: Progress) -> None:
        bar = self.query_one("#task-bar", ProgressBar)
        bar.update(total=max(event.total, 1) if event.total else None, progress=event.done)
        if event.note:
            self.query_one("#task-note", Static).update(Text(event.note, style="dim"))

    def _done(self, result: str | Outcome) -> None:
        outcome = result if isinstance(result, Outcome) else Outcome(result, True)
        self._busy, self._ok = False, outcome.ok
        bar = self.query_one("#task-bar", ProgressBar)
        bar.update(total=1, progress=1)
        style = "green" if outcome.ok else "bold red"
        self.query_one("#task-note", Static).update(safe_lines(outcome.text, style))
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

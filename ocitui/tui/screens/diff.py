"""Diff: the diff engine's result for the marked node (A) and the selection (B).

The comparison runs in a thread worker (it reads and, with files, decompresses layers);
``f`` re-runs it with the file-system comparison and a progress bar; ``escape`` cancels.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, ProgressBar, Static

from ocitui.core.diff import DiffCancelled, diff_refs
from ocitui.core.events import Event, LayerDone, LayerProgress, LayerStarted
from ocitui.core.views_diff import DiffSection, diff_sections
from ocitui.tui.screens.base import PaneScreen
from ocitui.tui.widgets.panebar import PaneBar

_LINE_STYLE = {"+": "green", "-": "red", "~": "yellow"}


def render_sections(sections: list[DiffSection]) -> RenderableType:
    """Each section as a heading with its count, then its lines (coloured by +/-/~)."""
    parts: list[RenderableType] = []
    for section in sections:
        style = "bold" if section.count else "dim"
        parts.append(Text(f"{section.name} ({section.count})", style=style))
        for line in section.lines:
            mark = line.lstrip()[:1]
            parts.append(Text("  " + line, style=_LINE_STYLE.get(mark, "")))
    return Group(*parts)


class DiffScreen(PaneScreen):
    """Sections for manifest, platforms, config, layers, files, referrers, annotations."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "files", "Compare files", id="diff.files"),
        Binding("escape", "cancel", "Cancel", id="diff.cancel"),
        Binding("x", "swap", "Swap A/B", id="diff.swap"),
        Binding("j", "scroll(1)", "Down", show=False, id="diff.down"),
        Binding("k", "scroll(-1)", "Up", show=False, id="diff.up"),
    ]

    class Progress(Message):
        """Bytes of layers read so far during a file comparison (posted from the worker)."""

        def __init__(self, done: int, total: int) -> None:
            self.done = done
            self.total = total
            super().__init__()

    def __init__(self) -> None:
        super().__init__()
        self._cancel: threading.Event | None = None
        self._files = False
        #: The last result shown (``None`` while running or after a cancel).
        self.sections: list[DiffSection] | None = None

    def compose(self) -> ComposeResult:
        """Pane bar, A/B heading, progress bar, the result."""
        yield PaneBar("diff")
        yield Static(id="diff-heading", classes="heading")
        yield ProgressBar(id="diff-progress", show_eta=False)
        with VerticalScroll(id="diff-scroll", can_focus=True):
            yield Static(id="diff-body")
        yield Footer()

    def on_mount(self) -> None:
        """The bar shows only while files are compared."""
        self.query_one(ProgressBar).display = False

    def on_screen_resume(self) -> None:
        """Run the pending pair every time the pane comes up."""
        self.start()

    def start(self, *, files: bool = False) -> None:
        """Diff the app's pair (``files`` adds the file-system comparison)."""
        pair = self.ocitui.diff_pair
        heading = self.query_one("#diff-heading", Static)
        body = self.query_one("#diff-body", Static)
        if pair is None:
            heading.update(Text("Nothing to compare.", style="bold"))
            body.update(
                Text("In Browse, press m on one tag, move to another and press d.", style="dim")
            )
            return
        a, b = pair
        heading.update(Text.assemble(("A ", "bold red"), a.name, ("   B ", "bold green"), b.name))
        body.update(Text("Comparing…", style="dim"))
        self._files = files
        self._cancel = threading.Event()
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = files
        self._run(self._cancel, files)

    @work(thread=True, exclusive=True, group="diff.run", exit_on_error=False)
    def _run(self, cancel: threading.Event, files: bool) -> None:
        pair = self.ocitui.diff_pair
        assert pair is not None and pair[0].info is not None and pair[1].info is not None
        layout = self.ocitui.layout
        state = {"total": 0, "finished": 0, "current": 0}

        def progress(event: Event) -> None:
            # Progress is data: turn engine events into messages for the bar.
            if isinstance(event, LayerStarted):
                state["total"] += event.size
                state["current"] = event.size
            elif isinstance(event, LayerDone):
                state["finished"] += state["current"]
            done = state["finished"] + (event.done if isinstance(event, LayerProgress) else 0)
            self.post_message(self.Progress(done, state["total"]))

        try:
            result = diff_refs(
                layout,
                pair[0].info.descriptor,
                layout,
                pair[1].info.descriptor,
                files=files,
                progress=progress,
                cancel=cancel,
            )
        except DiffCancelled:
            self.app.call_from_thread(self._finished, None, "Cancelled.")
            return
        self.app.call_from_thread(
            self._finished,
            diff_sections(result),
            "Identical." if result.identical else "",
        )

    @on(Progress)
    def _progress(self, event: Progress) -> None:
        self.query_one(ProgressBar).update(total=max(event.total, 1), progress=event.done)

    def _finished(self, sections: list[DiffSection] | None, note: str) -> None:
        self.query_one(ProgressBar).display = False
        self.sections = sections
        body = self.query_one("#diff-body", Static)
        if sections is None:
            body.update(Text(note, style="bold yellow"))
            return
        head = Text(note, style="bold green") if note else Text("")
        hint = "" if self._files else "Press f to compare files too."
        body.update(Group(head, render_sections(sections), Text(hint, style="dim")))

    def worker_failed(self, worker: object) -> None:
        """Hide the bar and say the comparison failed."""
        self.query_one(ProgressBar).display = False
        self.query_one("#diff-body", Static).update(Text("Comparison failed.", style="bold red"))

    def action_files(self) -> None:
        """Re-run with the file-system comparison."""
        self.start(files=True)

    def action_cancel(self) -> None:
        """Stop a running comparison."""
        if self._cancel is not None:
            self._cancel.set()

    def action_swap(self) -> None:
        """Swap sides A and B."""
        if self.ocitui.diff_pair is not None:
            a, b = self.ocitui.diff_pair
            self.ocitui.diff_pair = (b, a)
            self.start(files=self._files)

    def action_scroll(self, delta: int) -> None:
        """Scroll the result."""
        self.query_one("#diff-scroll", VerticalScroll).scroll_relative(y=delta, animate=False)

"""Diff: the diff engine's result for the marked node (A) and the selection (B).

The comparison runs in a thread worker (it reads and, with files, decompresses layers);
``f`` re-runs it with the file-system comparison and a progress bar; ``escape`` cancels.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Collapsible, ProgressBar, Static

from ocitui.core.diff import DiffCancelled, diff_refs
from ocitui.core.diff.outline import Outline, Section, outline
from ocitui.core.events import Event, LayerDone, LayerProgress, LayerStarted
from ocitui.core.views_text import plural
from ocitui.tui.safe import safe, safe_lines
from ocitui.tui.screens.base import PaneScreen
from ocitui.tui.widgets.keybar import KeyBar
from ocitui.tui.widgets.panebar import PaneBar

#: Colour by meaning: added, removed, changed; unchanged and notes recede.
MARK_STYLE = {"+": "green", "-": "red", "~": "yellow", "=": "dim", " ": ""}


def summary_text(view: Outline, files_hint: bool) -> Text:
    """``different: 58 differences · manifest 11 · config 26 …`` (sections without
    changes left out; files say when they were not compared)."""
    text = Text()
    if view.identical:
        text.append("identical", style="bold green")
    else:
        text.append(f"different: {plural(view.total, 'difference')}", style="bold yellow")
    for name, count in view.counts:
        if count == 0:
            continue
        text.append(" · ", style="dim")
        if count is None:
            hint = " (f compares them)" if files_hint else ""
            text.append(f"files not compared{hint}", style="dim")
        else:
            text.append(f"{name} {count}", style="bold")
    return text


def section_text(section: Section) -> Text:
    """A section's lines, coloured by mark."""
    text = Text(no_wrap=False)
    for index, line in enumerate(section.lines):
        if index:
            text.append("\n")
        text.append(safe_lines(str(line), MARK_STYLE.get(line.mark, "")))
    return text


def block_widgets(view: Outline) -> list[Widget]:
    """Per compared pair, a heading (for platforms) and one collapsible per section."""
    widgets: list[Widget] = []
    for block in view.blocks:
        if block.title:
            state = ("identical", "green") if block.identical else ("differs", "yellow")
            widgets.append(
                Static(
                    Text.assemble(
                        ("@ ", "bold cyan"),
                        safe(block.title, "bold"),
                        ": ",
                        state,
                        (f"  {block.digest_a[:19]} -> {block.digest_b[:19]}", "dim"),
                    ),
                    classes="diff-block",
                )
            )
        for section in block.sections:
            title = f"{section.name} ({len(section.lines)})"
            widgets.append(Collapsible(Static(section_text(section)), title=title, collapsed=False))
    return widgets


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
        self.outline: Outline | None = None

    def compose(self) -> ComposeResult:
        """Pane bar, A/B heading, progress bar, the result."""
        yield PaneBar("diff")
        yield Static(id="diff-heading", classes="heading")
        yield ProgressBar(id="diff-progress", show_eta=False)
        with VerticalScroll(id="diff-scroll", can_focus=True):
            yield Static(id="diff-body")
            yield Vertical(id="diff-sections")
        yield KeyBar()

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
            self.query_one("#diff-sections", Vertical).remove_children()
            heading.update(Text("Nothing to compare.", style="bold"))
            body.update(
                Text("In Browse, press m on one tag, move to another and press d.", style="dim")
            )
            return
        a, b = pair
        heading.update(
            Text.assemble(("A ", "bold red"), safe(a.name), ("   B ", "bold green"), safe(b.name))
        )
        body.update(Text("Comparing…", style="dim"))
        self.query_one("#diff-sections", Vertical).remove_children()
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
        self.app.call_from_thread(self._finished, outline(result), "")

    @on(Progress)
    def _progress(self, event: Progress) -> None:
        self.query_one(ProgressBar).update(total=max(event.total, 1), progress=event.done)

    def _finished(self, view: Outline | None, note: str) -> None:
        self.query_one(ProgressBar).display = False
        self.outline = view
        body = self.query_one("#diff-body", Static)
        holder = self.query_one("#diff-sections", Vertical)
        holder.remove_children()
        if view is None:
            body.update(Text(note, style="bold yellow"))
            return
        body.update(summary_text(view, files_hint=not self._files))
        holder.mount_all(block_widgets(view))

    def worker_failed(self, worker: object) -> None:
        """Hide the bar and say the comparison failed."""
        self.query_one(ProgressBar).display = False
        self.query_one("#diff-body", Static).update(
            Text("Comparison failed; see the error log (e).", style="bold red")
        )

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

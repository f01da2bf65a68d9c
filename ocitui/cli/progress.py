"""Rendering progress events: rich bars on a TTY, plain lines otherwise, JSON lines on request.

The core emits one vocabulary of typed events (:mod:`ocitui.core.events`) for sync,
export, import and the file diff; this module is the only place that turns them into
text. ``rich`` is imported lazily, and only for a TTY.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from ocitui.cli.common import human_size
from ocitui.cli.terminal import raw_stderr
from ocitui.core.events import (
    ArchiveFinished,
    BlobDone,
    BlobProgress,
    BlobStarted,
    Event,
    Failed,
    Finished,
    LayerDone,
    LayerProgress,
    LayerStarted,
    ManifestDone,
    PartDone,
    PlanReady,
    TagDone,
)
from ocitui.core.sync.plan import Plan
from ocitui.core.sync.report import SyncReport
from ocitui.core.text_safety import one_line_safe, terminal_safe
from ocitui.core.views_manage import ArchiveProgress
from ocitui.core.views_sync import Row, plan_rows, report_rows


class Renderer:
    """Base renderer: a callable event sink with a ``close``."""

    def __call__(self, event: Event) -> None:
        """Handle one event."""

    def close(self) -> None:
        """Finish drawing (stop live displays)."""


class JsonRenderer(Renderer):
    """One JSON object per event per line on stdout (``--json``)."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout

    def __call__(self, event: Event) -> None:
        """Write the event."""
        self.out.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
        self.out.flush()


#: Per-item lines (a blob stored, a manifest written) a plain log shows before it
#: switches to progress lines.
ITEM_LINES = 40
#: Seconds between two progress lines once per-item lines stopped.
PROGRESS_EVERY = 5.0


class PlainRenderer(Renderer):
    """Log lines on stderr (pipes, CI, dumb terminals), the plan and report on stdout.

    Every failure, resumed download and name set gets its line. Per-item lines (a blob
    stored, a manifest written) stop after the first :data:`ITEM_LINES`: a pull of 10,000
    referrers would otherwise log 20,000 of them. After that a ``progress:`` line with
    the counts is written at most every :data:`PROGRESS_EVERY` seconds, and one more
    before the report, so a script's log still shows what happened and how far it got.
    """

    def __init__(
        self,
        out: TextIO | None = None,
        err: TextIO | None = None,
        *,
        item_lines: int = ITEM_LINES,
        every: float = PROGRESS_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._item_lines = item_lines
        self._every = every
        self._clock = clock
        self._last = 0.0
        #: Item lines written, and not written.
        self._items_shown = 0
        self._items_hidden = 0
        self._counts = {"blobs": 0, "bytes": 0, "manifests": 0}
        self._totals = {"blobs": 0, "manifests": 0}

    def __call__(self, event: Event) -> None:
        """Print the events worth a line."""
        if isinstance(event, PlanReady):
            summary = event.plan.summary()
            self._totals["blobs"] += summary["blobsToCopy"]
            self._totals["manifests"] += summary["manifestsToCopy"]
            self.out.write(format_plan(event.plan))
        elif isinstance(event, BlobStarted) and event.offset:
            self._line(f"resuming {_short(event.digest)} at {human_size(event.offset)}")
        elif isinstance(event, BlobDone):
            self._counts["blobs"] += 1
            self._counts["bytes"] += event.size
            self._item(f"{event.how:<10} {_short(event.digest)}  {human_size(event.size)}")
        elif isinstance(event, ManifestDone):
            self._counts["manifests"] += 1
            self._item(f"{'manifest':<10} {_short(event.digest)}  {event.role}")
        elif isinstance(event, TagDone):
            self._line(f"{'tagged':<10} {event.name}")
        elif isinstance(event, Failed):
            self._line(f"{'FAILED':<10} {_short(event.digest)}  {event.message}")
        elif isinstance(event, Finished):
            if self._items_hidden:
                self._line(self._progress_line())
            self.out.write(format_report(event.report))

    def _item(self, text: str) -> None:
        if self._items_shown < self._item_lines:
            self._items_shown += 1
            self._line(text)
            return
        now = self._clock()
        if not self._items_hidden:
            self._line(
                f"(more than {self._item_lines} items: a progress line every "
                f"{self._every:g} s from here; failures are still shown one by one)"
            )
            self._last = now
        self._items_hidden += 1
        if now - self._last >= self._every:
            self._last = now
            self._line(self._progress_line())

    def _progress_line(self) -> str:
        counts, totals = self._counts, self._totals
        return (
            f"progress: {counts['blobs']:,}/{totals['blobs']:,} blobs "
            f"({human_size(counts['bytes'])}), "
            f"{counts['manifests']:,}/{totals['manifests']:,} manifests"
        )

    def _line(self, text: str) -> None:
        self.err.write(text + "\n")
        self.err.flush()


class RichRenderer(PlainRenderer):
    """Progress bars (one per blob in flight, plus a total) on a terminal."""

    def __init__(self) -> None:
        super().__init__()
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TransferSpeedColumn,
        )

        self.console = Console(file=raw_stderr())
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=self.console,
            transient=True,
        )
        self.tasks: dict[str, Any] = {}
        self.done: dict[str, int] = {}
        self.total: Any = None
        self.progress.start()

    def __call__(self, event: Event) -> None:
        """Update bars; everything else as plain lines above them."""
        if isinstance(event, PlanReady):
            self.progress.console.print(
                terminal_safe(format_plan(event.plan)), end="", markup=False
            )
            todo = event.plan.summary()["bytesToCopy"]
            self.total = self.progress.add_task("total", total=todo or None)
        elif isinstance(event, BlobStarted):
            self.done[event.digest] = event.offset
            self.tasks[event.digest] = self.progress.add_task(
                _short(event.digest), total=event.size, completed=event.offset
            )
        elif isinstance(event, BlobProgress):
            task = self.tasks.get(event.digest)
            if task is not None:
                before = self.done.get(event.digest, 0)
                self.done[event.digest] = event.done
                self.progress.update(task, completed=event.done)
                if self.total is not None:
                    self.progress.advance(self.total, max(0, event.done - before))
        elif isinstance(event, BlobDone):
            task = self.tasks.pop(event.digest, None)
            if task is not None:
                self.progress.remove_task(task)
        elif isinstance(event, Failed):
            self.progress.console.print(
                f"FAILED {_short(event.digest)} {one_line_safe(event.message)}", markup=False
            )
        elif isinstance(event, Finished):
            self.progress.stop()
            self.out.write(format_report(event.report))

    def close(self) -> None:
        """Stop the live display."""
        self.progress.stop()


def make_renderer(json_mode: bool) -> Renderer:
    """JSON lines, rich bars on a TTY, or plain lines."""
    if json_mode:
        return JsonRenderer()
    if sys.stderr.isatty() and sys.stdout.isatty():
        return RichRenderer()
    return PlainRenderer()


def _short(digest: str) -> str:
    return digest.split(":", 1)[-1][:12] if digest else "-"


def rows_text(title: str, rows: list[Row]) -> str:
    """``title:`` and the rows as aligned ``label: value`` lines (items as ``- `` lines)."""
    width = max((len(r.label) for r in rows if not r.item), default=0) + 1
    lines = [f"{title}:"]
    for row in rows:
        if row.item:
            lines.append(f"    - {row.label}: {row.value}")
        else:
            lines.append(f"  {row.label + ':':<{width}} {row.value}")
    return "\n".join(lines) + "\n"


def format_plan(plan: Plan) -> str:
    """The plan as text: :func:`~ocitui.core.views_sync.plan_rows`, every item shown."""
    return rows_text("plan", plan_rows(plan))


def format_report(report: SyncReport) -> str:
    """The end report as text: :func:`~ocitui.core.views_sync.report_rows`."""
    return rows_text("report", report_rows(report))


class ArchiveLine:
    """Export and import on a terminal: one self-rewriting status line
    (:class:`~ocitui.core.views_manage.ArchiveProgress`, what the TUI shows too)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._progress = ArchiveProgress()
        self._last = 0.0

    def __call__(self, event: Event) -> None:
        """Fold one event into the line."""
        if isinstance(event, PartDone):
            self._line(f"part {event.name} ({human_size(event.size)}) done", force=True)
            return
        if isinstance(event, ArchiveFinished):
            return
        self._progress.apply(event, time.monotonic())
        self._line(self._progress.line())

    def _line(self, text: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last > 0.1:
            self._last = now
            self._out.write("\r\x1b[K" + text)
            self._out.flush()

    def close(self) -> None:
        """Clear the line."""
        self._out.write("\r\x1b[K")
        self._out.flush()


def layer_line(out: TextIO) -> Callable[[Event], None]:
    """The file diff on a terminal: one self-rewriting line about the layer being read."""

    def show(event: Event) -> None:
        if isinstance(event, LayerStarted):
            text = (
                f"reading layer {event.index + 1}/{event.count} ({event.side}) {event.digest.short}"
            )
        elif isinstance(event, LayerProgress) and event.size:
            text = (
                f"reading layer {event.index + 1} ({event.side}) {100 * event.done // event.size}%"
            )
        elif isinstance(event, LayerDone):
            text = f"read layer {event.index + 1} ({event.side}): {event.members} members"
        else:
            return
        out.write(f"\r\033[K{text}")
        out.flush()

    return show

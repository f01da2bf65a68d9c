"""Sync: pull from or push to a registry, with a plan preview before anything moves.

Network work runs in an async worker (exclusive, group ``sync.run``); the engine's typed
events are folded into :class:`~ocitui.core.views_sync.SyncProgress` and drawn as bars.
``escape`` cancels the worker (the engine leaves partial downloads resumable).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Input, Label, ProgressBar, Static

from ocitui.core.errors import OcituiError
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import Event, Plan, PushItem, SyncFilter, plan_pull, plan_push, run
from ocitui.core.views_sync import Row, SyncProgress, plan_rows, report_rows
from ocitui.core.views_text import human_size
from ocitui.tui.safe import safe
from ocitui.tui.screens.base import PaneScreen
from ocitui.tui.widgets.detail import kv_table
from ocitui.tui.widgets.keybar import KeyBar
from ocitui.tui.widgets.panebar import PaneBar

_BAR = 24
#: Left-behind items a plan preview lists (a last row counts the rest).
PLAN_ITEMS = 8


def table_rows(rows: list[Row]) -> list[tuple[str, str]]:
    """Plan/report rows as key/value pairs (an item row's label set under its parent)."""
    return [(f"  · {row.label}" if row.item else row.label, row.value) for row in rows]


def text_bar(done: int, total: int) -> str:
    """A fixed-width text bar ``[#####-----]`` (no animation, stable in screenshots)."""
    filled = _BAR if total <= 0 else min(_BAR, _BAR * done // total)
    return "[" + "#" * filled + "-" * (_BAR - filled) + "]"


def progress_view(state: SyncProgress) -> RenderableType:
    """Per-blob bars (up to five), totals and throughput."""
    lines: list[RenderableType] = []
    for blob in list(state.active.values())[:5]:
        lines.append(
            Text(
                f"{blob.digest[7:19]} {text_bar(blob.done, blob.size)} "
                f"{human_size(blob.done)} / {human_size(blob.size)}"
            )
        )
    lines.append(
        Text(
            f"{state.blobs_done}/{state.blobs_total} blobs · {human_size(state.moved_bytes)} / "
            f"{human_size(state.total_bytes)} · {human_size(int(state.throughput()))}/s · "
            f"{state.manifests_done} manifests · {state.tags_done} tags · {state.skipped} skipped",
            style="bold",
        )
    )
    if state.last_retry:
        lines.append(safe(f"retry {state.retries}: {state.last_retry}", "yellow"))
    lines.extend(safe(f"failed {f}", "red") for f in state.failures[-3:])
    return Group(*lines)


class SyncScreen(PaneScreen):
    """The pull/push form, the plan, progress and the final report.

    The output area has focus on arrival so pane keys (digits, ``?``) work; ``tab`` enters
    the form and ``escape`` leaves it.
    """

    AUTO_FOCUS = "#sync-out"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "toggle_direction", "Pull/Push", id="sync.direction"),
        Binding("ctrl+l", "plan", "Plan", id="sync.plan"),
        Binding("ctrl+g", "run", "Go", id="sync.run"),
        Binding("ctrl+t", "remote", "Remote tags", id="sync.remote"),
        Binding("escape", "cancel", "Cancel", id="sync.cancel"),
    ]

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.direction = "pull"
        self.clock = clock
        self.progress = SyncProgress()
        #: The last previewed plan, its form and the client it holds open (for ctrl+g).
        self._previewed: tuple[tuple[object, ...], Plan, RegistryClient] | None = None

    def compose(self) -> ComposeResult:
        """Pane bar, form, plan/progress/report, footer."""
        yield PaneBar("sync")
        with Vertical(id="sync-form", classes="form"):
            yield Static(id="sync-direction", classes="heading")
            with Horizontal(classes="row"):
                yield Label("reference", classes="field-label")
                yield Input(placeholder="registry.example.com/app:1.0", id="sync-ref")
            with Horizontal(classes="row", id="dest-row"):
                yield Label("push to", classes="field-label")
                yield Input(placeholder="registry.local:5000/app:1.0", id="sync-dest")
            with Horizontal(classes="row"):
                yield Label("platforms", classes="field-label")
                yield Input(placeholder="linux/amd64,linux/arm64 (empty: all)", id="sync-platforms")
            with Horizontal(classes="row"):
                yield Label("types", classes="field-label")
                yield Input(placeholder="only these artifact types (empty: all)", id="sync-types")
            with Horizontal(classes="row"):
                yield Label("referrers", classes="field-label")
                yield Checkbox("copy referrers too", value=True, id="sync-referrers")
        yield ProgressBar(id="sync-bar", show_eta=False)
        with VerticalScroll(id="sync-out", can_focus=True):
            yield Static(
                Text(
                    "tab into the form, fill in a reference, then ctrl+l for the plan.", style="dim"
                ),
                id="sync-body",
            )
        yield KeyBar()

    def on_mount(self) -> None:
        """Pull by default; the bar shows while running."""
        self.query_one(ProgressBar).display = False
        self._show_direction()

    def on_screen_resume(self) -> None:
        """Prefill the reference with the selection (push) when the field is empty."""
        field = self.query_one("#sync-ref", Input)
        selection = self.ocitui.selection
        if not field.value and selection is not None and selection.kind == "tag":
            field.value = selection.name
        self.query_one("#sync-out").focus()

    def _show_direction(self) -> None:
        pull_mode = self.direction == "pull"
        self.query_one("#dest-row").display = not pull_mode
        note = "Pull: registry -> this layout" if pull_mode else "Push: this layout -> registry"
        self.query_one("#sync-direction", Static).update(
            Text.assemble((note, "bold"), ("   ctrl+o switches", "dim"))
        )

    def action_toggle_direction(self) -> None:
        """Switch between pull and push."""
        self.direction = "push" if self.direction == "pull" else "pull"
        self._show_direction()

    def _filter(self) -> SyncFilter:
        def items(widget_id: str) -> list[str]:
            value = self.query_one(widget_id, Input).value
            return [part.strip() for part in value.split(",") if part.strip()]

        return SyncFilter.build(
            items("#sync-platforms"),
            items("#sync-types"),
            referrers=self.query_one("#sync-referrers", Checkbox).value,
        )

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_plan()

    def action_plan(self) -> None:
        """Compute and show the plan (nothing is copied)."""
        self._start(dry_run=True)

    def action_run(self) -> None:
        """Run the sync for real."""
        self._start(dry_run=False)

    def _start(self, *, dry_run: bool) -> None:
        ref = self.query_one("#sync-ref", Input).value.strip()
        if not ref:
            self.notify("Type a reference first.", severity="warning", title="Sync")
            return
        try:
            sync_filter = self._filter()
            dest = self.query_one("#sync-dest", Input).value.strip()
            items = [(ref, parse_reference(dest))] if self.direction == "push" else []
            if self.direction == "push" and not dest:
                raise OcituiError("push needs a destination reference")
        except OcituiError as exc:
            self.ocitui.show_error(exc, "Sync")
            return
        self.progress = SyncProgress()
        self.query_one("#sync-body", Static).update(Text("Planning…", style="dim"))
        self._run(ref, items, sync_filter, dry_run)

    @work(exclusive=True, group="sync.run", exit_on_error=False)
    async def _run(
        self, ref: str, items: list[PushItem], sync_filter: SyncFilter, dry_run: bool
    ) -> None:
        layout = self.ocitui.layout
        key = (self.direction, ref, tuple(items), sync_filter)
        # ctrl+g after a preview of the same form runs the plan that was shown.
        previewed, self._previewed = self._previewed, None
        plan: Plan | None = None
        if previewed is not None and previewed[0] == key:
            plan, client = previewed[1], previewed[2]
        else:
            if previewed is not None:
                await previewed[2].aclose()
            client = self.ocitui.registry_client()
        keep = False
        try:
            if plan is None:
                plan = (
                    await plan_pull(client, layout, [ref], sync_filter)
                    if self.direction == "pull"
                    else await plan_push(layout, client, items, sync_filter)
                )
            if dry_run:
                self.show_plan(plan_rows(plan, limit=PLAN_ITEMS))
                self._previewed, keep = (key, plan, client), True
                return
            self.query_one(ProgressBar).display = True
            await run(plan, emit=self.apply_event)
        finally:
            if not keep:
                await client.aclose()

    async def on_unmount(self) -> None:
        """Close the client a previewed plan kept open."""
        if self._previewed is not None:
            await self._previewed[2].aclose()
            self._previewed = None

    def action_remote(self) -> None:
        """Browse a repository's tags in the registry; the chosen tag comes back to pull."""
        from ocitui.tui.screens.remote import RemoteScreen

        typed = self.query_one("#sync-ref", Input).value.strip()
        repository = typed if self.direction == "pull" else ""
        self.app.push_screen(RemoteScreen(repository), self.pull_from_remote)

    def pull_from_remote(self, ref: str | None) -> None:
        """Prefill the pull form with ``ref`` and show its plan (``ctrl+g`` runs it)."""
        if ref is None:
            return
        self.direction = "pull"
        self._show_direction()
        self.query_one("#sync-ref", Input).value = ref
        self.query_one("#sync-out").focus()
        self.action_plan()

    def show_plan(self, rows: list[Row]) -> None:
        """Show a plan preview; ``ctrl+g`` runs it."""
        self.query_one("#sync-body", Static).update(
            Group(
                Text("Plan (nothing copied yet) — ctrl+g to run", style="bold"),
                kv_table(table_rows(rows)),
            )
        )

    def apply_event(self, event: Event) -> None:
        """Fold one engine event in and redraw (called on the app's event loop)."""
        self.progress.apply(event, self.clock())
        state = self.progress
        bar = self.query_one(ProgressBar)
        bar.update(total=max(state.total_bytes, 1), progress=state.moved_bytes)
        body = self.query_one("#sync-body", Static)
        if state.report is not None:
            bar.display = False
            title = "Report" if state.report.ok else "Report: FAILED"
            body.update(
                Group(Text(title, style="bold"), kv_table(table_rows(report_rows(state.report))))
            )
        else:
            body.update(progress_view(state))

    def show_retry(self, event: Event) -> None:
        """A registry retry while planning or running: folded into the progress view."""
        self.apply_event(event)

    def worker_failed(self, worker: object) -> None:
        """Show the failure in the output area too."""
        self.query_one(ProgressBar).display = False
        self.query_one("#sync-body", Static).update(
            Text("Failed; see the notification.", style="bold red")
        )

    def action_cancel(self) -> None:
        """Cancel a running plan or sync; otherwise leave the form."""
        if isinstance(self.focused, (Input, Checkbox)):
            self.query_one("#sync-out").focus()
            return
        cancelled = self.workers.cancel_group(self, "sync.run")
        if cancelled:
            self.query_one(ProgressBar).display = False
            self.query_one("#sync-body", Static).update(Text("Cancelled.", style="bold yellow"))

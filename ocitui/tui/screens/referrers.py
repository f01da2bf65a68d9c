"""Referrers: the subject -> referrer tree of the selection, verified, filterable by type."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from ocitui.core.text_safety import one_line_safe
from ocitui.core.verify.model import Badge, SignatureCheck
from ocitui.core.views import describe
from ocitui.core.views_detail import ReferrerRow, referrer_rows
from ocitui.core.views_text import human_size
from ocitui.tui.safe import safe
from ocitui.tui.screens.base import PaneScreen
from ocitui.tui.widgets.detail import kv_table, verified_mark
from ocitui.tui.widgets.keybar import KeyBar
from ocitui.tui.widgets.labels import with_badge
from ocitui.tui.widgets.layout_tree import NodeData
from ocitui.tui.widgets.panebar import PaneBar
from ocitui.tui.widgets.status import StatusLine


def _badge(checks: list[SignatureCheck] | None) -> Badge | None:
    """signed when a signature here verified, invalid when none did; ``None``: not one."""
    if not checks:
        return None
    return Badge.SIGNED if any(c.passed for c in checks) else Badge.INVALID


COLUMNS = ("artifact type", "digest", "size", "created", "subject", "source")


class ReferrerTable(DataTable[Text | str]):
    """The flattened referrer tree; vim keys beside the arrows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="referrers.down"),
        Binding("k", "cursor_up", "Up", show=False, id="referrers.up"),
    ]


class ReferrersScreen(PaneScreen):
    """What refers to the selection, recursively, with subject verification."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "cycle_type", "Type filter", id="referrers.type"),
        Binding("a", "attach", "Attach", id="referrers.attach"),
        Binding("enter", "descend", "Open as subject", id="referrers.descend"),
        Binding("backspace", "ascend", "Back", id="referrers.back"),
        Binding("R", "refresh", "Refresh", id="referrers.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[ReferrerRow] = []
        #: Signature checks per row (by row index), when a policy is set.
        self._checks: dict[int, list[SignatureCheck]] = {}
        self._types: list[str] = []
        self._history: list[NodeData] = []

    def compose(self) -> ComposeResult:
        """Pane bar, subject heading, table, detail of the row, status, footer."""
        yield PaneBar("referrers")
        yield Static(id="subject", classes="heading")
        table = ReferrerTable(id="referrer-table", cursor_type="row", zebra_stripes=False)
        for column in COLUMNS:
            table.add_column(column, key=column)
        yield table
        yield Static(id="referrer-detail", classes="info")
        yield StatusLine(id="status")
        yield KeyBar()

    def on_screen_resume(self) -> None:
        """Show the current selection every time the pane comes up."""
        self._history.clear()
        self.action_refresh()

    # -- loading -------------------------------------------------------------------------

    @property
    def subject(self) -> NodeData | None:
        """The node whose referrers are shown (the app's selection, or a drilled-in one)."""
        return self._history[-1] if self._history else self.ocitui.selection

    def action_refresh(self) -> None:
        """Re-read the referrers of the subject (a thread: every manifest is verified)."""
        subject = self.subject
        heading = self.query_one("#subject", Static)
        if subject is None or subject.info is None:
            heading.update(Text("No selection: pick a tag in Browse (1) and press r.", style="dim"))
            self._show([])
            return
        desc = subject.info.descriptor
        heading.update(
            Text.assemble(
                ("Referrers of ", "dim"),
                safe(subject.name, "bold"),
                (f"  {desc.digest.short}", "dim"),
            )
        )
        self._load(subject, self.ocitui.referrer_type)

    @work(thread=True, exclusive=True, group="referrers.load", exit_on_error=False)
    def _load(self, subject: NodeData, artifact_type: str | None) -> None:
        assert subject.info is not None
        types = (artifact_type,) if artifact_type else ()
        layout = self.ocitui.layout
        everything = referrer_rows(layout, subject.info.descriptor.digest)
        rows = referrer_rows(layout, subject.info.descriptor.digest, types) if types else everything
        checks: dict[int, list[SignatureCheck]] = {}
        cache = self.ocitui.verdicts
        # The policy picks rules by repository: judge drilled-in referrers by the top name.
        name = (self.ocitui.selection or subject).name
        if cache is not None:  # Cached by digest: only new signatures are verified.
            for i, row in enumerate(rows):
                found = cache.checks_of(layout, row.subject, name, row.descriptor.digest)
                if found:
                    checks[i] = found
        self.app.call_from_thread(self._loaded, rows, everything, checks)

    def _loaded(
        self,
        rows: list[ReferrerRow],
        everything: list[ReferrerRow],
        checks: dict[int, list[SignatureCheck]],
    ) -> None:
        self._types = sorted({r.artifact_type for r in everything})
        self._checks = checks
        self._show(rows)

    def _show(self, rows: list[ReferrerRow]) -> None:
        self._rows = rows
        table = self.query_one(ReferrerTable)
        table.clear()
        for i, row in enumerate(rows):
            indent = "  " * row.depth + ("└ " if row.depth else "")
            table.add_row(
                with_badge(
                    Text(indent + one_line_safe(row.artifact_type)),  # Text: never markup.
                    _badge(self._checks.get(i)),
                ),
                row.descriptor.digest.short,
                human_size(row.descriptor.size),
                Text(one_line_safe(row.created)),
                verified_mark(row.verified),
                row.source,
                key=str(i),
            )
        chosen = self.ocitui.referrer_type or "all types"
        bad = sum(1 for r in rows if r.verified is False)
        note = f"{len(rows)} referrers · filter: {chosen}" + (f" · {bad} MISMATCH" if bad else "")
        self.query_one(StatusLine).set_status(str(self.ocitui.layout.root), None, None, note)
        self._describe_row(0)
        table.focus()

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe_row(event.cursor_row)

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        # The table consumes enter itself; selecting a row means "open it as subject".
        self.action_descend()

    def _describe_row(self, index: int) -> None:
        box = self.query_one("#referrer-detail", Static)
        if not 0 <= index < len(self._rows):
            box.update(Text("No referrers." if not self._rows else "", style="dim"))
            return
        row = self._rows[index]
        desc = row.descriptor
        pairs = [
            ("digest", str(desc.digest)),
            ("artifact type", row.artifact_type),
            ("subject", str(row.subject)),
        ]
        for check in self._checks.get(index, []):
            pairs.append((f"{check.kind} {check.verdict.value}", check.reason))
            pairs.append(("  signed by", f"{check.signer or '-'} at {check.time or '-'}"))
        pairs += sorted(
            (k, v) for k, v in desc.annotations.items() if k != "dev.ocitui.referrer.subject"
        )
        box.update(kv_table(pairs))

    # -- actions -------------------------------------------------------------------------

    def action_cycle_type(self) -> None:
        """Step the artifact-type filter through the types present, then back to all."""
        current = self.ocitui.referrer_type
        choices: list[str | None] = [None, *self._types]
        position = choices.index(current) if current in choices else 0
        self.ocitui.referrer_type = choices[(position + 1) % len(choices)]
        self.action_refresh()

    def _row(self) -> ReferrerRow | None:
        table = self.query_one(ReferrerTable)
        if not self._rows or not 0 <= table.cursor_row < len(self._rows):
            return None
        return self._rows[table.cursor_row]

    def action_descend(self) -> None:
        """Make the highlighted referrer the subject (its own referrers)."""
        row = self._row()
        if row is None:
            return
        info = describe(self.ocitui.layout, row.descriptor)
        self._history.append(NodeData("referrer", f"@{row.descriptor.digest.short}", info))
        self.action_refresh()

    def action_ascend(self) -> None:
        """Back to the previous subject."""
        if self._history:
            self._history.pop()
            self.action_refresh()

    def action_attach(self) -> None:
        """Attach a file to the subject shown."""
        subject = self.subject
        if subject is None or subject.info is None:
            self.notify("Nothing selected to attach to.", severity="warning")
            return
        self.ocitui.attach_to(subject, then=self.action_refresh)

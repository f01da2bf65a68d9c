"""The detail pane: tabs Summary, Manifest, Config, Layers, Annotations, Referrers."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static, TabbedContent, TabPane, Tabs
from textual.widgets._tabs import Underline  # The bar Tabs draws (not re-exported).

from ocitui.core.media_types import friendly_artifact_type
from ocitui.core.text_safety import terminal_safe
from ocitui.core.views_detail import Detail, ReferrerRow
from ocitui.core.views_text import human_size
from ocitui.tui.safe import safe
from ocitui.tui.widgets.fit import KeyValues

TABS = ("summary", "manifest", "config", "layers", "annotations", "referrers")
#: Tab labels when the pane is narrower than :data:`NARROW` cells (80x24 terminals).
SHORT = {"summary": "Info", "manifest": "JSON", "annotations": "Annot", "referrers": "Refs"}
NARROW = 62


def kv_table(rows: list[tuple[str, str]]) -> KeyValues:
    """A borderless two-column key/value table (long tokens shortened in the middle).
    Values come from layouts and registries: plain text (no markup), no controls."""
    return KeyValues([(key, terminal_safe(value)) for key, value in rows])


def json_view(text: str) -> RenderableType:
    """Syntax-highlighted JSON that follows the terminal's palette (and NO_COLOR)."""
    if not text:
        return Text("(nothing to show)", style="dim")
    # Imported when first used: syntax highlighting (pygments) is not needed to start.
    from rich.syntax import Syntax

    return Syntax(text, "json", theme="ansi_dark", background_color="default", word_wrap=True)


def verified_mark(verified: bool | None) -> Text:
    """``✓`` when the manifest's subject matches, ``✗`` when not, ``?`` if unreadable."""
    if verified is None:
        return Text("?", style="yellow")
    return Text("✓", style="green") if verified else Text("✗ mismatch", style="bold red")


def referrers_table(rows: list[ReferrerRow]) -> RenderableType:
    """The referrer tree as an indented table (artifact types by their short names)."""
    if not rows:
        return Text("No referrers.", style="dim")
    table = Table(box=None, padding=(0, 1), header_style="bold", expand=True)
    table.add_column("artifact type", ratio=1, min_width=12, no_wrap=True, overflow="ellipsis")
    # The verification mark before the date: on a narrow pane the date is what gets cut.
    for name in ("digest", "size", "subject", "created"):
        table.add_column(name, no_wrap=True, overflow="ellipsis")
    for row in rows:
        indent = "  " * row.depth + ("└ " if row.depth else "")
        table.add_row(
            safe(indent + friendly_artifact_type(row.artifact_type)),
            row.descriptor.digest.short,
            human_size(row.descriptor.size),
            verified_mark(row.verified),
            safe(row.created[:10]),  # The day; the Annotations tab has the full time.
        )
    return table


class DetailPane(Vertical):
    """Tabs describing the selected manifest or index (the screen binds ``[``/``]``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_body(1)", "Down", show=False, id="detail.down"),
        Binding("k", "scroll_body(-1)", "Up", show=False, id="detail.up"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: The note the tabs show when they were last cleared (``None``: a detail).
        self._cleared: str | None = "Select a tag."

    def compose(self) -> ComposeResult:
        """One scrollable Static per tab."""
        with TabbedContent(id="detail-tabs"):
            for tab in TABS:
                with (
                    TabPane(tab.capitalize(), id=f"tab-{tab}"),
                    VerticalScroll(id=f"scroll-{tab}", can_focus=True),
                ):
                    yield Static(Text("Select a tag.", style="dim"), id=f"body-{tab}")

    def on_mount(self) -> None:
        """Put the tab underline right after every layout (:meth:`_underline_follows`)."""
        self.screen.screen_layout_refresh_signal.subscribe(
            self, self._underline_follows, immediate=True
        )

    def on_resize(self) -> None:
        """Short tab labels on a narrow pane, full ones when there is room."""
        narrow = self.size.width < NARROW
        for tab in TABS:
            label = SHORT.get(tab, tab.capitalize()) if narrow else tab.capitalize()
            widget = self.tabs.get_tab(f"tab-{tab}")
            if str(widget.label) != label:
                widget.label = label

    def _underline_follows(self, _screen: object) -> None:
        """After a layout, move the tab underline under the active tab if it is not.

        Textual moves the underline in an after-refresh callback when a tab is
        relabelled (here, on a resize). That callback can run before the layout that the
        new label asks for: which comes first depends on the order the tabs' and the
        screen's queues get the event loop, i.e. on timing, so on a loaded machine the
        underline sometimes kept the old label's width ("Summary" under "Info") for good.
        The layout itself is always done after the relabel, so this puts it right.
        """
        tabs = self.tabs.query_one(Tabs)
        active = tabs.active_tab
        if active is None:
            return
        region = active.virtual_region.shrink(active.styles.gutter)
        if not region.width:
            return  # Not laid out (hidden).
        start, end = region.column_span
        underline = tabs.query_one(Underline)
        if (underline.highlight_start, underline.highlight_end) != (start, end):
            underline.highlight_start, underline.highlight_end = start, end

    @property
    def tabs(self) -> TabbedContent:
        """The inner tabbed content."""
        return self.query_one("#detail-tabs", TabbedContent)

    @property
    def active_tab(self) -> str:
        """The name of the visible tab (``summary`` ...)."""
        return (self.tabs.active or "tab-summary").removeprefix("tab-")

    def show_tab(self, name: str) -> None:
        """Make tab ``name`` visible."""
        self.tabs.active = f"tab-{name}"

    def show(
        self, detail: Detail | None, referrers: list[ReferrerRow], note: str = "Select a tag."
    ) -> None:
        """Render ``detail`` into every tab (``None`` clears the pane, showing ``note``).

        Clearing a pane that already shows ``note`` does nothing: the cursor moving over
        repositories (or a filter keystroke) would otherwise lay out six tabs per key."""
        if detail is None:
            if self._cleared != note:
                self._cleared = note
                for tab in TABS:
                    self._body(tab).update(Text(note, style="dim"))
            return
        self._cleared = None
        summary: list[RenderableType] = [kv_table(detail.summary)]
        if detail.error:
            summary.insert(0, Text(f"! {detail.error}", style="bold red"))
        from rich.console import Group

        self._body("summary").update(Group(*summary))
        self._body("manifest").update(json_view(detail.pretty_json))
        self._body("config").update(json_view(detail.pretty_config))
        self._body("layers").update(self._layers(detail))
        self._body("annotations").update(
            kv_table(sorted(detail.annotations.items()))
            if detail.annotations
            else Text("No annotations.", style="dim")
        )
        self._body("referrers").update(referrers_table(referrers))

    @staticmethod
    def _layers(detail: Detail) -> RenderableType:
        if not detail.layers:
            return Text("No layers.", style="dim")
        table = Table(box=None, padding=(0, 1), header_style="bold", expand=True)
        table.add_column("#", justify="right")
        table.add_column("digest", no_wrap=True)
        table.add_column("size", justify="right", no_wrap=True)
        table.add_column("media type", no_wrap=True, overflow="ellipsis")
        for row in detail.layers:
            table.add_row(
                str(row.index), row.digest.short, human_size(row.size), safe(row.media_type)
            )
        return table

    def _body(self, tab: str) -> Static:
        return self.query_one(f"#body-{tab}", Static)

    def action_next_tab(self) -> None:
        """Show the next tab (wrapping)."""
        self._step(1)

    def action_previous_tab(self) -> None:
        """Show the previous tab (wrapping)."""
        self._step(-1)

    def _step(self, delta: int) -> None:
        self.show_tab(TABS[(TABS.index(self.active_tab) + delta) % len(TABS)])

    def action_scroll_body(self, delta: int) -> None:
        """Scroll the visible tab's body by lines."""
        self.query_one(f"#scroll-{self.active_tab}", VerticalScroll).scroll_relative(
            y=delta, animate=False
        )

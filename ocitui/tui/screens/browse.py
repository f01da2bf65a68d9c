"""Browse: the layout tree beside the detail tabs, with a status line (the start screen)."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input

from ocitui.core.verify.model import Badge
from ocitui.core.views import LayoutTree, build_tree, filter_tree
from ocitui.core.views_detail import (
    Detail,
    LayoutStats,
    ReferrerRow,
    layout_stats,
    load_detail,
    referrer_rows,
)
from ocitui.tui.screens.base import PaneScreen
from ocitui.tui.widgets.detail import DetailPane
from ocitui.tui.widgets.layout_tree import LayoutTreeView, NodeData
from ocitui.tui.widgets.panebar import PaneBar
from ocitui.tui.widgets.status import StatusLine


class BrowseScreen(PaneScreen):
    """Tree of registries, repositories and tags; details of the selection."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="browse.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="browse.clear_filter"),
        Binding("m", "mark", "Mark", id="browse.mark"),
        Binding("d", "diff", "Diff", id="browse.diff"),
        Binding("r", "referrers", "Referrers", id="browse.referrers"),
        Binding("a", "attach", "Attach", id="browse.attach"),
        Binding("s", "sync", "Sync", id="browse.sync"),
        Binding("R", "refresh", "Refresh", id="browse.refresh"),
        Binding("right_square_bracket", "tab(1)", "Next tab", show=False, id="browse.next_tab"),
        Binding("left_square_bracket", "tab(-1)", "Prev tab", show=False, id="browse.prev_tab"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._model: LayoutTree | None = None
        self._stats: LayoutStats | None = None

    def compose(self) -> ComposeResult:
        """Pane bar; tree (with its filter) | detail tabs; status; footer."""
        yield PaneBar("browse")
        with Horizontal(id="browse-body"):
            with Vertical(id="tree-column"):
                yield Input(placeholder="filter tags…", id="filter")
                yield LayoutTreeView(self.ocitui.layout, id="tree")
            yield DetailPane(id="detail")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        """Hide the filter and load the tree."""
        self.query_one("#filter", Input).display = False
        self.query_one(LayoutTreeView).focus()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        """Redraw the mark in the status line when coming back from another pane."""
        self._update_status()

    # -- loading -------------------------------------------------------------------------

    def action_refresh(self) -> None:
        """Re-read index.json and rebuild the tree (in a thread: it hashes manifests)."""
        self._load_tree()

    @work(thread=True, exclusive=True, group="browse.tree", exit_on_error=False)
    def _load_tree(self) -> None:
        layout = self.ocitui.layout
        model, stats = build_tree(layout), layout_stats(layout)
        self.app.call_from_thread(self._tree_loaded, model, stats)

    def _tree_loaded(self, model: LayoutTree, stats: LayoutStats) -> None:
        self._model, self._stats = model, stats
        self._apply_filter()
        self._update_status()
        if self.ocitui.verdicts is not None:
            self._load_badges(model)

    @work(thread=True, exclusive=True, group="browse.badges", exit_on_error=False)
    def _load_badges(self, model: LayoutTree) -> None:
        """Verify every tag under the policy (cached by digest) and badge the tree."""
        cache, layout = self.ocitui.verdicts, self.ocitui.layout
        assert cache is not None
        badges: dict[str, Badge] = {}
        for reg in model.registries:
            for repo in reg.repositories:
                for item in repo.tags:
                    digest = item.info.descriptor.digest
                    badges[item.ref_name] = cache.verdict(layout, digest, item.ref_name).badge
        self.app.call_from_thread(self.query_one(LayoutTreeView).set_badges, badges)

    def _apply_filter(self) -> None:
        if self._model is None:
            return
        text = self.query_one("#filter", Input).value
        self.query_one(LayoutTreeView).populate(filter_tree(self._model, text))

    def _update_status(self) -> None:
        app = self.ocitui
        mark = app.mark.name if app.mark is not None else None
        self.query_one(StatusLine).set_status(str(app.layout.root), self._stats, mark)

    @on(LayoutTreeView.Chosen)
    def _chosen(self, event: LayoutTreeView.Chosen) -> None:
        data = event.data
        if data is not None and data.info is None:  # A bundle's locked image, absent.
            self.ocitui.selection = None
            note = f"{data.name}\nis locked by the bundle but not in this layout (pull it)."
            self.query_one(DetailPane).show(None, [], note)
            return
        self.ocitui.selection = data
        if data is None:
            self.query_one(DetailPane).show(None, [])
            return
        self._load_detail(data)

    @work(thread=True, exclusive=True, group="browse.detail", exit_on_error=False)
    def _load_detail(self, data: NodeData) -> None:
        assert data.info is not None
        layout = self.ocitui.layout
        desc = data.info.descriptor
        detail = load_detail(layout, desc)
        rows = referrer_rows(layout, desc.digest)
        self.app.call_from_thread(self._detail_loaded, detail, rows)

    def _detail_loaded(self, detail: Detail, rows: list[ReferrerRow]) -> None:
        self.query_one(DetailPane).show(detail, rows)

    def select_ref(self, ref: str) -> None:
        """Move the cursor to the tag named ``ref`` (clearing any filter)."""
        field = self.query_one("#filter", Input)
        if field.value:
            field.value = ""
            self._apply_filter()
        tree = self.query_one(LayoutTreeView)
        if not tree.select_name(ref):
            self.notify(f"{ref} is not in the tree", severity="warning")
        tree.focus()

    def action_tab(self, delta: int) -> None:
        """Show the next (1) or previous (-1) detail tab."""
        pane = self.query_one(DetailPane)
        pane.action_next_tab() if delta > 0 else pane.action_previous_tab()

    # -- filter --------------------------------------------------------------------------

    def action_filter(self) -> None:
        """Show the filter input and focus it."""
        field = self.query_one("#filter", Input)
        field.display = True
        field.focus()

    def action_clear_filter(self) -> None:
        """Empty and hide the filter; back to the tree."""
        field = self.query_one("#filter", Input)
        if field.value:
            field.value = ""
            self._apply_filter()
        field.display = False
        self.query_one(LayoutTreeView).focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._apply_filter()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(LayoutTreeView).focus()

    # -- actions on the selection --------------------------------------------------------

    def _need_selection(self) -> NodeData | None:
        data = self.query_one(LayoutTreeView).selected
        if data is None:
            self.notify("Select a tag, platform or referrer first.", severity="warning")
        return data

    def action_mark(self) -> None:
        """Mark the selection as side A of a diff."""
        data = self._need_selection()
        if data is not None:
            self.ocitui.mark = data
            self.notify(f"Marked {data.name}", title="Mark")
            self._update_status()

    def action_diff(self) -> None:
        """Diff the mark against the selection."""
        data = self._need_selection()
        if data is not None:
            self.ocitui.start_diff(data)

    def action_referrers(self) -> None:
        """Open the Referrers pane on the selection."""
        if self._need_selection() is not None:
            self.ocitui.switch_pane("referrers")

    def action_attach(self) -> None:
        """Attach a file to the selection as a new referrer."""
        data = self._need_selection()
        if data is not None:
            self.ocitui.attach_to(data, then=self.action_refresh)

    def action_sync(self) -> None:
        """Open the Sync pane (prefilled with the selection's reference)."""
        self.ocitui.switch_pane("sync")

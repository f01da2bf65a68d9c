"""Browse: the layout tree beside the detail tabs, with a status line (the start screen)."""

from __future__ import annotations

from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input

from ocitui.core.errors import OcituiError
from ocitui.core.views_detail import (
    Detail,
    ReferrerRow,
    load_detail,
    referrer_rows,
)
from ocitui.core.views_locate import locate
from ocitui.tui.screens import manage
from ocitui.tui.screens.browse_load import WATCH_SECONDS, TreeLoader
from ocitui.tui.widgets.detail import DetailPane
from ocitui.tui.widgets.filter_field import FilterField
from ocitui.tui.widgets.keybar import KeyBar
from ocitui.tui.widgets.layout_tree import LayoutTreeView, NodeData
from ocitui.tui.widgets.panebar import PaneBar
from ocitui.tui.widgets.status import StatusLine


class BrowseScreen(TreeLoader):
    """Tree of registries, repositories and tags; details of the selection."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # A priority binding: handled as it arrives, before the keys typed after it are
        # passed to the tree (which would take the first letters of a fast-typed word).
        Binding("slash", "filter", "Filter", id="browse.filter", priority=True),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="browse.clear_filter"),
        Binding("v", "inside", "View", id="browse.inside"),
        Binding("m", "mark", "Mark", id="browse.mark"),
        Binding("d", "diff", "Diff", id="browse.diff"),
        Binding("r", "referrers", "Referrers", id="browse.referrers"),
        Binding("a", "attach", "Attach", id="browse.attach"),
        Binding("u", "subject", "Subject", show=False, id="browse.subject"),
        Binding("t", "tag", "Tag", show=False, id="browse.tag"),
        Binding("D,delete", "remove", "Remove", show=False, id="browse.remove"),
        Binding("c", "gc", "Clean (gc)", show=False, id="browse.gc"),
        Binding("F", "fsck", "Check (fsck)", show=False, id="browse.fsck"),
        Binding("x", "export", "Export", show=False, id="browse.export"),
        Binding("I", "import", "Import", show=False, id="browse.import"),
        Binding("s", "sync", "Sync", id="browse.sync"),
        Binding("R", "refresh", "Refresh", id="browse.refresh"),
        Binding("right_square_bracket", "tab(1)", "Next tab", show=False, id="browse.next_tab"),
        Binding("left_square_bracket", "tab(-1)", "Prev tab", show=False, id="browse.prev_tab"),
    ]

    def compose(self) -> ComposeResult:
        """Pane bar; tree (with its filter) | detail tabs; status; footer."""
        yield PaneBar("browse")
        with Horizontal(id="browse-body"):
            with Vertical(id="tree-column"):
                yield FilterField(
                    lambda _text: self._apply_filter(), placeholder="filter tags…", id="filter"
                )
                yield LayoutTreeView(self.ocitui.layout, id="tree")
            yield DetailPane(id="detail")
        yield StatusLine(id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        """Hide the filter, load the tree, and watch ``index.json`` for other writers."""
        self._show_filter(False)
        self.query_one(LayoutTreeView).focus()
        ref = self.ocitui.initial_ref
        if ref:
            try:
                self._restore = locate(self.ocitui.layout, ref)
            except OcituiError as exc:
                self.ocitui.show_error(exc, "Opening " + ref)
        self.action_refresh()
        self.set_interval(WATCH_SECONDS, self._watch_index)

    def on_screen_resume(self) -> None:
        """Redraw the mark in the status line when coming back from another pane."""
        self._update_status()

    @on(LayoutTreeView.NodeSelected)
    def _enter(self, event: LayoutTreeView.NodeSelected[NodeData]) -> None:
        """Enter on a leaf (a referrer, a platform image) looks inside it."""
        if not event.node.allow_expand and event.node.data is not None and event.node.data.info:
            self.action_inside()

    @on(LayoutTreeView.Chosen)
    def _chosen(self, event: LayoutTreeView.Chosen) -> None:
        data = event.data
        if data is not None and data.info is None:  # A bundle's locked image, absent.
            self.ocitui.selection = None
            note = f"{data.name}\nis locked by the bundle but not in this layout (pull it)."
            self.query_one(DetailPane).show(None, [], note)
            return
        self.ocitui.selection = data
        self.ocitui.selection_top = self.query_one(LayoutTreeView).top_name()
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
        self.query_one("#filter", Input).value = ""  # The tree follows (FilterField).
        tree = self.query_one(LayoutTreeView)
        if not tree.select_name(ref):
            self.notify(f"{ref} is not in the tree", severity="warning")
        tree.focus()

    def action_tab(self, delta: int) -> None:
        """Show the next (1) or previous (-1) detail tab."""
        pane = self.query_one(DetailPane)
        pane.action_next_tab() if delta > 0 else pane.action_previous_tab()

    # -- filter --------------------------------------------------------------------------

    def _show_filter(self, shown: bool) -> None:
        """Show or hide the filter; hidden, it cannot take the focus (and the keys) from
        the tree, e.g. while the tree is covered by its loading indicator."""
        field = self.query_one("#filter", Input)
        field.display = shown
        field.disabled = not shown

    def action_filter(self) -> None:
        """Show the filter input and focus it at once: keys typed right after ``/``
        (already waiting in the queue) go into the filter, not to the tree. In the
        filter, ``/`` is text (``team/app``)."""
        field = self.query_one("#filter", Input)
        if self.focused is field:  # After the keys already queued for it.
            field.post_message(events.Key("slash", "/"))
            return
        self._show_filter(True)
        self.set_focus(field)

    def action_clear_filter(self) -> None:
        """Empty and hide the filter; back to the tree."""
        self.query_one("#filter", Input).value = ""  # The tree follows (FilterField).
        self._show_filter(False)
        self.query_one(LayoutTreeView).focus()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(LayoutTreeView).focus()

    # -- actions on the selection --------------------------------------------------------

    def _need_selection(self) -> NodeData | None:
        data = self.query_one(LayoutTreeView).selected
        if data is None:
            self.notify("Select a tag, platform or referrer first.", severity="warning")
        return data

    def action_inside(self) -> None:
        """Look inside the selection: SBOM, attestation, signature, config, any blob."""
        data = self._need_selection()
        if data is not None and data.info is not None:
            # Imported when first used: the viewers bring syntax highlighting (pygments),
            # which the start of Browse does not need.
            from ocitui.tui.screens.inside import InsideScreen

            self.app.push_screen(InsideScreen(data.name, data.info.descriptor))

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

    def action_subject(self) -> None:
        """From a referrer (or platform, or legacy tag) to what it belongs to."""
        tree = self.query_one(LayoutTreeView)
        node = tree.cursor_node
        if node is None or node.parent is None or node.parent is tree.root:
            self.notify("Already at the top: no subject above.", severity="warning")
            return
        tree.move_cursor(node.parent)

    def action_tag(self) -> None:
        """Name the selection (``ocitui tag``)."""
        if (data := self._need_selection()) is not None:
            manage.tag(self.ocitui, data)

    def action_remove(self) -> None:
        """Drop the selection from index.json (``ocitui rm``)."""
        if (data := self._need_selection()) is not None:
            manage.remove(self.ocitui, data)

    def action_gc(self) -> None:
        """Free unreachable blobs after a dry-run preview (``ocitui gc``)."""
        manage.collect_garbage(self.ocitui)

    def action_fsck(self) -> None:
        """Verify every blob and index entry (``ocitui fsck``)."""
        manage.check_layout(self.ocitui)

    def action_export(self) -> None:
        """Export the selection to an archive (``ocitui export``)."""
        manage.export(self.ocitui, self.query_one(LayoutTreeView).selected)

    def action_import(self) -> None:
        """Import an archive (``ocitui import``)."""
        manage.import_archive(self.ocitui)

    def action_sync(self) -> None:
        """Open the Sync pane (prefilled with the selection's reference)."""
        self.ocitui.switch_pane("sync")

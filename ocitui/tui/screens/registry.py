"""Registry (pane 5): browse a remote registry as a tree and pull what is selected.

Type a registry (its catalog is listed where it allows it; a refusal says so and asks for
a repository) or ``registry/repo`` in the field and press enter. The tree reads one level
per expansion through the core's Target door (:mod:`ocitui.core.views_registry`):
repositories -> tags -> platforms, referrers (each checked against its subject; one that
names another subject is flagged, never shown as valid) and legacy tags. Keys as in
Browse: ``j``/``k``, enter (expand), ``/`` filter, ``v`` look inside, ``y``/``Y`` copy,
``p`` pull into the layout with progress. Registry options (``--plain-http``,
``--ca-file``, credentials) come from the command line through the app's client factory.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, ProgressBar, Static, Tree
from textual.widgets.tree import TreeNode

from ocitui.core.events import Event, Retrying
from ocitui.core.layout import Layout
from ocitui.core.reference import parse_reference
from ocitui.core.sync import SyncFilter, plan_pull, run
from ocitui.core.target.registry import RegistryTarget
from ocitui.core.text_safety import one_line_safe
from ocitui.core.views_registry import (
    Catalog,
    Expansion,
    RemoteNode,
    expand,
    node_rows,
    read_catalog,
    verdict_rows,
)
from ocitui.core.views_registry_search import Kept, RegistryFilter
from ocitui.core.views_remote import remote_detail
from ocitui.core.views_sync import SyncProgress
from ocitui.core.views_text import plural
from ocitui.tui.safe import safe_lines
from ocitui.tui.screens.base import PaneScreen
from ocitui.tui.screens.inside import InsideScreen
from ocitui.tui.screens.sync import progress_view, table_rows
from ocitui.tui.widgets.detail import kv_table
from ocitui.tui.widgets.keybar import KeyBar
from ocitui.tui.widgets.labels import kind_style
from ocitui.tui.widgets.panebar import PaneBar
from ocitui.tui.widgets.status import StatusLine
from ocitui.tui.widgets.tree_nodes import NodeData
from ocitui.tui.widgets.tree_steps import SteppingTree
from ocitui.tui.widgets.tree_window import Adder, WindowTree

#: Seconds the cursor must rest on a node before its detail is read.
SETTLE_SECONDS = 0.15
#: Most bytes ``v`` fetches to look inside remote content (into a scratch layout).
INSIDE_LIMIT = 64 * 1024 * 1024


class RegistryTree(SteppingTree[NodeData], WindowTree):
    """The registry's tree; Browse's keys (``j``/``k``, ``l``/``h``) beside the arrows.

    Built as Browse's is, a page at a time (:class:`~ocitui.tui.widgets.tree_window.
    WindowTree`): a catalog of thousands of repositories, or a repository of thousands
    of tags, builds :data:`~ocitui.tui.widgets.tree_window.PAGE` nodes and a "… N more"
    node, so a filter keystroke costs a page, not the catalog. Each node's
    :attr:`NodeData.remote` is the registry node it shows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="registry.down"),
        Binding("k", "cursor_up", "Up", show=False, id="registry.up"),
        Binding("l,right", "expand", "Expand", show=False, id="registry.expand"),
        Binding("h,left", "collapse", "Collapse", show=False, id="registry.collapse"),
    ]

    def __init__(self, label: str = "registry", *, id: str | None = None) -> None:
        super().__init__(label, data=NodeData("root", label), id=id)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        """A "more" node builds its page; the screen hears about the node then under the
        cursor instead."""
        if self.page_highlighted(event.node):
            event.stop()

    def show_pages(
        self, parent: TreeNode[NodeData], items: Sequence[Any], add: Adder, noun: str
    ) -> None:
        """Put ``items`` under ``parent`` (replacing its children), the first page built."""
        self._fill_later(parent, items, add, noun, _item_name)
        self._show_at(parent, 0)

    def start_over(self, label: str) -> None:
        """Empty the tree (and its pages) under a root labelled ``label``."""
        self.reset(label, NodeData("root", label))
        self._windows.clear()


def _item_name(item: Any) -> str:
    node = item[0] if isinstance(item, tuple) else item
    return str(node.key)


def remote_of(node: TreeNode[NodeData] | None) -> RemoteNode | None:
    """The registry node a tree node shows (``None``: a note, a "more" node, the root)."""
    return node.data.remote if node is not None and node.data is not None else None


def node_label(node: RemoteNode, summary: str = "") -> Text:
    """A tree row: name emphasised, type coloured by kind, the subject check first (green
    ✓, red ✗ or ?) so a narrow column keeps it. Names come from the registry: sanitised."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if node.kind in ("repository", "tag", "platform"):
        text.append(one_line_safe(node.label), style="bold" if node.kind == "tag" else "")
    else:
        text.append("↳ ", style="dim")
        if node.mark:
            text.append(
                f"{node.mark} ", style="green" if node.verdict == "verified" else "bold red"
            )
        short = f"@{node.descriptor.digest.encoded[:8]}  " if node.descriptor else ""
        text.append(short, style="italic")
        kind = one_line_safe(node.type_label)
        text.append(kind, style=kind_style(kind) or "dim")
        if node.verdict_text:
            text.append(f"  {one_line_safe(node.verdict_text)}", style="bold red")
    if summary:
        text.append(f"  {summary}", style="dim")
    return text


class RegistryScreen(PaneScreen):
    """A registry's repositories, tags and verified referrer trees; pull with ``p``."""

    AUTO_FOCUS = "#registry-target"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="registry.filter"),
        Binding("v", "inside", "View", id="registry.inside"),
        Binding("p", "pull", "Pull", id="registry.pull"),
        Binding("y", "copy(False)", "Copy", id="registry.copy_digest"),
        Binding("Y", "copy(True)", "Copy ref", show=False, id="registry.copy_ref"),
        Binding("o", "open", "Open", show=False, id="registry.open"),
        Binding("R", "reload", "Reload", id="registry.reload"),
        Binding("escape", "back", "Back", show=False, id="registry.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.catalog: Catalog | None = None
        #: What each expanded node holds, by :attr:`RemoteNode.key`.
        self.expansions: dict[str, Expansion] = {}
        #: ``/``: what it keeps, its terms kept across keystrokes.
        self._filter = RegistryFilter()
        #: What the tree shows (the filter's answer it was built from).
        self._shown: Kept | None = None
        self.progress = SyncProgress()
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    def compose(self) -> ComposeResult:
        """Pane bar, registry field, tree (with filter) | detail, progress, status, keys."""
        yield PaneBar("registry")
        with Vertical(classes="form", id="registry-form"), Horizontal(classes="row"):
            yield Label("registry", classes="field-label")
            yield Input(placeholder="registry.example.com[/repo], enter", id="registry-target")
        with Horizontal(id="registry-body"):
            with Vertical(id="registry-left"):
                yield Input(placeholder="filter names, types, digests…", id="registry-filter")
                yield RegistryTree("registry", id="registry-tree")
            with VerticalScroll(id="registry-scroll"):
                yield Static(
                    Text("Type a registry or registry/repository and press enter.", style="dim"),
                    id="registry-detail",
                )
        yield ProgressBar(id="registry-bar", show_eta=False)
        yield StatusLine(id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        """Nothing is read until a registry is typed."""
        self.query_one(ProgressBar).display = False
        tree = self.query_one(RegistryTree)
        tree.show_root = False
        tree.guide_depth = 2

    def _status(self, note: str) -> None:
        target = self.query_one("#registry-target", Input).value.strip() or "no registry"
        self.query_one(StatusLine).set_status(target, None, None, note)

    def _show(self, body: RenderableType) -> None:
        self.query_one("#registry-detail", Static).update(body)

    # -- the tree ----------------------------------------------------------------------

    @on(Input.Submitted, "#registry-target")
    def action_reload(self) -> None:
        """(Re)read what the field names: a registry's catalog, or one repository."""
        text = self.query_one("#registry-target", Input).value.strip().rstrip("/")
        if not text:
            self.notify("Type a registry first.", severity="warning", title="Registry")
            return
        self.expansions.clear()
        self._filter.forget()
        self.catalog = None
        self._shown = None
        self._status("listing repositories…" if "/" not in text else "listing tags…")
        self._load(text)

    @work(exclusive=True, group="registry.load", exit_on_error=False)
    async def _load(self, text: str) -> None:
        if "/" in text:
            repo = parse_reference(text, default_tag=None)
            self.catalog = Catalog(repo.registry, (repo.repository,))
        else:
            registry = parse_reference(f"{text}/x").registry
            async with self.ocitui.registry_client() as client:
                self.catalog = await read_catalog(RegistryTarget(client), registry)
        self._rebuild()
        tree = self.query_one(RegistryTree)
        if self.catalog.refused:
            self._show(safe_lines(self.catalog.refused, "yellow"))
            self._status("catalog refused: type a repository")
            field = self.query_one("#registry-target", Input)
            field.value = f"{self.catalog.registry}/"
            field.cursor_position = len(field.value)
            field.focus()
            return
        count = plural(len(self.catalog.repositories), "repository", "repositories")
        self._status(f"{count} in {self.catalog.registry}")
        tree.focus()
        if len(self.catalog.repositories) == 1 and tree.root.children:
            tree.root.children[0].expand()
        tree.move_cursor_to_line(0)

    def _rebuild(self) -> None:
        """Redraw the tree from the catalog and the expansions read so far (filtered);
        a keystroke that keeps what is shown leaves the tree (and the cursor) as it is."""
        tree = self.query_one(RegistryTree)
        catalog = self.catalog
        if catalog is None:
            tree.start_over("registry")
            self._shown = None
            return
        needle = self.query_one("#registry-filter", Input).value.strip()
        shown = self._filter.keep(catalog, self.expansions, needle)
        if shown is self._shown and tree.root.children:
            return
        self._shown = shown
        tree.start_over(catalog.registry)
        if needle and not shown:
            tree.root.add_leaf(Text(f"No matches for '{needle}'.", style="dim"), None)
            return
        tree.show_pages(tree.root, shown, self._add_kept, "repositories")

    def _add_kept(
        self,
        parent: TreeNode[NodeData],
        item: tuple[RemoteNode, tuple[RemoteNode, ...] | None],
        before: TreeNode[NodeData] | None,
    ) -> TreeNode[NodeData]:
        node, only = item
        branch = self._add(parent, node, before)
        known = self.expansions.get(node.key)
        if known is not None:
            self._fill(branch, known, only)
        return branch

    def _add(
        self,
        parent: TreeNode[NodeData],
        node: RemoteNode,
        before: TreeNode[NodeData] | None = None,
    ) -> TreeNode[NodeData]:
        known = self.expansions.get(node.key)
        label = node_label(node, known.short if known else "")
        data = NodeData(node.kind, node.key, remote=node)
        return parent.add(label, data, before=before, allow_expand=node.expandable)

    def _add_read(
        self, parent: TreeNode[NodeData], node: RemoteNode, before: TreeNode[NodeData] | None
    ) -> TreeNode[NodeData]:
        """A child node, with what was read below it (open)."""
        sub = self._add(parent, node, before)
        below = self.expansions.get(node.key)
        if below is not None:
            self._fill(sub, below)
            sub.expand()
        return sub

    def _fill(
        self,
        branch: TreeNode[NodeData],
        known: Expansion,
        only: tuple[RemoteNode, ...] | None = None,
    ) -> None:
        """Put an expansion's children under ``branch`` (a page at a time; recursively
        for those read)."""
        children = only if only is not None else known.children
        noun = "tags" if known.children and known.children[0].kind == "tag" else "entries"
        self.query_one(RegistryTree).show_pages(branch, children, self._add_read, noun)
        branch.expand()

    @on(Tree.NodeExpanded, "#registry-tree")
    def _expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        node = remote_of(event.node)
        if node is None or node.key in self.expansions or event.node.children:
            return
        event.node.add_leaf(Text("reading…", style="dim italic"), None)
        self._expand(event.node, node)

    @work(group="registry.expand", exit_on_error=False)
    async def _expand(self, branch: TreeNode[NodeData], node: RemoteNode) -> None:
        try:
            async with self.ocitui.registry_client() as client:
                known = await expand(RegistryTarget(client), node)
        except BaseException:
            branch.remove_children()
            branch.collapse()
            raise
        self.expansions[node.key] = known
        self._filter.forget()  # The new level is searched by the next keystroke.
        self._shown = None
        branch.set_label(node_label(node, known.short))
        self._fill(branch, known)
        if not known.children:
            branch.allow_expand = False

    # -- detail ------------------------------------------------------------------------

    @property
    def selected(self) -> RemoteNode | None:
        """The node under the cursor."""
        return remote_of(self.query_one(RegistryTree).cursor_node)

    @on(Tree.NodeHighlighted, "#registry-tree")
    def _highlighted(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        node = remote_of(event.node)
        self.workers.cancel_group(self, "registry.detail")  # An older read must not land.
        if node is not None:
            self._show(kv_table(node_rows(node, self.expansions.get(node.key))))
            if node.kind != "repository" and node.verdict in (None, "verified"):
                self._detail(node)

    @work(exclusive=True, group="registry.detail", exit_on_error=False)
    async def _detail(self, node: RemoteNode) -> None:
        await asyncio.sleep(SETTLE_SECONDS)  # A newer highlight cancels this one first.
        async with self.ocitui.registry_client() as client:
            detail = await remote_detail(client, node.ref)
        self._show(kv_table(verdict_rows(node) + detail.rows))

    # -- actions -----------------------------------------------------------------------

    def action_filter(self) -> None:
        """Focus the filter (what it keeps: :mod:`ocitui.core.views_registry_search`)."""
        self.query_one("#registry-filter", Input).focus()

    @on(Input.Changed, "#registry-filter")
    def _filter_changed(self) -> None:
        self._rebuild()

    @on(Input.Submitted, "#registry-filter")
    def _filter_done(self) -> None:
        self.query_one(RegistryTree).focus()

    def action_open(self) -> None:
        """Focus the registry field (to type another registry or a repository)."""
        self.query_one("#registry-target", Input).focus()

    def action_back(self) -> None:
        """Leave a field for the tree; on the tree, clear the filter."""
        if isinstance(self.focused, Input) and self.catalog is not None:
            self.query_one(RegistryTree).focus()
        elif self.query_one("#registry-filter", Input).value:
            self.query_one("#registry-filter", Input).value = ""

    def _digest_of(self, node: RemoteNode) -> str | None:
        if node.descriptor is not None:
            return str(node.descriptor.digest)
        known = self.expansions.get(node.key)
        return str(known.descriptor.digest) if known and known.descriptor else None

    def action_copy(self, full: bool) -> None:
        """``y`` copies the digest, ``Y`` the full reference (OSC 52)."""
        node = self.selected
        digest = self._digest_of(node) if node is not None else None
        if node is None or (not full and digest is None):
            self.notify("Select (and expand) a tag, platform or referrer.", severity="warning")
            return
        text = node.ref if full or digest is None else digest
        self.app.copy_to_clipboard(text)
        self.notify(text, title="Copied reference" if full else "Copied digest")

    def action_pull(self) -> None:
        """Pull the selected tag, platform or verified referrer into the layout."""
        node = self.selected
        if node is None or not node.pullable:
            why = "a flagged referrer is not pulled" if node and node.verdict else "select a tag"
            self.notify(f"Nothing to pull: {why}.", severity="warning", title="Pull")
            return
        self.progress = SyncProgress()
        self._show(safe_lines(f"Planning the pull of {node.ref}…", "dim"))
        self._pull(node.ref)

    @work(exclusive=True, group="registry.pull", exit_on_error=False)
    async def _pull(self, ref: str) -> None:
        layout = self.ocitui.layout
        async with self.ocitui.registry_client() as client:
            plan = await plan_pull(client, layout, [ref], SyncFilter())
            self.query_one(ProgressBar).display = True
            await run(plan, emit=self.apply_event)
        self.query_one(ProgressBar).display = False
        report = self.progress.report
        if report is not None:
            from ocitui.core.views_sync import report_rows

            title = f"Pulled {ref}" if report.ok else f"Pull of {ref}: FAILED"
            self._show(Group(safe_lines(title, "bold"), kv_table(table_rows(report_rows(report)))))
            self._status(title)

    def apply_event(self, event: Event) -> None:
        """Fold a pull's event (or a retry) in and redraw the progress."""
        self.progress.apply(event, asyncio.get_running_loop().time())
        state = self.progress
        bar = self.query_one(ProgressBar)
        bar.update(total=max(state.total_bytes, 1), progress=state.moved_bytes)
        if state.report is None:
            self._show(progress_view(state))

    def worker_failed(self, worker: object) -> None:
        """Say where the answer would have been that it failed (the toast fades; the
        reason is in the error log), instead of leaving "listing repositories…" up."""
        self._show(Text("Failed; see the error log (e).", style="bold red"))
        self._status("failed: see the error log (e)")

    def show_retry(self, event: Retrying) -> None:
        """A registry retry as it happens: in the status line (and a pull's progress)."""
        self._status(f"retrying: {event.reason or 'no answer'} (attempt {event.attempt})")
        if self.progress.plan is not None and self.progress.report is None:
            self.apply_event(event)

    def action_inside(self) -> None:
        """Look inside the selection: fetched (verified) into a scratch layout first."""
        node = self.selected
        if node is None or node.kind == "repository" or not node.pullable:
            self.notify("v looks inside a tag, platform or verified referrer.", severity="warning")
            return
        self._show(safe_lines(f"Fetching {node.ref} to look inside…", "dim"))
        self._inside(node)

    @work(exclusive=True, group="registry.inside", exit_on_error=False)
    async def _inside(self, node: RemoteNode) -> None:
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="ocitui-remote-")
        scratch = Layout.open(Path(self._scratch.name) / "layout", create=True)
        async with self.ocitui.registry_client() as client:
            plan = await plan_pull(client, scratch, [node.ref], SyncFilter(referrers=False))
            size = plan.summary()["bytesToCopy"]
            if size > INSIDE_LIMIT:
                self._show(safe_lines(f"{node.ref} is too large to look inside here; pull it (p)."))
                return
            await run(plan)
        desc = node.descriptor
        if desc is None:  # A tag: what it names, as pulled.
            desc = scratch.resolve(node.ref)
        self._show(kv_table(node_rows(node, self.expansions.get(node.key))))
        self.app.push_screen(InsideScreen(node.title, desc, layout=scratch))

    async def on_unmount(self) -> None:
        """Remove the scratch layout ``v`` fetched into."""
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

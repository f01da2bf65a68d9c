"""The layer file tree (``f`` in the image viewer), in the spirit of dive: pick a layer on
the left, see its changes (or the squashed filesystem up to it) as a tree on the right,
filtered to added, modified or removed paths.

Layers stream in a thread worker (:func:`ocitui.core.inside.filetree.read_files`); the
tree adds a directory's children only when it is opened, so big layers stay quick.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, ProgressBar, Static, Tree
from textual.widgets.tree import TreeNode

from ocitui.core.inside.filetree import ADDED, MODIFIED, REMOVED, ImageFiles, Node, read_files
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor
from ocitui.core.views_text import human_size, plural
from ocitui.tui.safe import safe
from ocitui.tui.screens.base import OcituiScreen
from ocitui.tui.widgets.keybar import KeyBar
from ocitui.tui.widgets.tables import VimTable

STATUS_STYLE = {ADDED: "green", MODIFIED: "yellow", REMOVED: "red strike"}
STATUS_MARK = {ADDED: "+", MODIFIED: "~", REMOVED: "-"}


class DirIndex:
    """Paths grouped by parent directory, with directory sizes summed (built once per view)."""

    def __init__(self, nodes: list[Node]) -> None:
        self.children: dict[str, dict[str, None]] = {}
        self.nodes: dict[str, Node] = {}
        self.sizes: dict[str, int] = {}
        for node in nodes:
            self.nodes[node.path] = node
            parts = node.path.split("/")
            for depth in range(len(parts)):
                parent = "/".join(parts[:depth])
                self.children.setdefault(parent, {})["/".join(parts[: depth + 1])] = None
                if node.status != REMOVED:
                    self.sizes[parent] = self.sizes.get(parent, 0) + node.size

    def listing(self, path: str) -> list[str]:
        """The children of directory ``path``, directories first, then by name."""
        return sorted(self.children.get(path, {}), key=lambda p: (not self.is_dir(p), p))

    def is_dir(self, path: str) -> bool:
        """A directory in this view (it has children, or the layer says so)."""
        node = self.nodes.get(path)
        return path in self.children or (node is not None and node.type == "dir")

    def label(self, path: str) -> Text:
        """``name  size`` coloured by status; directories end in ``/``."""
        name = path.rsplit("/", 1)[-1] or "/"
        node = self.nodes.get(path)
        is_dir = self.is_dir(path)
        text = Text()
        status = node.status if node is not None else ""
        text.append(STATUS_MARK.get(status, " ") + " ", style=STATUS_STYLE.get(status, "dim"))
        text.append(
            safe(name + ("/" if is_dir else ""), STATUS_STYLE.get(status, "bold" if is_dir else ""))
        )
        if node is not None and node.link:
            text.append(safe(f" -> {node.link}", "dim"))
        size = self.sizes.get(path, 0) if is_dir else (node.size if node else 0)
        if size:
            text.append(f"  {human_size(size)}", style="dim")
        if node is not None and node.status == REMOVED:
            text.append("  (whiteout)", style="dim")
        return text


class FilesScreen(OcituiScreen[None]):
    """Layers | file tree, with per-layer / squashed views and status filters."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="files.back"),
        Binding("s", "squash", "Squashed/layer", id="files.squash"),
        Binding("a", "only('added')", "Added", id="files.added"),
        Binding("m", "only('modified')", "Modified", id="files.modified"),
        Binding("r", "only('removed')", "Removed", id="files.removed"),
        Binding("tab", "app.focus_next", "Switch", show=False, id="files.focus"),
    ]

    class Loaded(Message):
        """The layers were read (posted from the worker)."""

        def __init__(self, files: ImageFiles) -> None:
            self.files = files
            super().__init__()

    def __init__(
        self,
        title: str,
        layers: tuple[tuple[Descriptor, str | None], ...],
        *,
        layout: Layout | None = None,
    ) -> None:
        """``layout`` holds the layer blobs (default: the app's)."""
        super().__init__()
        self._layout = layout
        self._title = title
        self._layers = layers
        self.files: ImageFiles | None = None
        self.squashed = False
        self.only: str | None = None
        self._index: DirIndex | None = None

    def compose(self) -> ComposeResult:
        """Heading, progress (while reading), layers | tree, key bar."""
        yield Static(
            Text.assemble(("Files  ", "bold reverse"), " ", safe(self._title, "bold")),
            classes="heading",
            id="files-heading",
        )
        yield ProgressBar(id="files-bar", show_eta=False)
        with Horizontal(id="files-body"):
            with Vertical(id="files-left"):
                yield VimTable(id="files-layers", cursor_type="row")
            yield Tree("/", id="files-tree")
        yield Static(id="files-status", classes="heading")
        yield KeyBar()

    def on_mount(self) -> None:
        """Start reading the layers."""
        table = self.query_one("#files-layers", DataTable)
        for column in ("#", "size", "+", "~", "-"):
            table.add_column(column, key=column)
        self.query_one("#files-status", Static).update(Text("Reading layers…", style="dim italic"))
        self._read()

    @work(thread=True, exclusive=True, group="browse.files", exit_on_error=False)
    def _read(self) -> None:
        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(
                self.query_one("#files-bar", ProgressBar).update, total=max(total, 1), progress=done
            )

        files = read_files(self._layout or self.ocitui.layout, self._layers, progress=progress)
        self.post_message(self.Loaded(files))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.files = event.files
        self.query_one("#files-bar", ProgressBar).display = False
        table = self.query_one("#files-layers", DataTable)
        for layer in event.files.layers:
            table.add_row(
                str(layer.index),
                human_size(layer.size),
                str(layer.count(ADDED)),
                str(layer.count(MODIFIED)),
                str(layer.count(REMOVED)),
                key=str(layer.index),
            )
        table.focus()
        self._show()

    @on(DataTable.RowHighlighted, "#files-layers")
    def _layer_changed(self) -> None:
        self._show()

    @property
    def layer_index(self) -> int:
        """The highlighted layer."""
        return max(self.query_one("#files-layers", DataTable).cursor_row, 0)

    def _show(self) -> None:
        if self.files is None or not self.files.layers:
            return
        layer = min(self.layer_index, len(self.files.layers) - 1)
        nodes = self.files.squashed(layer) if self.squashed else self.files.layers[layer].nodes
        if self.only is not None:
            nodes = [n for n in nodes if n.status == self.only]
        self._index = DirIndex(nodes)
        tree: Tree[str] = self.query_one("#files-tree", Tree)
        tree.clear()
        tree.root.data = ""
        self._grow(tree.root)
        tree.root.expand()
        view = f"layers 0-{layer} squashed" if self.squashed else f"layer {layer}"
        if self.only:
            view += f", {self.only} only"
        info = self.files.layers[layer]
        totals = (
            f"{plural(len(nodes), 'path')} · image {human_size(self.files.total)}"
            f" · wasted {human_size(self.files.wasted)} · layer {info.digest[:19]}"
        )
        self.query_one("#files-status", Static).update(Text(f"{view} · {totals}", style="dim"))

    def _grow(self, node: TreeNode[str]) -> None:
        index = self._index
        if index is None or node.data is None:
            return
        for path in index.listing(node.data):
            node.add(index.label(path), data=path, allow_expand=path in index.children)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[str]) -> None:
        """Add a directory's children the first time it opens (lazy: big layers stay quick)."""
        node = event.node
        if node is not event.node.tree.root and not node.children:
            self._grow(node)

    def action_squash(self) -> None:
        """Toggle between the layer's own changes and the squashed filesystem."""
        self.squashed = not self.squashed
        self._show()

    def action_only(self, status: str) -> None:
        """Show only paths with ``status`` (again: show everything)."""
        self.only = None if self.only == status else status
        self._show()

    def action_back(self) -> None:
        """Back to the image viewer."""
        self.dismiss(None)

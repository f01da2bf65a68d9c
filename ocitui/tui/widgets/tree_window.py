"""Pages of a group node's children: only a window of them is built at a time.

A group (a registry's repositories, a repository's tags, the untagged entries) builds
:data:`PAGE` children at a time: ``items[lo:hi]``, with a "… N earlier" node above them
when ``lo > 0`` and a "… N more" node below when ``hi`` is not the end. Reaching either
node builds the page before or after in its place; finding a name builds the page that
holds it (:meth:`WindowTree._show_at`), not the pages on the way.

Browse's layout tree and the Registry pane's tree both page their groups this way
(:meth:`WindowTree.page_highlighted` is what reaching a "more"/"earlier" node does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import NodeID, TreeNode

from ocitui.tui.widgets.tree_nodes import NodeData, earlier_label, more_label

#: Children built at a time under one node (the rest wait behind a "more" node).
PAGE = 100

#: Adds one item under a group node (before a node, or last) and returns its node.
Adder = Callable[[TreeNode[NodeData], Any, TreeNode[NodeData] | None], TreeNode[NodeData]]


@dataclass
class Window:
    """What a group node shows of its items: ``items[lo:hi]`` built, below an "earlier"
    node when ``lo > 0`` and above a "more" node when ``hi < len(items)``."""

    items: Sequence[Any]
    add: Adder
    noun: str
    #: An item's name (a repository's, a tag's reference, an untagged entry's digest).
    name: Callable[[Any], str]
    lo: int = 0
    hi: int = 0
    _index: dict[str, int] | None = field(default=None, repr=False)

    def index(self, name: str) -> int | None:
        """Where the item named ``name`` is among the items (worked out when first asked)."""
        if self._index is None:
            self._index = {self.name(item): i for i, item in enumerate(self.items)}
        return self._index.get(name)


class WindowTree(Tree[NodeData]):
    """A tree whose group nodes build their children a page at a time."""

    def __init__(self, label: str, data: NodeData, *, id: str | None = None) -> None:
        super().__init__(label, data=data, id=id)
        #: What each group node shows of its items, by node id.
        self._windows: dict[NodeID, Window] = {}
        #: The cursor's line when a node was last highlighted (which way it moves).
        self._came_from = -1

    def cursor_to(self, node: TreeNode[NodeData]) -> None:
        """Move the cursor to ``node`` now (laying out the lines of nodes just built), and
        announce it even when it lands on the line the cursor was on."""
        _ = self.last_line  # Lays the lines out: a node just built has none before.
        line = self.cursor_line
        self.move_cursor(node)
        if self.cursor_line == line:  # No change of line: Tree says nothing.
            self.post_message(Tree.NodeHighlighted(node))

    def page_highlighted(self, node: TreeNode[NodeData]) -> bool:
        """Call on every highlight. On a "more" ("earlier") node, build the next
        (previous) page in its place: the cursor then rests on the page's first node, or
        on its last when it came from below (``k`` onto "earlier"). False (nothing done)
        on any other node."""
        data = node.data
        line, self._came_from = self._came_from, self.cursor_line
        if data is None or data.kind not in ("more", "earlier"):
            return False
        built = self.open_page(node)
        if built is not None and data.kind == "earlier":
            self.cursor_to(built[1] if line > self.cursor_line else built[0])
        else:
            self.call_after_refresh(self._announce)
        return True

    def open_page(
        self, node: TreeNode[NodeData]
    ) -> tuple[TreeNode[NodeData], TreeNode[NodeData]] | None:
        """Build the page a "more"/"earlier" node stands for in its place (once); the
        page's first and last node."""
        data = node.data
        if data is None or data.loaded or data.fill is None:
            return None
        data.loaded = True
        node.remove()
        return data.fill()

    def _announce(self) -> None:
        """Say which node the cursor is on once a page took the place of the node it was
        on (the line did not change, so Tree said nothing)."""
        node = self.cursor_node
        if node is not None and (node.data is None or node.data.kind not in ("more", "earlier")):
            self.post_message(Tree.NodeHighlighted(node))

    def _fill_later(
        self,
        node: TreeNode[NodeData],
        items: Sequence[Any],
        add: Adder,
        noun: str,
        name: Callable[[Any], str],
    ) -> None:
        """Let ``node`` build its children (a page at a time) when it first opens."""
        assert node.data is not None
        self._windows[node.id] = Window(items, add, noun, name)
        node.data.fill = lambda: self._show_at(node, 0)

    def _show_at(self, parent: TreeNode[NodeData], index: int) -> None:
        """Build (only) the page of ``parent``'s items that holds ``index``, between an
        "earlier" node and a "more" node standing for the pages before and after it."""
        window = self._windows[parent.id]
        for child in parent.children:
            self._windows.pop(child.id, None)
        if parent.children:
            parent.remove_children()
        window.lo = index - index % PAGE
        window.hi = window.lo
        if window.lo:
            self._add_earlier(parent, window, None)
        self._next_page(parent)

    def _next_page(
        self, parent: TreeNode[NodeData]
    ) -> tuple[TreeNode[NodeData], TreeNode[NodeData]] | None:
        """Add the page after those built, then a "more" node if any are left."""
        window = self._windows[parent.id]
        start, window.hi = window.hi, min(window.hi + PAGE, len(window.items))
        built = [window.add(parent, item, None) for item in window.items[start : window.hi]]
        rest = len(window.items) - window.hi
        if rest > 0:
            data = NodeData("more", f"{rest} more {window.noun}")
            data.fill = lambda: self._next_page(parent)
            parent.add_leaf(more_label(rest, window.noun), data)
        return (built[0], built[-1]) if built else None

    def _previous_page(
        self, parent: TreeNode[NodeData]
    ) -> tuple[TreeNode[NodeData], TreeNode[NodeData]] | None:
        """Add the page before those built (above them), under an "earlier" node if
        any are left."""
        window = self._windows[parent.id]
        end, window.lo = window.lo, max(window.lo - PAGE, 0)
        first = parent.children[0] if parent.children else None
        built = [window.add(parent, item, first) for item in window.items[window.lo : end]]
        if window.lo and built:
            self._add_earlier(parent, window, built[0])
        return (built[0], built[-1]) if built else None

    def _add_earlier(
        self, parent: TreeNode[NodeData], window: Window, before: TreeNode[NodeData] | None
    ) -> None:
        data = NodeData("earlier", f"{window.lo} earlier {window.noun}")
        data.fill = lambda: self._previous_page(parent)
        parent.add(earlier_label(window.lo, window.noun), data, before=before, allow_expand=False)

    def get_label_width(self, node: TreeNode[NodeData]) -> int:
        """A label's width in cells, without rendering it: Tree asks for every built
        line's width each time a node is added or removed (the widest sets the scroll
        width), and its default renders the label to measure it."""
        label = node.label
        width = label.cell_len if isinstance(label, Text) else cell_len(label)
        if node.allow_expand:
            width += cell_len(self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE)
        return width


__all__ = ["PAGE", "Adder", "Window", "WindowTree"]

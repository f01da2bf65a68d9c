"""The Browse tree widget: registry -> repository -> tag -> platforms / locked images /
referrers, with vim keys, verification badges and cursor locations that survive a reload.

Nodes are built lazily (see :mod:`ocitui.tui.widgets.tree_pages`).
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ocitui.core.digest import Digest
from ocitui.core.verify.model import Badge
from ocitui.core.views_locate import Location
from ocitui.tui.widgets.tree_nodes import NodeData
from ocitui.tui.widgets.tree_pages import PAGE, PagedTree
from ocitui.tui.widgets.tree_steps import SteppingTree


class LayoutTreeView(SteppingTree[NodeData], PagedTree):
    """A lazily built tree of the layout, with vim keys beside the arrows (``l``/``h``:
    :class:`~ocitui.tui.widgets.tree_steps.SteppingTree`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="tree.down"),
        Binding("k", "cursor_up", "Up", show=False, id="tree.up"),
        Binding("l,right", "expand", "Expand", show=False, id="tree.expand"),
        Binding("h,left", "collapse", "Collapse", show=False, id="tree.collapse"),
        Binding("g,home", "scroll_home", "Top", show=False, id="tree.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="tree.bottom"),
    ]

    class Chosen(Message):
        """The cursor rests on a node that names content (or on a group: ``None``)."""

        def __init__(self, data: NodeData | None) -> None:
            self.data = data
            super().__init__()

    def set_badges(self, badges: dict[str, Badge]) -> None:
        """Show ``badges`` (by node name) on the tag nodes built so far and later ones."""
        self.badges = dict(badges)
        for node in self.built_nodes():
            data = node.data
            if data is not None and data.kind == "tag" and data.info is not None:
                node.set_label(self._tag_label(data.display, data.info, data.name))

    # -- events and keys -----------------------------------------------------------------

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        """Build a node's children the first time it opens; remember opened repositories."""
        data = event.node.data
        mine = self._auto.pop(id(event.node), None) is not None
        if data is not None and data.kind == "repository" and not mine:
            self._user_opened.add(data.name)
            self._user_closed.discard(data.name)
        self._open(event.node)

    def on_tree_node_collapsed(self, event: Tree.NodeCollapsed[NodeData]) -> None:
        """Remember closed repositories (a reload keeps them closed)."""
        data = event.node.data
        if data is not None and data.kind == "repository":
            self._user_closed.add(data.name)
            self._user_opened.discard(data.name)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        """Tell the screen what is under the cursor (a "more"/"earlier" node builds its
        page instead: :meth:`~ocitui.tui.widgets.tree_window.WindowTree.page_highlighted`)."""
        if self.page_highlighted(event.node):
            return
        data = event.node.data
        # An absent locked image names content too (by digest), just not held here.
        names_content = data is not None and (data.info is not None or data.kind == "locked")
        self.post_message(self.Chosen(data if names_content else None))

    # -- finding nodes -------------------------------------------------------------------

    def _child_named(
        self, parent: TreeNode[NodeData], kind: str, name: str
    ) -> TreeNode[NodeData] | None:
        """The child of ``parent`` of that kind and name, building its page (the next
        one after those built, or that page alone: not the pages on the way)."""
        window = self._windows.get(parent.id)
        index = window.index(name) if window is not None else None
        if window is not None and index is not None and parent.data is not None:
            if not parent.data.loaded:  # Never opened: build the page holding it.
                parent.data.loaded = True
                self._show_at(parent, index)
            elif index >= window.hi and index < window.hi + PAGE and parent.children:
                self._open(parent.children[-1])  # The "more" node: the next page.
            elif not window.lo <= index < window.hi:
                self._show_at(parent, index)
        if not parent.is_expanded:
            self._expand_quietly(parent)
        return next(
            (
                child
                for child in parent.children
                if child.data is not None and child.data.kind == kind and child.data.name == name
            ),
            None,
        )

    def _reveal(self, name: str) -> TreeNode[NodeData] | None:
        """The tag node named ``name``, its groups opened and its page built."""
        where = self._where().get(name)
        if where is None:
            return None
        registry, repository = where
        node = next(
            (n for n in self.root.children if n.data is not None and n.data.name == registry),
            None,
        )
        if node is not None and repository is not None:
            node = self._child_named(node, "repository", repository)
        return self._child_named(node, "tag", name) if node is not None else None

    def select_repository(self, name: str) -> bool:
        """Put the cursor on the repository node ``name`` (building pages to it)."""
        registry, repository = self._where().get(name, (None, None))
        if repository != name:
            return False
        group = next(
            (n for n in self.root.children if n.data is not None and n.data.name == registry),
            None,
        )
        node = self._child_named(group, "repository", name) if group is not None else None
        if node is not None:
            self.cursor_to(node)
        return node is not None

    def knows(self, name: str) -> bool:
        """Whether the model shown names a top-level tag (or untagged digest) ``name``."""
        return name in self._where()

    def select_name(self, name: str) -> bool:
        """Put the cursor on the tag node named ``name``; False if there is none."""
        node = self._reveal(name)
        if node is not None:
            self.cursor_to(node)
        return node is not None

    def select_location(self, location: Location) -> bool:
        """Open the path to ``location`` and put the cursor on its last node."""
        node = self._reveal(location.top)
        for digest in location.below:
            if node is None:
                return False
            self._expand_quietly(node)
            node = next(
                (
                    child
                    for child in node.children
                    if child.data is not None
                    and child.data.info is not None
                    and child.data.info.descriptor.digest == digest
                ),
                None,
            )
        if node is None:
            return False
        self.cursor_to(node)
        return True

    def cursor_location(self) -> Location | None:
        """The cursor's node as a :class:`Location` (to find it again after a reload)."""
        node = self.cursor_node
        below: list[Digest] = []
        while node is not None and node.data is not None:
            data = node.data
            if data.kind == "tag":
                return Location(data.name, tuple(reversed(below)))
            if data.info is None:
                return None
            below.append(data.info.descriptor.digest)
            node = node.parent
        return None

    def cursor_mark(self) -> Location | str | None:
        """Where the cursor is, to put it back after a reload: a :class:`Location`, or a
        repository's name (``None``: anywhere else)."""
        location = self.cursor_location()
        if location is not None:
            return location
        node = self.cursor_node
        if node is not None and node.data is not None and node.data.kind == "repository":
            return node.data.name
        return None

    def select_mark(self, mark: Location | str) -> bool:
        """Put the cursor back where :meth:`cursor_mark` said it was."""
        if isinstance(mark, str):
            return self.select_repository(mark)
        return self.select_location(mark)

    def top_name(self) -> str | None:
        """The name of the tag node the cursor is on or under."""
        location = self.cursor_location()
        return location.top if location is not None else None

    @property
    def selected(self) -> NodeData | None:
        """The node data under the cursor when it names content."""
        node = self.cursor_node
        if node is None or node.data is None or node.data.info is None:
            return None
        return node.data


__all__ = ["LayoutTreeView", "NodeData"]

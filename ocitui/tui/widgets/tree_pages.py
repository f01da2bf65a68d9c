"""The lazily built part of the Browse tree: pages of the layout model's groups.

A layout of 100,000 entries costs what the screen shows: a group's children are created
when it opens (repositories start open only when the whole tree is small), at most
:data:`PAGE` at a time with a "… N more" node that builds the next page in its place. A
tag's children are read from the core when it first opens
(:func:`ocitui.core.views_children.children_of`). :class:`PagedTree` also finds a tag
by name, building the pages on its way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ocitui.core.errors import OcituiError
from ocitui.core.layout import Layout
from ocitui.core.verify.model import Badge
from ocitui.core.views import LayoutTree, NodeInfo, RepoGroup, TagItem
from ocitui.core.views_children import children_of
from ocitui.tui.widgets.labels import info_label, with_badge
from ocitui.tui.widgets.tree_nodes import (
    NodeData,
    child_label,
    expandable,
    more_label,
    repository_label,
)

#: Children built at a time under one node (the rest wait behind a "more" node).
PAGE = 100
#: Repositories start open when the tree shows at most this many tags in all.
OPEN_TAGS = 100
UNTAGGED = "(untagged)"

_Item = TypeVar("_Item")


def _fits(model: LayoutTree, limit: int) -> bool:
    """Whether ``model`` shows at most ``limit`` tags and untagged entries."""
    count = len(model.untagged)
    for reg in model.registries:
        for repo in reg.repositories:
            count += len(repo.tags)
            if count > limit:
                return False
    return count <= limit


class PagedTree(Tree[NodeData]):
    """A tree of a :class:`~ocitui.core.views.LayoutTree` whose nodes are built on demand."""

    def __init__(self, layout: Layout, *, id: str | None = None) -> None:
        super().__init__("layout", data=NodeData("root", "layout"), id=id)
        self.store = layout
        self.show_root = False
        self.guide_depth = 2
        #: Verification badges by node name, filled by Browse's worker.
        self.badges: dict[str, Badge] = {}
        #: Repositories the user opened or closed (kept across reloads and filters).
        self._user_opened: set[str] = set()
        self._user_closed: set[str] = set()
        #: Nodes opened by the tree itself, by object id (their messages are not the user's).
        self._auto: dict[int, TreeNode[NodeData]] = {}
        #: The model shown; where its names sit is worked out when first asked.
        self._shown: LayoutTree | None = None
        self._where_map: dict[str, tuple[str, str | None]] | None = None

    # -- building ------------------------------------------------------------------------

    def populate(self, model: LayoutTree, *, empty: str = "", to_first: bool = True) -> None:
        """Rebuild the top levels from ``model`` (keeps nothing of the previous tree but
        which repositories were opened); ``empty`` is said in the tree when nothing is
        left (a filter without matches). The cursor goes to the first tag (or closed
        repository) unless ``to_first`` is False (the caller puts it somewhere)."""
        self.clear()
        self._shown, self._where_map = model, None
        if empty and not model.registries and not model.untagged:
            self.root.add_leaf(Text(empty, style="italic"), NodeData("note", empty))
        small = _fits(model, OPEN_TAGS)
        for reg in model.registries:
            reg_node = self.root.add(
                Text(reg.registry, style="bold"), NodeData("registry", reg.registry)
            )
            self._fill_later(reg_node, reg.repositories, self._repo_adder(small), "repositories")
            self._expand_quietly(reg_node)
        if model.untagged:
            group = self.root.add(Text(UNTAGGED, style="bold"), NodeData("registry", UNTAGGED))
            self._fill_later(group, model.untagged, self._add_untagged, "entries")
            self._expand_quietly(group)
        self.root.expand()
        if to_first:
            self.cursor_to_first()

    def cursor_to_first(self) -> None:
        """Put the cursor on the first tag, or the first closed repository before it."""
        first = self._first_tag()
        if first is not None:
            self.cursor_to(first)

    def cursor_to(self, node: TreeNode[NodeData]) -> None:
        """Move the cursor to ``node`` once lines are laid out (on the next refresh), and
        announce it even when it lands on the line the cursor was on."""

        def move() -> None:
            line = self.cursor_line
            self.move_cursor(node)
            if self.cursor_line == line:  # No change of line: Tree says nothing.
                self.post_message(Tree.NodeHighlighted(node))

        self.call_after_refresh(move)

    def _fill_later(
        self,
        node: TreeNode[NodeData],
        items: Sequence[_Item],
        add: Callable[[TreeNode[NodeData], _Item], None],
        noun: str,
    ) -> None:
        """Let ``node`` build its children (a page at a time) when it first opens."""
        assert node.data is not None
        node.data.fill = lambda: self._add_page(node, items, 0, add, noun)

    def _add_page(
        self,
        parent: TreeNode[NodeData],
        items: Sequence[_Item],
        start: int,
        add: Callable[[TreeNode[NodeData], _Item], None],
        noun: str,
    ) -> None:
        """Add ``items[start:start+PAGE]`` under ``parent``, then a "more" node if needed."""
        end = start + PAGE
        for item in items[start:end]:
            add(parent, item)
        rest = len(items) - end
        if rest > 0:
            data = NodeData("more", f"{rest} more {noun}")
            data.fill = lambda: self._add_page(parent, items, end, add, noun)
            parent.add_leaf(more_label(rest, noun), data)

    def _expand_quietly(self, node: TreeNode[NodeData]) -> None:
        """Open ``node`` and build its children now (not as the user's choice)."""
        self._auto[id(node)] = node
        node.expand()
        self._open(node)

    def _repo_adder(self, small: bool) -> Callable[[TreeNode[NodeData], RepoGroup], None]:
        def add(parent: TreeNode[NodeData], repo: RepoGroup) -> None:
            node = parent.add(repository_label(repo), NodeData("repository", repo.name))
            self._fill_later(node, repo.tags, self._add_tag, "tags")
            if repo.name in self._user_opened or (small and repo.name not in self._user_closed):
                self._expand_quietly(node)

        return add

    def _add_tag(self, parent: TreeNode[NodeData], item: TagItem) -> None:
        data = NodeData("tag", item.ref_name, item.info, list(item.machine), display=item.tag)
        parent.add(
            self._tag_label(item.tag, item.info, item.ref_name),
            data,
            allow_expand=expandable(item.info, item.machine),
        )

    def _add_untagged(self, parent: TreeNode[NodeData], info: NodeInfo) -> None:
        display = f"@{info.descriptor.digest.short}"
        name = str(info.descriptor.digest)
        parent.add(
            self._tag_label(display, info, name),
            NodeData("tag", name, info, display=display),
            allow_expand=expandable(info, None),
        )

    def _tag_label(self, display: str, info: NodeInfo, name: str) -> Text:
        return with_badge(info_label(display, info), self.badges.get(name))

    def _open(self, node: TreeNode[NodeData]) -> None:
        """Build what opens under ``node`` (once): a group's first page, a tag's children,
        or, for a "more" node, the next page in its place."""
        data = node.data
        if data is None or data.loaded:
            return
        if data.fill is not None:
            data.loaded = True
            if data.kind == "more":
                node.remove()
            data.fill()
            return
        if data.info is None:
            return
        data.loaded = True
        try:
            children = children_of(self.store, data.info.descriptor, data.machine)
        except OcituiError as exc:
            self.notify(str(exc), severity="error", title="Cannot expand")
            return
        for child in children:
            label = child_label(child)
            if label is not None:
                node.add(
                    label,
                    NodeData(child.kind, child.label, child.info),
                    allow_expand=expandable(child.info, None),
                )

    def built_nodes(self) -> list[TreeNode[NodeData]]:
        """Every node built so far, depth first."""
        out: list[TreeNode[NodeData]] = []
        stack = list(reversed(self.root.children))
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out

    def _first_tag(self) -> TreeNode[NodeData] | None:
        """The first tag on screen, or the first closed repository before it."""
        stack = list(reversed(self.root.children))
        while stack:
            node = stack.pop()
            data = node.data
            if data is not None and (
                data.info is not None or (data.kind == "repository" and not node.is_expanded)
            ):
                return node
            if node.is_expanded:
                stack.extend(reversed(node.children))
        return None

    def _child_named(
        self, parent: TreeNode[NodeData], kind: str, name: str
    ) -> TreeNode[NodeData] | None:
        """The child of ``parent`` of that kind and name, building pages until found."""
        if not parent.is_expanded:
            self._expand_quietly(parent)
        while True:
            last = None
            for child in parent.children:
                data = child.data
                if data is not None and data.kind == kind and data.name == name:
                    return child
                last = child
            if last is None or last.data is None or last.data.kind != "more":
                return None
            self._open(last)

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

    def _where(self) -> dict[str, tuple[str, str | None]]:
        """Where each top-level name of the model shown sits: ``(registry group,
        repository)``; a repository by its own name too (worked out once per populate:
        a keystroke in the filter does not pay for it)."""
        if self._where_map is None:
            found: dict[str, tuple[str, str | None]] = {}
            model = self._shown
            for reg in model.registries if model is not None else ():
                for repo in reg.repositories:
                    found[repo.name] = (reg.registry, repo.name)
                    for item in repo.tags:
                        found[item.ref_name] = (reg.registry, repo.name)
            for info in model.untagged if model is not None else ():
                found[str(info.descriptor.digest)] = (UNTAGGED, None)
            self._where_map = found
        return self._where_map

    @property
    def built_count(self) -> int:
        """How many nodes exist (what laziness keeps small on big layouts)."""
        return len(self.built_nodes())


__all__ = ["OPEN_TAGS", "PAGE", "UNTAGGED", "PagedTree"]

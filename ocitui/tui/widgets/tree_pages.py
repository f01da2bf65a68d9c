"""The lazily built part of the Browse tree: pages of the layout model's groups.

A layout of 100,000 entries costs what the screen shows: a group's children are created
when it opens (repositories start open only when the whole tree is small), a page of
:data:`PAGE` at a time (:mod:`ocitui.tui.widgets.tree_window`). A tag's children are
read from the core when it first opens (:func:`ocitui.core.views_children.children_of`).
Finding a tag by name builds the page that holds it.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets.tree import TreeNode

from ocitui.core.errors import OcituiError
from ocitui.core.layout import Layout
from ocitui.core.verify.model import Badge
from ocitui.core.views import LayoutTree, NodeInfo, RepoGroup, TagItem
from ocitui.core.views_children import children_of
from ocitui.tui.widgets.labels import info_label, with_badge
from ocitui.tui.widgets.tree_nodes import (
    UNTAGGED,
    NodeData,
    child_label,
    expandable,
    fits,
    places,
    repository_label,
    same_groups,
)
from ocitui.tui.widgets.tree_window import PAGE, Adder, WindowTree

#: Repositories start open when the tree shows at most this many tags in all.
OPEN_TAGS = 100


def _repo_name(repo: RepoGroup) -> str:
    return repo.name


def _tag_name(item: TagItem) -> str:
    return item.ref_name


def _digest_name(info: NodeInfo) -> str:
    return str(info.descriptor.digest)


class PagedTree(WindowTree):
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
        self._empty = ""

    # -- building ------------------------------------------------------------------------

    def populate(self, model: LayoutTree, *, empty: str = "", to_first: bool = True) -> None:
        """Rebuild the top levels from ``model`` (keeps nothing of the previous tree but
        which repositories were opened); ``empty`` is said in the tree when nothing is
        left (a filter without matches). The cursor goes to the first tag (or closed
        repository) unless ``to_first`` is False (the caller puts it somewhere)."""
        if self._shown is not None and same_groups(model, self._shown) and empty == self._empty:
            return  # A keystroke that kept the same tags: the tree (and cursor) stays.
        self.clear()
        self._windows.clear()
        self._shown, self._where_map, self._empty = model, None, empty
        if empty and not model.registries and not model.untagged:
            self.root.add_leaf(Text(empty, style="italic"), NodeData("note", empty))
        small = fits(model, OPEN_TAGS)
        for reg in model.registries:
            reg_node = self.root.add(
                Text(reg.registry, style="bold"), NodeData("registry", reg.registry)
            )
            self._fill_later(
                reg_node, reg.repositories, self._repo_adder(small), "repositories", _repo_name
            )
            self._expand_quietly(reg_node)
        if model.untagged:
            group = self.root.add(Text(UNTAGGED, style="bold"), NodeData("registry", UNTAGGED))
            self._fill_later(group, model.untagged, self._add_untagged, "entries", _digest_name)
            self._expand_quietly(group)
        self.root.expand()
        if to_first:
            self.cursor_to_first()

    def cursor_to_first(self) -> None:
        """Put the cursor on the first tag, or the first closed repository before it."""
        first = self._first_tag()
        if first is not None:
            self.cursor_to(first)

    def _expand_quietly(self, node: TreeNode[NodeData]) -> None:
        """Open ``node`` and build its children now (not as the user's choice)."""
        self._auto[id(node)] = node
        node.expand()
        self._open(node)

    def _repo_adder(self, small: bool) -> Adder:
        def add(
            parent: TreeNode[NodeData], repo: RepoGroup, before: TreeNode[NodeData] | None
        ) -> TreeNode[NodeData]:
            node = parent.add(
                repository_label(repo), NodeData("repository", repo.name), before=before
            )
            self._fill_later(node, repo.tags, self._add_tag, "tags", _tag_name)
            if repo.name in self._user_opened or (small and repo.name not in self._user_closed):
                self._expand_quietly(node)
            return node

        return add

    def _add_tag(
        self, parent: TreeNode[NodeData], item: TagItem, before: TreeNode[NodeData] | None
    ) -> TreeNode[NodeData]:
        data = NodeData("tag", item.ref_name, item.info, list(item.machine), display=item.tag)
        return parent.add(
            self._tag_label(item.tag, item.info, item.ref_name),
            data,
            before=before,
            allow_expand=expandable(item.info, item.machine),
        )

    def _add_untagged(
        self, parent: TreeNode[NodeData], info: NodeInfo, before: TreeNode[NodeData] | None
    ) -> TreeNode[NodeData]:
        display = f"@{info.descriptor.digest.short}"
        name = str(info.descriptor.digest)
        return parent.add(
            self._tag_label(display, info, name),
            NodeData("tag", name, info, display=display),
            before=before,
            allow_expand=expandable(info, None),
        )

    def _tag_label(self, display: str, info: NodeInfo, name: str) -> Text:
        return with_badge(info_label(display, info), self.badges.get(name))

    def _open(
        self, node: TreeNode[NodeData]
    ) -> tuple[TreeNode[NodeData], TreeNode[NodeData]] | None:
        """Build what opens under ``node`` (once): a group's first page, a tag's children,
        or, for a "more"/"earlier" node, the next/previous page in its place (then the
        first and last node of that page are returned)."""
        data = node.data
        if data is None or data.loaded:
            return None
        if data.kind in ("more", "earlier"):
            return self.open_page(node)
        if data.fill is not None:
            data.loaded = True
            return data.fill()
        if data.info is None:
            return None
        data.loaded = True
        try:
            children = children_of(self.store, data.info.descriptor, data.machine)
        except OcituiError as exc:
            self.notify(str(exc), severity="error", title="Cannot expand")
            return None
        for child in children:
            label = child_label(child)
            if label is not None:
                node.add(
                    label,
                    NodeData(child.kind, child.label, child.info),
                    allow_expand=expandable(child.info, None),
                )
        return None

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

    def _where(self) -> dict[str, tuple[str, str | None]]:
        """Where each name of the model shown sits (:func:`places`), worked out once per
        populate: a keystroke in the filter does not pay for it."""
        if self._where_map is None:
            self._where_map = places(self._shown) if self._shown is not None else {}
        return self._where_map

    @property
    def built_count(self) -> int:
        """How many nodes exist (what laziness keeps small on big layouts)."""
        return len(self.built_nodes())


__all__ = ["OPEN_TAGS", "PAGE", "UNTAGGED", "PagedTree"]

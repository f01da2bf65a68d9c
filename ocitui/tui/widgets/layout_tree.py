"""The Browse tree: registry -> repository -> tag -> platforms / locked images / referrers.

Children load when a node first opens (:func:`ocitui.core.views_children.children_of`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ocitui.core.errors import OcituiError
from ocitui.core.layout import Layout
from ocitui.core.text_safety import one_line_safe
from ocitui.core.verify.model import Badge
from ocitui.core.views import ChildItem, LayoutTree, MachineTag, NodeInfo
from ocitui.core.views_children import children_of


@dataclass
class NodeData:
    """What a tree node stands for.

    ``info`` is None for registry/repository groups and for a bundle's absent images.
    ``machine`` lists a tag's machine tags; ``None`` (any other node) lets the core look
    up the legacy cosign tags of the digest itself.
    """

    kind: str
    name: str
    info: NodeInfo | None = None
    machine: list[MachineTag] | None = None
    loaded: bool = False
    #: The name shown for a tag node (the label is rebuilt when its badge arrives).
    display: str = ""


def short_tag(tag: str) -> str:
    """Shorten ``sha256-<64 hex>.sig`` to ``sha256-0123456789ab….sig`` for display."""
    if tag.startswith("sha256-") and len(tag) >= 71:
        return f"{tag[:19]}…{tag[71:]}"
    return tag


def info_label(name: str, info: NodeInfo, kind: str = "tag") -> Text:
    """``name  type · N platforms · N referrers`` with the name emphasised."""
    text = Text()
    style = {"tag": "bold", "machine": "dim", "referrer": "italic"}.get(kind, "")
    text.append(one_line_safe(name), style=style)  # Names come from the layout: no controls.
    # A platform's or locked image's name already says it is an image.
    plain_image = (kind == "platform" and info.type_label == "image") or (
        kind == "locked" and info.type_label in ("image", "index")
    )
    parts = [] if plain_image or kind == "machine" else [info.type_label]
    if info.platform_count > 1:
        parts.append(f"{info.platform_count} plat")
    if info.referrer_count:
        parts.append(f"{info.referrer_count} ref")
    if parts:
        text.append("  " + " · ".join(parts), style="dim")
    return text


_BADGES = {
    Badge.SIGNED: ("  ✓ signed", "green"),
    Badge.INVALID: ("  ✗ invalid", "red"),
    Badge.UNSIGNED: ("  unsigned", "dim"),
}


def with_badge(label: Text, badge: Badge | None) -> Text:
    """``label`` followed by a signed / invalid / unsigned badge (unchanged for ``None``)."""
    if badge is None:
        return label
    text, style = _BADGES[badge]
    return Text.assemble(label, (text, style))


def locked_label(image: str, info: NodeInfo | None) -> Text:
    """A bundle's locked image by digest: ``● app@0123456789ab`` (present) or ``○ … absent``."""
    repo, _, digest = image.partition("@")
    name = f"{repo.rsplit('/', 1)[-1]}@{digest.partition(':')[2][:12]}" if digest else image
    if info is None:
        return Text.assemble(("○ ", "dim"), (name, "dim"), ("  absent", "italic"))
    return Text.assemble(("● ", "bold"), info_label(name, info, "locked"))


class LayoutTreeView(Tree[NodeData]):
    """A lazily expanded tree of the layout, with vim keys beside the arrows."""

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

    def __init__(self, layout: Layout, *, id: str | None = None) -> None:
        super().__init__("layout", data=NodeData("root", "layout"), id=id)
        self.store = layout
        self.show_root = False
        self.guide_depth = 2
        #: Verification badges by node name, filled by Browse's worker.
        self.badges: dict[str, Badge] = {}

    def set_badges(self, badges: dict[str, Badge]) -> None:
        """Show ``badges`` (by node name) on the tag nodes, now and after repopulating."""
        self.badges = dict(badges)
        stack = list(self.root.children)
        while stack:
            node = stack.pop()
            stack.extend(node.children)
            data = node.data
            if data is not None and data.kind == "tag" and data.info is not None:
                node.set_label(self._tag_label(data.display, data.info, data.name))

    def _tag_label(self, display: str, info: NodeInfo, name: str) -> Text:
        return with_badge(info_label(display, info), self.badges.get(name))

    def populate(self, model: LayoutTree) -> None:
        """Rebuild the top levels from ``model`` (keeps nothing of the previous tree)."""
        self.clear()
        for reg in model.registries:
            reg_node = self.root.add(
                Text(reg.registry, style="bold"), NodeData("registry", reg.registry), expand=True
            )
            for repo in reg.repositories:
                label = Text.assemble(
                    (repo.repository, "bold"),
                    (f"  {len(repo.tags)} tag{'s' if len(repo.tags) != 1 else ''}", "dim"),
                )
                repo_node = reg_node.add(label, NodeData("repository", repo.name), expand=True)
                for item in repo.tags:
                    data = NodeData(
                        "tag", item.ref_name, item.info, list(item.machine), display=item.tag
                    )
                    repo_node.add(
                        self._tag_label(item.tag, item.info, item.ref_name),
                        data,
                        allow_expand=self._expandable(item.info, item.machine),
                    )
        if model.untagged:
            group = self.root.add(
                Text("(untagged)", style="bold"), NodeData("registry", "(untagged)"), expand=True
            )
            for info in model.untagged:
                display = f"@{info.descriptor.digest.short}"
                group.add(
                    self._tag_label(display, info, str(info.descriptor.digest)),
                    NodeData("tag", str(info.descriptor.digest), info, display=display),
                    allow_expand=self._expandable(info, None),
                )
        self.root.expand()
        first = self._first_tag()
        if first is not None:
            # Lines are laid out on the next refresh; move (and announce) after it.
            self.call_after_refresh(self.move_cursor, first)

    def _first_tag(self) -> TreeNode[NodeData] | None:
        stack = list(self.root.children)
        while stack:
            node = stack.pop(0)
            if node.data is not None and node.data.info is not None:
                return node
            stack[0:0] = list(node.children)
        return None

    @staticmethod
    def _expandable(info: NodeInfo | None, machine: list[MachineTag] | None) -> bool:
        if info is None:
            return False
        return (
            info.platform_count > 1
            or info.referrer_count > 0
            or info.bundle
            or bool(machine if machine is not None else info.legacy)
            or (
                info.descriptor.media_type.endswith("index.v1+json")
                or "manifest.list" in info.descriptor.media_type
            )
        )

    def _load_children(self, node: TreeNode[NodeData]) -> None:
        data = node.data
        if data is None or data.info is None or data.loaded:
            return
        data.loaded = True
        try:
            children = children_of(self.store, data.info.descriptor, data.machine)
        except OcituiError as exc:
            self.notify(str(exc), severity="error", title="Cannot expand")
            return
        for child in children:
            self._add_tree_child(node, child)

    def _add_tree_child(self, node: TreeNode[NodeData], child: ChildItem) -> None:
        data = NodeData(child.kind, child.label, child.info)
        if child.kind == "locked":
            label = locked_label(child.label, child.info)
        elif child.info is None:
            return
        elif child.kind == "machine":
            label = info_label(f"↳ {child.info.type_label}", child.info, child.kind)
        elif child.kind == "platform":
            name = f"{child.label} @{child.info.descriptor.digest.short[:8]}"
            label = info_label(name, child.info, child.kind)
        elif child.kind == "referrer":
            name = f"↳ @{child.info.descriptor.digest.short[:8]}"
            label = info_label(name, child.info, child.kind)
        else:
            label = info_label(child.label, child.info, child.kind)
        node.add(label, data, allow_expand=self._expandable(child.info, None))

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        """Load a node's children the first time it opens."""
        self._load_children(event.node)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        """Tell the screen what is under the cursor."""
        data = event.node.data
        # An absent locked image names content too (by digest), just not held here.
        names_content = data is not None and (data.info is not None or data.kind == "locked")
        self.post_message(self.Chosen(data if names_content else None))

    def action_expand(self) -> None:
        """Open the node under the cursor, or step into its first child."""
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and not node.is_expanded:
            node.expand()
        elif node.children:
            self.move_cursor(node.children[0])

    def action_collapse(self) -> None:
        """Close the node under the cursor, or step out to its parent."""
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.children:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

    def select_name(self, name: str) -> bool:
        """Put the cursor on the tag node named ``name``; False if there is none."""
        stack = list(self.root.children)
        while stack:
            node = stack.pop(0)
            if node.data is not None and node.data.kind == "tag" and node.data.name == name:
                self.move_cursor(node)
                return True
            stack.extend(node.children)
        return False

    @property
    def selected(self) -> NodeData | None:
        """The node data under the cursor when it names content."""
        node = self.cursor_node
        if node is None or node.data is None or node.data.info is None:
            return None
        return node.data

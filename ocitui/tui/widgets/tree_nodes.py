"""What the Browse tree's nodes hold and how they are labelled.

:class:`NodeData` is the node's payload; the label functions turn the core's typed
objects (:class:`~ocitui.core.views.RepoGroup`, :class:`~ocitui.core.views.ChildItem`,
:class:`~ocitui.core.views.NodeInfo`) into one line of text each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.widgets.tree import TreeNode

from ocitui.core.views import ChildItem, LayoutTree, MachineTag, NodeInfo, RepoGroup
from ocitui.core.views_registry import RemoteNode
from ocitui.core.views_text import UNTAGGED, plural
from ocitui.tui.widgets.labels import info_label, locked_label


@dataclass
class NodeData:
    """What a tree node stands for.

    ``info`` is None for registry/repository groups, for a bundle's absent images and for
    the "more" and "earlier" nodes that stand for pages not built yet. ``machine`` lists
    a tag's machine tags; ``None`` (any other node) lets the core look up the legacy
    cosign tags of the digest itself. ``fill`` builds a group's children the first time
    it opens (or, on a "more"/"earlier" node, the next/previous page in its place: then
    it returns the first and last node it built).
    """

    kind: str
    name: str
    info: NodeInfo | None = None
    machine: list[MachineTag] | None = None
    loaded: bool = False
    #: The name shown for a tag node (the label is rebuilt when its badge arrives).
    display: str = ""
    fill: Callable[[], tuple[TreeNode[NodeData], TreeNode[NodeData]] | None] | None = None
    #: The Registry pane's node this tree node shows (``None`` in Browse).
    remote: RemoteNode | None = None


def repository_label(repo: RepoGroup) -> Text:
    """``demo/app  2 tags``."""
    return Text.assemble((repo.repository, "bold"), (f"  {plural(len(repo.tags), 'tag')}", "dim"))


def more_label(count: int, noun: str) -> Text:
    """The node standing for what is not built yet: ``… 4,800 more repositories``."""
    return Text(f"… {count:,} more {noun}", style="dim italic")


def earlier_label(count: int, noun: str) -> Text:
    """The node standing for the page before those built: ``… 4,800 earlier tags``."""
    return Text(f"… {count:,} earlier {noun}", style="dim italic")


def expandable(info: NodeInfo | None, machine: list[MachineTag] | None) -> bool:
    """Whether anything can open under a node (platforms, referrers, locked images, tags)."""
    if info is None:
        return False
    return (
        info.platform_count > 1
        or info.referrer_count > 0
        or info.bundle
        or bool(machine if machine is not None else info.legacy)
        or info.descriptor.media_type.endswith("index.v1+json")
        or "manifest.list" in info.descriptor.media_type
    )


def child_label(child: ChildItem) -> Text | None:
    """The label of a node under a tag (``None``: nothing to show)."""
    if child.kind == "locked":
        return locked_label(child.label, child.info)
    info = child.info
    if info is None:
        return None
    if child.kind == "machine":
        return info_label(f"↳ {info.type_label}", info, child.kind)
    if child.kind == "platform":
        return info_label(f"{child.label} @{info.descriptor.digest.short[:8]}", info, child.kind)
    if child.kind == "referrer":
        return info_label(f"↳ @{info.descriptor.digest.short[:8]}", info, child.kind)
    return info_label(child.label, info, child.kind)


def fits(model: LayoutTree, limit: int) -> bool:
    """Whether ``model`` shows at most ``limit`` tags and untagged entries."""
    count = len(model.untagged)
    for reg in model.registries:
        for repo in reg.repositories:
            count += len(repo.tags)
            if count > limit:
                return False
    return count <= limit


def same_groups(one: LayoutTree, other: LayoutTree) -> bool:
    """Whether two models show the very same repository and untagged objects (a filter
    keystroke that kept everything returns the groups it was given)."""
    if one is other:
        return True
    if len(one.registries) != len(other.registries) or len(one.untagged) != len(other.untagged):
        return False
    for a, b in zip(one.registries, other.registries, strict=True):
        if len(a.repositories) != len(b.repositories) or any(
            x is not y for x, y in zip(a.repositories, b.repositories, strict=True)
        ):
            return False
    return all(x is y for x, y in zip(one.untagged, other.untagged, strict=True))


def places(model: LayoutTree) -> dict[str, tuple[str, str | None]]:
    """Where each name of ``model`` sits: ``(registry group, repository)`` for a tag's
    full reference and for a repository's own name, ``("(untagged)", None)`` for an
    untagged entry's digest."""
    found: dict[str, tuple[str, str | None]] = {}
    for reg in model.registries:
        for repo in reg.repositories:
            found[repo.name] = (reg.registry, repo.name)
            for item in repo.tags:
                found[item.ref_name] = (reg.registry, repo.name)
    for info in model.untagged:
        found[str(info.descriptor.digest)] = (UNTAGGED, None)
    return found


__all__ = [
    "UNTAGGED",
    "NodeData",
    "child_label",
    "earlier_label",
    "expandable",
    "fits",
    "more_label",
    "places",
    "repository_label",
    "same_groups",
]

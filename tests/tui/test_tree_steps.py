"""The ``l``/``h`` steps shared by Browse's tree and the Registry pane's tree
(:class:`~ocitui.tui.widgets.tree_steps.SteppingTree`), on a small tree of its own."""

from __future__ import annotations

from textual.app import App, ComposeResult

from ocitui.tui.screens.registry import RegistryTree
from ocitui.tui.widgets.layout_tree import LayoutTreeView
from ocitui.tui.widgets.tree_steps import SteppingTree


class _TreeApp(App[None]):
    def compose(self) -> ComposeResult:
        tree: RegistryTree = RegistryTree("root")
        tree.show_root = False
        top = tree.root.add("top")
        mid = top.add("mid")
        mid.add_leaf("leaf")
        top.add_leaf("other")
        tree.root.add_leaf("second")
        yield tree


def _at(tree: RegistryTree) -> str:
    node = tree.cursor_node
    assert node is not None
    return str(node.label)


async def test_l_opens_then_steps_in_and_h_closes_then_steps_out() -> None:
    app = _TreeApp()
    async with app.run_test() as pilot:
        tree = app.query_one(RegistryTree)
        tree.focus()
        tree.move_cursor(tree.root.children[0])
        await pilot.pause()
        top = tree.root.children[0]
        await pilot.press("l")  # closed: opens, the cursor stays
        assert top.is_expanded and _at(tree) == "top"
        await pilot.press("l")  # open: steps onto the first child
        assert _at(tree) == "mid" and not top.children[0].is_expanded
        await pilot.press("l", "l")  # opens mid, steps onto the leaf
        assert _at(tree) == "leaf"
        await pilot.press("l")  # a leaf: nowhere to go
        assert _at(tree) == "leaf"
        await pilot.press("h")  # a leaf: steps out to its parent, which stays open
        assert _at(tree) == "mid" and top.children[0].is_expanded
        await pilot.press("h")  # open: closes, the cursor stays
        assert _at(tree) == "mid" and not top.children[0].is_expanded
        await pilot.press("h", "h")  # out to top, then top closes
        assert _at(tree) == "top" and not top.is_expanded
        await pilot.press("h")  # a closed top-level node: stays
        assert _at(tree) == "top"


def test_both_trees_share_the_one_implementation() -> None:
    """Browse's and the Registry pane's trees bind l/h to these actions and do not
    override them (one behaviour, tested above)."""
    for tree in (LayoutTreeView, RegistryTree):
        assert issubclass(tree, SteppingTree)
        assert tree.action_expand is SteppingTree.action_expand
        assert tree.action_collapse is SteppingTree.action_collapse
        actions = {b.action for b in tree.BINDINGS if hasattr(b, "action")}
        assert {"expand", "collapse"} <= actions

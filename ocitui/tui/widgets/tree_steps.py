"""The ``l``/``h`` steps every ocitui tree shares (Browse's layout tree, the Registry pane).

``expand`` opens the node under the cursor, or, when it is open (or cannot open), steps
onto its first child; ``collapse`` closes an open node, or steps out to its parent (never
onto the hidden root). Each tree binds the keys under its own binding ids (a keymap file
remaps them by id); the behaviour is this one.
"""

from __future__ import annotations

from typing import TypeVar

from textual.widgets import Tree

NodeT = TypeVar("NodeT")


class SteppingTree(Tree[NodeT]):
    """A :class:`~textual.widgets.Tree` with the ``expand``/``collapse`` steps."""

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

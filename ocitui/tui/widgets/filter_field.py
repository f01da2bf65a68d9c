"""Browse's ``/`` field: the tree follows its text in the same step as the key.

A plain :class:`~textual.widgets.Input` tells its screen about an edit with a message,
handled after the key: the letter is painted in one frame and the filtered tree in the
next. This field calls ``follow`` as its value changes, so one frame shows both.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input


class FilterField(Input):
    """An input that calls ``follow(text)`` whenever its text changes."""

    def __init__(self, follow: Callable[[str], None], *, placeholder: str, id: str) -> None:
        super().__init__(placeholder=placeholder, id=id)
        self._follow = follow

    def watch_value(self, value: str) -> None:
        """Let the tree follow the edit now (``/`` alone is the key that opened the
        field, delivered twice by some terminals: dropped)."""
        if value == "/":
            self.value = ""
            return
        self._follow(value)


__all__ = ["FilterField"]

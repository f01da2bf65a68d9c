"""Small modal dialogs: a yes/no question and a one-line answer."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class ConfirmDialog(ModalScreen[bool]):
    """``body`` then ``y`` (or enter) to go ahead, ``n``/``escape`` to leave it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, body: RenderableType) -> None:
        super().__init__()
        self._title = title
        self._body = body

    def compose(self) -> ComposeResult:
        """The question in a bordered box."""
        with Vertical(classes="dialog") as box:
            box.border_title = self._title
            box.border_subtitle = "y yes · n no"
            yield Static(self._body)

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)


class AskDialog(ModalScreen[str | None]):
    """One labelled input; enter answers (when not empty), escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="ask.cancel"),
    ]

    def __init__(self, title: str, label: str, value: str = "") -> None:
        super().__init__()
        self._title = title
        self._label = label
        self._value = value

    def compose(self) -> ComposeResult:
        """Label, input, a line for problems."""
        with Vertical(classes="dialog") as box:
            box.border_title = self._title
            box.border_subtitle = "enter · escape cancels"
            yield Label(self._label)
            yield Input(value=self._value, id="ask-value")
            yield Label("", id="ask-problem", classes="problem")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            self.query_one("#ask-problem", Label).update("Type a value, or escape.")
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)

"""The attach dialog: a file, an artifact type and annotations for a new referrer."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from ocitui.core import media_types as mt
from ocitui.core.layout.attach import parse_file_arg


@dataclass(frozen=True)
class AttachRequest:
    """What the user asked to attach (validated for shape, not yet for existence)."""

    artifact_type: str
    files: list[tuple[Path, str | None]] = field(default_factory=list)
    annotations: dict[str, str] = field(default_factory=dict)


def parse_request(artifact_type: str, files: str, annotations: str) -> AttachRequest | str:
    """Build a request from the three fields, or return a one-line problem."""
    artifact_type = artifact_type.strip()
    if not mt.is_valid_media_type(artifact_type):
        return f"artifact type {artifact_type!r} is not of the form type/subtype"
    paths = [parse_file_arg(part) for part in files.split() if part]
    pairs: dict[str, str] = {}
    for item in annotations.split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            return f"annotation {item.strip()!r} is not key=value"
        pairs[key.strip()] = value.strip()
    return AttachRequest(artifact_type, paths, pairs)


class AttachDialog(ModalScreen[AttachRequest | None]):
    """Asks for FILE[:MEDIATYPE]..., the artifact type and key=value annotations."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="attach.cancel"),
    ]

    def __init__(self, subject: str) -> None:
        super().__init__()
        self._subject = subject

    def compose(self) -> ComposeResult:
        """Three inputs and a line for problems."""
        with Vertical(id="attach-box", classes="dialog") as box:
            box.border_title = f"Attach to {self._subject}"
            box.border_subtitle = "enter attaches · escape cancels"
            yield Label("Artifact type")
            yield Input(value="application/vnd.example+json", id="artifact-type")
            yield Label("Files (FILE[:MEDIATYPE], space-separated; none = empty artifact)")
            yield Input(placeholder="sbom.json:application/spdx+json", id="files")
            yield Label("Annotations (key=value, comma-separated)")
            yield Input(placeholder="org.example.note=reviewed", id="annotations")
            yield Label("", id="attach-problem", classes="problem")

    @on(Input.Submitted)
    def _submit(self) -> None:
        result = parse_request(
            self.query_one("#artifact-type", Input).value,
            self.query_one("#files", Input).value,
            self.query_one("#annotations", Input).value,
        )
        if isinstance(result, str):
            self.query_one("#attach-problem", Label).update(result)
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        """Close without attaching."""
        self.dismiss(None)

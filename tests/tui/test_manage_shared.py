"""gc, export and import: the CLI prints the line the TUI shows (one summary in core)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import Input, Static

from ocitui.cli.main import main
from ocitui.core.layout import Layout
from ocitui.tui.app import OcituiApp
from ocitui.tui.screens.dialogs import AskDialog, ConfirmDialog
from ocitui.tui.screens.task import TaskScreen
from tests.tui.conftest import settle


def shown(widget: Static) -> str:
    """The text a Static shows."""
    content = widget.content
    assert isinstance(content, Text)
    return content.plain


def cli_line(capsys: pytest.CaptureFixture[str], word: str, *argv: str) -> str:
    """The last line of the command's output that starts with ``word`` (the summary)."""
    assert main(list(argv)) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(word)]
    assert lines
    return lines[-1]


async def tui_task_note(app: OcituiApp, keys: str, answer: str) -> str:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(keys)
        assert isinstance(app.screen, AskDialog)
        app.screen.query_one(Input).value = answer
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TaskScreen)
        return shown(app.screen.query_one("#task-note", Static))


async def test_gc_preview_is_the_cli_dry_run_line(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], capsys: pytest.CaptureFixture[str]
) -> None:
    demo_layout.remove("registry.example.com/demo/bundle:1.0")
    for blob in (demo_layout.root / "blobs" / "sha256").iterdir():
        os.utime(blob, (1_000_000_000, 1_000_000_000))  # Past gc's grace period.
    cli = cli_line(capsys, "would remove ", "--layout", str(demo_layout.root), "gc", "--dry-run")
    app = make_app(demo_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert shown(app.screen.query_one(Static)) == cli
    assert cli.startswith("would remove ") and " blobs (" in cli


async def test_export_and_import_notes_are_the_cli_lines(
    demo_layout: Layout,
    make_app: Callable[..., OcituiApp],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    archive = tmp_path / "app.tar"
    cli_export = cli_line(
        capsys, "exported ", "--layout", str(demo_layout.root), "export", str(archive), "app:1.0"
    )
    archive.unlink()
    tui_export = await tui_task_note(make_app(demo_layout, ref="app:1.0"), "x", str(archive))
    assert tui_export == cli_export
    assert cli_export.startswith("exported ") and f"-> {archive} (" in cli_export

    into_cli, into_tui = tmp_path / "cli", tmp_path / "tui"
    cli_import = cli_line(capsys, "imported ", "--layout", str(into_cli), "import", str(archive))
    tui_import = await tui_task_note(
        make_app(Layout.open(into_tui, create=True)), "I", str(archive)
    )
    assert tui_import == cli_import
    assert cli_import.startswith("imported 1 archive: 2 new refs, 0 moved, ")

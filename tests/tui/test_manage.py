"""Managing the layout from Browse (rm, tag, gc with preview, fsck, export/import with progress)
and the layer file tree."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual.widgets import DataTable, Input, Static, Tree

from ocitui.core.errors import NotFound
from ocitui.core.layout import Layout
from ocitui.tui.app import OcituiApp
from ocitui.tui.screens.dialogs import AskDialog, ConfirmDialog
from ocitui.tui.screens.files import FilesScreen
from ocitui.tui.screens.help import HelpScreen
from ocitui.tui.screens.task import TaskScreen
from tests.tui.conftest import plain_text, settle


async def answer(pilot: object, app: OcituiApp, text: str) -> None:
    assert isinstance(app.screen, AskDialog)
    field = app.screen.query_one(Input)
    field.value = text
    await pilot.press("enter")  # type: ignore[attr-defined]


async def test_tag_then_remove(demo_layout: Layout, make_app: Callable[..., OcituiApp]) -> None:
    app = make_app(demo_layout, ref="app:1.1")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await answer(pilot, app, "registry.example.com/demo/app:stable")
        await settle(pilot)
        assert demo_layout.resolve("app:stable").digest == demo_layout.resolve("app:1.1").digest
        await pilot.press("D")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        try:
            demo_layout.resolve("registry.example.com/demo/app:1.1")
        except NotFound:
            pass
        else:
            raise AssertionError("app:1.1 is still in the layout")


async def test_gc_previews_then_frees(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    demo_layout.remove("registry.example.com/demo/bundle:1.0")
    old = 1_000_000_000
    for blob in (demo_layout.root / "blobs" / "sha256").iterdir():
        os.utime(blob, (old, old))  # Past gc's grace period.
    before = len(list((demo_layout.root / "blobs" / "sha256").iterdir()))
    app = make_app(demo_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        preview = plain_text(app.screen.query_one(Static).content, 76)
        assert preview.startswith("would remove ")
        assert len(list((demo_layout.root / "blobs" / "sha256").iterdir())) == before
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, TaskScreen)
        note = plain_text(app.screen.query_one("#task-note", Static).content, 76)
        assert note.startswith("removed ")
        assert len(list((demo_layout.root / "blobs" / "sha256").iterdir())) < before


def cli_lines(layout: Layout, *args: str) -> tuple[int, list[str]]:
    """``ocitui ARGS --layout LAYOUT`` run with this worktree's code: exit code, stdout lines."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "ocitui", *args, "--layout", str(layout.root)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return done.returncode, done.stdout.splitlines()


async def check_with_f(app: OcituiApp, pilot: object) -> tuple[list[str], str]:
    """Press F in Browse, wait for the check: the note's lines and its style."""
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("F")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, TaskScreen)
    note = app.screen.query_one("#task-note", Static).content
    assert isinstance(note, Text)
    return note.plain.splitlines(), str(note.style)


async def test_f_checks_the_layout_in_the_cli_s_words(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    code, expected = cli_lines(demo_layout, "fsck")
    assert code == 0 and expected[-1].startswith("ok: ")
    app = make_app(demo_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        lines, style = await check_with_f(app, pilot)
        assert lines == expected and style == "green"
        await pilot.press("enter")
        assert not isinstance(app.screen, TaskScreen)
        await pilot.press("question_mark")  # The help screen teaches the key.
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert ("F", "Check (fsck)") in {(row[0], row[1]) for row in app.screen._rows}


async def test_f_on_a_corrupt_blob_says_errors_found_and_repairs_nothing(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    blob = next(p for p in sorted((demo_layout.root / "blobs" / "sha256").iterdir()))
    blob.chmod(0o644)
    blob.write_bytes(b"flipped")
    code, expected = cli_lines(demo_layout, "fsck")
    assert code == 1 and expected[-1].startswith("errors found: ")
    app = make_app(demo_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        lines, style = await check_with_f(app, pilot)
        assert lines == [*expected, "ocitui fsck --repair fixes what it can offline."]
        assert style == "bold red"
    assert blob.read_bytes() == b"flipped"  # Not repaired (--repair would remove it).


async def test_export_then_import_with_progress(
    demo_layout: Layout, empty_layout: Layout, make_app: Callable[..., OcituiApp], tmp_path: Path
) -> None:
    archive = tmp_path / "app.tar"
    app = make_app(demo_layout, ref="app:1.0")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await answer(pilot, app, str(archive))
        await settle(pilot)
        assert isinstance(app.screen, TaskScreen)
        assert "exported " in plain_text(app.screen.query_one("#task-note", Static).content, 76)
    assert archive.is_file()
    app = make_app(empty_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("I")
        await answer(pilot, app, str(archive))
        await settle(pilot)
        assert "imported " in plain_text(app.screen.query_one("#task-note", Static).content, 76)
        await pilot.press("enter")
    assert empty_layout.resolve("app:1.0").digest == demo_layout.resolve("app:1.0").digest


async def test_layer_file_tree_per_layer_squashed_and_filters(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout, ref="app:1.1")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l", "j", "v")  # linux/amd64 of app:1.1
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FilesScreen) and screen.files is not None
        assert screen.query_one("#files-layers", DataTable).row_count == 2
        await pilot.press("j", "r")  # the app layer, removed paths only
        await settle(pilot)
        tree: Tree[str] = screen.query_one("#files-tree", Tree)
        paths: list[str] = []
        stack = list(tree.root.children)
        while stack:
            node = stack.pop()
            node.expand()
            await pilot.pause()
            paths.append(str(node.data))
            stack.extend(node.children)
        assert "usr/share/doc/app/NOTICE.legacy" in paths
        assert not any(p.startswith("etc") for p in paths)
        await pilot.press("r", "s")  # everything, squashed
        await settle(pilot)
        status = str(screen.query_one("#files-status", Static).render())
        assert status.startswith("layers 0-1 squashed")
        await pilot.press("escape")
        assert not isinstance(app.screen, FilesScreen)

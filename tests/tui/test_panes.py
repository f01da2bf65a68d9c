"""Referrers, attach, diff, help, palette and keymap, driven through keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette

from ocitui.core.layout import SUBJECT_HINT, Layout
from ocitui.tui.app import OcituiApp
from ocitui.tui.keymap import KeymapError, load_keymap
from ocitui.tui.screens.attach import AttachDialog
from ocitui.tui.screens.diff import DiffScreen
from ocitui.tui.screens.help import HelpScreen
from ocitui.tui.screens.referrers import ReferrersScreen
from ocitui.tui.widgets.layout_tree import LayoutTreeView
from tests.tui.conftest import settle, toasts, until

APP10 = "registry.example.com/demo/app:1.0"
APP11 = "registry.example.com/demo/app:1.1"


async def open_referrers(app: OcituiApp, pilot: object, ref: str) -> ReferrersScreen:
    """Select ``ref`` in Browse and press r."""
    tree = app.screen.query_one(LayoutTreeView)
    assert tree.select_name(ref)
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("r")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, ReferrersScreen)
    return app.screen


async def test_referrers_tree_is_verified_and_filterable(
    sample_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_referrers(app, pilot, APP10)
        rows = screen._rows
        assert [(r.depth, r.artifact_type) for r in rows] == [
            (0, "application/spdx+json"),
            (1, "application/vnd.dev.sigstore.bundle.v0.3+json"),
            (0, "application/vnd.dev.sigstore.bundle.v0.3+json"),
        ]
        assert all(r.verified is True for r in rows)
        await pilot.press("t")  # first type: SPDX only
        await settle(pilot)
        assert app.referrer_type == "application/spdx+json"
        assert [r.artifact_type for r in screen._rows][:1] == ["application/spdx+json"]
        await pilot.press("t", "t")  # sigstore, then back to all
        await settle(pilot)
        assert app.referrer_type is None and len(screen._rows) == 3
        # enter makes the SBOM the subject; backspace goes back.
        await pilot.press("enter")
        await settle(pilot)
        assert len(screen._rows) == 1 and screen._rows[0].depth == 0
        await pilot.press("backspace")
        await settle(pilot)
        assert len(screen._rows) == 3


async def test_referrer_with_a_lying_subject_hint_is_flagged(
    sample_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app10 = sample_layout.resolve(APP10)
    app11 = sample_layout.resolve(APP11)
    sbom = sample_layout.referrers(app10.digest, ["application/spdx+json"])[0]

    def lie(entries: list) -> list:  # type: ignore[type-arg]
        return [
            e.with_changes(annotations={**e.annotations, SUBJECT_HINT: str(app11.digest)})
            if e.digest == sbom.digest
            else e
            for e in entries
        ]

    sample_layout.update_index(lie)
    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_referrers(app, pilot, APP11)
        assert [r.verified for r in screen._rows if r.depth == 0] == [False]
        assert "MISMATCH" in str(screen.query_one("#status").render())


async def test_attach_a_file_from_referrers(
    sample_layout: Layout, make_app: Callable[..., OcituiApp], tmp_path: Path
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("reviewed\n")
    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_referrers(app, pilot, APP11)
        assert screen._rows == []
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AttachDialog)
        dialog.query_one("#artifact-type").value = "application/vnd.example.note"  # type: ignore[attr-defined]
        dialog.query_one("#files").value = f"{note}:text/plain"  # type: ignore[attr-defined]
        dialog.query_one("#annotations").value = "org.example.by=tests"  # type: ignore[attr-defined]
        dialog.query_one("#files").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReferrersScreen)
        assert [r.artifact_type for r in screen._rows] == ["application/vnd.example.note"]
        assert screen._rows[0].verified is True
        assert any("Attached" in n.message for n in app._notifications)


async def test_attach_problems_are_shown_not_raised(
    sample_layout: Layout, make_app: Callable[..., OcituiApp], tmp_path: Path
) -> None:
    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("a")
        dialog = app.screen
        assert isinstance(dialog, AttachDialog)
        dialog.query_one("#artifact-type").value = "not a type"  # type: ignore[attr-defined]
        dialog.query_one("#artifact-type").focus()
        await pilot.press("enter")
        assert app.screen is dialog
        assert "not of the form" in str(dialog.query_one("#attach-problem").render())
        dialog.query_one("#artifact-type").value = "application/x-note"  # type: ignore[attr-defined]
        dialog.query_one("#files").value = str(tmp_path / "missing.txt")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        errors = toasts(app)
        assert errors and "no such file" in errors[0]


async def test_diff_of_mark_and_selection(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(LayoutTreeView)
        tree.select_name(APP10)
        await settle(pilot)
        await pilot.press("m")
        tree.select_name(APP11)
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert app.current_mode == "diff"
        screen = app.screen
        assert isinstance(screen, DiffScreen) and screen.outline is not None
        counts = dict(screen.outline.counts)
        assert counts["layers"] and counts["referrers"] and counts["files"] is None
        lines = [str(line) for b in screen.outline.blocks for s in b.sections for line in s.lines]
        assert "~ env APP_VERSION: 1.0 -> 1.1" in lines
        assert app.diff_pair is not None
        assert app.diff_pair[0].name == APP10 and app.diff_pair[1].name == APP11
        await pilot.press("x")
        await settle(pilot)
        assert app.diff_pair[0].name == APP11
        await pilot.press("f")
        await settle(pilot)
        assert screen.outline is not None
        assert dict(screen.outline.counts)["files"]
        files = [
            str(line)
            for b in screen.outline.blocks
            for s in b.sections
            if s.name == "files"
            for line in s.lines
        ]
        # Octal modes and human sizes, as the CLI says them.
        assert any(line.startswith(("+ /", "- /", "~ /")) for line in files)


async def test_diff_without_mark_explains(
    sample_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("d")
        assert app.current_mode == "browse"
        assert any("Mark one side" in n.message for n in app._notifications)


async def test_help_lists_active_bindings_with_ids(
    sample_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        ids = {row[2] for row in app.screen._rows}
        assert {"browse.refresh", "browse.mark", "app.quit", "tree.down"} <= ids
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_jumps_to_a_reference(
    sample_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(sample_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"go to bundle:v1")
        # The palette searches in a task of its own: wait for its answer, not a time.
        commands = app.screen.query_one(CommandList)

        def found() -> bool:
            first = commands.get_option_at_index(0) if commands.option_count else None
            return first is not None and "bundle:v1" in str(first.prompt)

        await until(pilot, found, "the palette lists Go to ...bundle:v1")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.selection is not None
        assert app.selection.name == "registry.example.com/demo/bundle:v1"


def test_keymap_file_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "keymap.toml"
    toml.write_text('"browse.refresh" = "ctrl+r"\n[keymap]\n"app.quit" = ["q", "ctrl+q"]\n')
    assert load_keymap(toml) == {"app.quit": "q,ctrl+q"}
    toml.write_text('"browse.refresh" = "ctrl+r"\n')
    assert load_keymap(toml) == {"browse.refresh": "ctrl+r"}
    js = tmp_path / "keymap.json"
    js.write_text('{"keymap": {"browse.mark": "M"}}')
    assert load_keymap(js) == {"browse.mark": "M"}
    js.write_text('{"browse.mark": 3}')
    with pytest.raises(KeymapError, match="must name a key"):
        load_keymap(js)
    js.write_text("{nope")
    with pytest.raises(KeymapError, match="malformed"):
        load_keymap(js)


async def test_keymap_remaps_a_binding_by_id(
    sample_layout: Layout, make_app: Callable[..., OcituiApp], tmp_path: Path
) -> None:
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('"browse.mark" = "M"\n')
    app = make_app(sample_layout, keymap_path=keymap)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        assert app.mark is None
        await pilot.press("M")
        assert app.mark is not None


async def test_broken_keymap_is_reported_not_fatal(
    sample_layout: Layout, make_app: Callable[..., OcituiApp], tmp_path: Path
) -> None:
    keymap = tmp_path / "keymap.json"
    keymap.write_text("[1, 2]")
    app = make_app(sample_layout, keymap_path=keymap)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        assert app.current_mode == "browse"
        assert toasts(app)
        # Kept in the error log (e) too, like every other error the TUI shows.
        assert [e.title for e in app.error_log.entries] == ["Keymap ignored"]

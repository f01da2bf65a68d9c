"""Case 15 in the TUI: names, annotations and error text from layouts and registries are
drawn with their controls shown as escapes (never obeyed, never read as markup).

Textual writes a segment's characters to the terminal as they are, so each test renders
the widgets on screen and checks what would reach the terminal.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App
from textual.geometry import Region
from textual.widgets._toast import Toast

from ocitui.core.errors import RegistryError
from ocitui.core.events import Failed
from ocitui.core.layout import Layout
from ocitui.core.models import parse_document
from ocitui.core.views import describe
from ocitui.tui.app import OcituiApp
from ocitui.tui.screens.diff import DiffScreen
from ocitui.tui.screens.errors import ErrorLogScreen
from ocitui.tui.screens.sync import SyncScreen
from ocitui.tui.widgets.layout_tree import NodeData
from tests.support.builders import artifact_bytes
from tests.tui.conftest import settle

HOSTILE = "\x1b[2J\x1b]0;pwned\x07\u202e[bold]x[/bold]"
CONTROLS = ("\x1b", "\x07", "\u202e")


def drawn(app: App[object]) -> str:
    """Every character the current screen's widgets (toasts included) draw."""
    lines = []
    for widget in [app.screen, *app.screen.query("*")]:
        width, height = widget.size
        if width and height:
            for strip in widget.render_lines(Region(0, 0, width, height)):
                lines.append("".join(segment.text for segment in strip))
        if isinstance(widget, Toast):  # Its height lags its text: take the text whole.
            lines.append(str(widget.render()))
    return "\n".join(lines)


def assert_shown_not_obeyed(text: str) -> None:
    for char in CONTROLS:
        assert char not in text, repr(char)
    assert "\\x1b[2J" in text


async def test_diff_heading_and_annotation_lines(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    subject = demo_layout.tagged()[0]
    sides = []
    for value in ("plain", f"created{HOSTILE}"):
        raw = artifact_bytes(subject, "application/vnd.example.x", b"x", demo_layout, {"k": value})
        desc = demo_layout.put_document(raw, parse_document(raw).media_type)
        sides.append(NodeData("referrer", f"side{HOSTILE}", describe(demo_layout, desc)))
    app = make_app(demo_layout)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.diff_pair = (sides[0], sides[1])
        app.switch_pane("diff")
        await settle(pilot)
        assert isinstance(app.screen, DiffScreen) and app.screen.outline is not None
        text = drawn(app)
    assert "side\\x1b[2J" in text and "created\\x1b[2J" in text
    assert_shown_not_obeyed(text)


async def test_sync_failure_lines_toasts_and_the_error_log(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        app.switch_pane("sync")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        screen.apply_event(Failed("sha256:" + "a" * 64, f"registry said {HOSTILE}"))
        app.show_error(RegistryError(f"registry.example: tag {HOSTILE} unknown"), "sync.run")
        await settle(pilot)
        text = drawn(app)
        assert "registry said \\x1b[2J" in text  # The failure line in the sync pane.
        assert "tag \\x1b[2J" in text  # The toast.
        assert_shown_not_obeyed(text)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ErrorLogScreen)
        text = drawn(app)
    assert "tag \\x1b[2J" in text and "[bold]x[/bold]" in text  # Not read as markup.
    assert_shown_not_obeyed(text)

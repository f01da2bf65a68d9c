"""A config's command line reads the same in ``inspect``, the TUI's rows and its Inside view."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

from ocitui.cli.commands.inspect import _print_value
from ocitui.core.inside.image import config_view
from ocitui.core.inspection import config_summary
from ocitui.core.views_inspect import config_rows
from ocitui.core.views_text import argv_text

CONFIG = {
    "architecture": "amd64",
    "os": "linux",
    "config": {"Entrypoint": ["sh", "-c", "echo a b", ""], "Cmd": ["serve"], "User": "app"},
}
SHOWN = "sh -c 'echo a b' ''"


def test_one_reading_of_a_command_line() -> None:
    assert argv_text(["sh", "-c", "echo a b", ""]) == SHOWN
    assert argv_text("already a string") == "already a string"
    assert argv_text(None) == ""
    summary = config_summary(CONFIG)
    tui = dict(config_rows(summary))
    inside = dict(config_view(CONFIG).settings)
    out = io.StringIO()
    with redirect_stdout(out):
        _print_value("entrypoint", summary["entrypoint"], "")
    assert tui["entrypoint"] == inside["entrypoint"] == SHOWN
    assert out.getvalue() == f"entrypoint: {SHOWN}\n"
    assert tui["cmd"] == inside["cmd"] == "serve" and tui["user"] == "app"

"""Open the TUI (imported only when no subcommand is given)."""

from __future__ import annotations

import argparse
import sys

from ocitui.cli.common import open_layout


def launch(args: argparse.Namespace) -> int:
    """Start the Textual app on the chosen layout."""
    try:
        from ocitui.tui.app import run_app
    except ImportError:
        print(
            "ocitui: the TUI is not available in this build; try 'ocitui --help'", file=sys.stderr
        )
        return 1
    layout = open_layout(args, create=True)
    return run_app(layout)

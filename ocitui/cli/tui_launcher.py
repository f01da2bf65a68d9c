"""Open the TUI (imported only when no subcommand is given)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ocitui.cli.common import open_layout

if TYPE_CHECKING:
    from ocitui.core.verify.trust import Policy


def launch(args: argparse.Namespace) -> int:
    """Start the Textual app on the chosen layout."""
    try:
        from ocitui.tui.app import run_app
    except ImportError:
        print(
            "ocitui: the TUI is not available in this build; try 'ocitui --help'", file=sys.stderr
        )
        return 1
    from ocitui.cli.remote import client_factory
    from ocitui.core.errors import OcituiError

    try:
        policy = tui_policy()
    except OcituiError as exc:  # A bad policy file: one line, like every command.
        print(f"ocitui: error: {exc}", file=sys.stderr)
        return 1
    layout = open_layout(args, create=True)
    # The TUI's Sync and remote panes use the registry options given on the command line.
    return run_app(layout, policy=policy, registry_factory=client_factory(args))


def tui_policy() -> Policy | None:
    """The verification policy for the TUI's badges: ``$OCITUI_POLICY``, else
    ``policy.yaml`` in the user config dir (e.g. ``~/.config/ocitui/policy.yaml``)."""
    import os
    from pathlib import Path

    from ocitui.core.verify.policy import load_policy

    chosen = os.environ.get("OCITUI_POLICY")
    if chosen:
        return load_policy(Path(chosen))
    import platformdirs

    default = Path(platformdirs.user_config_dir("ocitui")) / "policy.yaml"
    return load_policy(default) if default.is_file() else None

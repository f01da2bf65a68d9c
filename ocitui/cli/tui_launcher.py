"""Open the TUI (imported only when no subcommand is given).

``ocitui [--layout DIR] [REF]``: the layout is opened and validated *before* the screen
is taken, so a bad ``--layout`` (not a layout, a file, a malformed ``index.json``) is one
line on stderr and exit 1, like any command; without a terminal the TUI refuses with
exit 2 and points at the CLI instead of writing escape codes into a pipe.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ocitui.core.errors import LayoutError

EXIT_USAGE = 2


def split_ref(parser: argparse.ArgumentParser, argv: Sequence[str]) -> tuple[list[str], str]:
    """Take the TUI's optional ``REF`` out of ``argv`` (``ocitui app:1.0``).

    The first positional that is not a command name is the reference to open at; options
    that take a value (``--layout DIR``) are skipped with their value.
    """
    commands: set[str] = set()
    valued: set[str] = set()
    for action in parser._actions:  # argparse has no public accessor for these
        if isinstance(action, argparse._SubParsersAction):
            commands.update(action.choices)
        elif action.option_strings and action.nargs != 0:
            valued.update(action.option_strings)
    args = list(argv)
    skip = False
    for index, token in enumerate(args):
        if skip:
            skip = False
            continue
        if token == "--":
            break
        if token.startswith("-"):
            # argparse also takes unique abbreviations (``--lay DIR``) of long options.
            skip = "=" not in token and (
                token in valued
                or (token.startswith("--") and any(o.startswith(token) for o in valued))
            )
            continue
        if token in commands:
            break
        return args[:index] + args[index + 1 :], token
    return args, ""


if TYPE_CHECKING:
    from ocitui.core.verify.trust import Policy


def launch(args: argparse.Namespace) -> int:
    """Start the Textual app on the chosen layout (at ``args.tui_ref`` when given)."""
    from ocitui.cli.common import layout_dir, open_layout

    path = layout_dir(args)
    if path.exists() and not path.is_dir():
        raise LayoutError(f"{path}: not a directory (a layout is a directory with index.json)")
    try:
        layout = open_layout(args, create=True)
    except OSError as exc:  # --layout names a file, an unreadable directory, ...
        raise LayoutError(f"{exc.filename or 'layout'}: {exc.strerror or exc}") from None
    layout.entries()  # A malformed index.json entry is a startup error, said before the screen.
    ref = getattr(args, "tui_ref", "") or ""
    if ref:
        from ocitui.core.views_locate import locate

        locate(layout, ref)  # An unknown REF is a startup error, said before the screen.
    policy = tui_policy()  # A broken policy file too.
    if not all(stream.isatty() for stream in (sys.stdin, sys.stdout, sys.stderr)):
        print(
            "ocitui: the TUI needs a terminal (stdin, stdout and stderr must be a TTY); "
            "use the CLI instead, e.g. 'ocitui ls' (see 'ocitui --help')",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        from ocitui.tui.app import run_app
    except ImportError:
        print(
            "ocitui: the TUI is not available in this build; try 'ocitui --help'", file=sys.stderr
        )
        return 1
    from ocitui.cli.remote import client_factory

    # The TUI's Sync and remote panes use the registry options given on the command line.
    from ocitui.tui.theme import choose_theme

    return run_app(
        layout,
        ref=ref or None,
        policy=policy,
        registry_factory=client_factory(args),
        theme=choose_theme(getattr(args, "theme", None)),
    )


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


__all__ = ["launch", "split_ref", "tui_policy"]

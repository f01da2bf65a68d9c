"""Entry point: parse arguments, dispatch to a command module, map errors to exit codes.

Exit codes: 0 ok, 1 failure, 2 usage error. Errors are one line on stderr; ``--debug``
adds the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from ocitui import __version__
from ocitui.cli import commands as commands_pkg
from ocitui.core.errors import OcituiError, UsageError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def _command_modules() -> list[ModuleType]:
    modules = [
        importlib.import_module(f"{commands_pkg.__name__}.{info.name}")
        for info in pkgutil.iter_modules(commands_pkg.__path__)
        if not info.name.startswith("_")
    ]
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.NAME))


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and a one-line message on usage errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    """The full parser, every subcommand registered."""
    parser = _Parser(
        prog="ocitui",
        description=(
            "A keyboard-driven workbench for OCI artifacts. With no command, opens the TUI on "
            "the layout. Images are kept in an OCI image layout (a staging cache) together "
            "with everything attached to them: signatures, SBOMs, attestations, referrers."
        ),
        epilog="Run 'ocitui COMMAND --help' for a command's options and examples.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ocitui {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument(
        "--layout",
        metavar="DIR",
        default=None,
        help="the OCI layout to work on (env OCITUI_LAYOUT; default: the user data dir)",
    )
    from ocitui.cli.remote import add_remote_args

    # For the TUI (no command): the same registry options every remote command takes.
    add_remote_args(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in _command_modules():
        child = sub.add_parser(
            module.NAME,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            epilog=getattr(module, "EPILOG", None),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        child.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="show tracebacks on errors",
        )
        child.add_argument(
            "--layout",
            metavar="DIR",
            default=argparse.SUPPRESS,
            help="the OCI layout (env OCITUI_LAYOUT)",
        )
        module.register(child)
        child.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code."""
    parser = build_parser()
    from ocitui.cli.tui_launcher import launch, split_ref

    argv, tui_ref = split_ref(parser, sys.argv[1:] if argv is None else argv)
    args, extras = parser.parse_known_args(argv)
    args.tui_ref = tui_ref
    # Positionals after options ("attach REF -t T FILE"): argparse leaves them over; a
    # command that takes a trailing list names it in ``intermixed``.
    target = getattr(args, "intermixed", None)
    if extras and target and not any(e.startswith("-") for e in extras):
        setattr(args, target, [*getattr(args, target), *extras])
    elif extras:
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    run = getattr(args, "_run", None) or launch
    try:
        return int(run(args))
    except UsageError as exc:
        print(f"ocitui: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OcituiError as exc:
        if args.debug or os.environ.get("OCITUI_DEBUG"):
            traceback.print_exc()
        print(f"ocitui: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # A writer the core did not wrap: still one line, never a trace.
        if args.debug or os.environ.get("OCITUI_DEBUG"):
            traceback.print_exc()
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"ocitui: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("ocitui: interrupted", file=sys.stderr)
        return 130

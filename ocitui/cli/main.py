"""Entry point: parse arguments, dispatch to a command module, map errors to exit codes.

Exit codes: 0 ok, 1 failure, 2 usage error. Errors are one line on stderr; ``--debug``
adds the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from ocitui import __version__
from ocitui.cli import commands as commands_pkg
from ocitui.cli.terminal import sanitised_output
from ocitui.core.errors import OcituiError, UsageError
from ocitui.core.text_safety import error_text

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

#: The header constants a command module declares, read from its source without
#: importing it (importing every command pulls in httpx, the sync engine, ...).
_CONSTANT = re.compile(r'^(NAME|HELP|ORDER) = ("[^"\\\n]*"|\d+)$', re.MULTILINE)


class CommandInfo:
    """What ``--help`` shows of a command, and the module that implements it.

    (A plain class: ``dataclasses`` costs more start-up time than it saves here.)
    """

    __slots__ = ("help", "module", "name", "order")

    def __init__(self, module: str, name: str, help: str, order: int) -> None:
        self.module, self.name, self.help, self.order = module, name, help, order

    def load(self) -> ModuleType:
        """Import the command's module (only for the command that runs)."""
        return importlib.import_module(f"{commands_pkg.__name__}.{self.module}")


def _static_info(module: str, source: str) -> CommandInfo | None:
    # The pattern admits only plain decimal numbers and strings without escapes, which
    # read the same as JSON.
    found = {key: json.loads(value) for key, value in _CONSTANT.findall(source)}
    if not isinstance(found.get("NAME"), str) or not isinstance(found.get("HELP"), str):
        return None
    order = found.get("ORDER", 100)
    return CommandInfo(module, found["NAME"], found["HELP"], order)


def command_infos() -> list[CommandInfo]:
    """Every command module's name, help line and order, in ``--help`` order.

    Modules are discovered in the ``commands`` package; their one-line ``NAME``,
    ``HELP`` and ``ORDER`` constants are read from the source. A module that spells
    them another way is imported instead (correct, only slower).
    """
    infos = []
    for path in Path(commands_pkg.__path__[0]).glob("*.py"):
        module = path.stem
        if module.startswith("_"):
            continue
        info = _static_info(module, path.read_text(encoding="utf-8"))
        if info is None:
            loaded = importlib.import_module(f"{commands_pkg.__name__}.{module}")
            info = CommandInfo(module, loaded.NAME, loaded.HELP, getattr(loaded, "ORDER", 100))
        infos.append(info)
    return sorted(infos, key=lambda i: (i.order, i.name))


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv`` (the first word that is not a global option)."""
    args = iter(argv)
    for arg in args:
        if arg == "--layout":
            next(args, None)
        elif arg == "--":
            return next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and a one-line message on usage errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser with every subcommand; with ``argv``, only the one it names is built.

    Without ``argv`` every command module is imported and registered (for tests and
    documentation); with it, the other commands are listed from their static metadata
    and their modules are not imported.
    """
    return _build(None if argv is None else _chosen_command(argv), everything=argv is None)


def _build(chosen: str | None, *, everything: bool) -> argparse.ArgumentParser:
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
    parser.add_argument(
        "--theme",
        choices=("auto", "dark", "light"),
        default=None,
        help="the TUI's colours: dark or light background (env OCITUI_THEME; default auto: "
        "the terminal's COLORFGBG, else dark; NO_COLOR is honoured)",
    )
    from ocitui.cli.remote import add_remote_args

    # For the TUI (no command): the same registry options every remote command takes.
    add_remote_args(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for info in command_infos():
        if not everything and info.name != chosen:
            sub.add_parser(info.name, help=info.help)
            continue
        module = info.load()
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


#: Registry options the top-level parser takes (for the TUI) and remote commands take too.
_REGISTRY_DESTS = ("plain_http", "insecure", "ca_file", "registry_config", "referrers_mode")
#: Global options that take a value (their value is never the command word).
_VALUED_GLOBALS = frozenset({"--layout", "--ca-file", "--registry-config", "--referrers-mode"})


def _command_index(argv: Sequence[str], command: str) -> int:
    """Where the command word stands in ``argv`` (global options come before it)."""
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == command:
            return index
        index += 2 if arg in _VALUED_GLOBALS else 1
    return len(argv)


def _apply_global_registry_options(
    parser: argparse.ArgumentParser, args: argparse.Namespace, argv: Sequence[str]
) -> None:
    """Honour registry options written before the command (``ocitui --plain-http pull X``).

    argparse lets a subcommand's defaults overwrite what the top-level parser read, so
    these would be dropped silently; here they are applied when the command did not set
    the option itself, and refused (exit 2) for a command that talks to no registry.
    """
    prefix = argv[: _command_index(argv, args.command)]
    if not prefix:
        return
    from ocitui.cli.remote import add_remote_args

    probe = argparse.ArgumentParser(add_help=False)
    add_remote_args(probe)
    given, _ = probe.parse_known_args(prefix)
    defaults = probe.parse_args([])
    chosen = {
        dest: getattr(given, dest)
        for dest in _REGISTRY_DESTS
        if getattr(given, dest) != getattr(defaults, dest)
    }
    if not chosen:
        return
    child = next(
        action.choices[args.command]
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    accepted = {action.dest for action in child._actions}
    refused = sorted(dest for dest in chosen if dest not in accepted)
    if refused:
        names = ", ".join("--" + dest.replace("_", "-") for dest in refused)
        parser.error(f"{names} before the command: '{args.command}' talks to no registry")
    for dest, value in chosen.items():
        current = getattr(args, dest, None)
        if current == getattr(defaults, dest):
            setattr(args, dest, value)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code."""
    _skip_final_collection()
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    from ocitui.cli.tui_launcher import launch, split_ref

    # ``ocitui [REF]``: a first word that names no command is the TUI's reference.
    argv, tui_ref = split_ref(parser, argv)
    args, extras = parser.parse_known_args(argv)
    if args.command and getattr(args, "_run", None) is None:
        # The command word was not where _chosen_command looked (e.g. an abbreviated
        # global option took it): build that command's parser and parse again.
        parser = _build(args.command, everything=False)
        args, extras = parser.parse_known_args(argv)
    args.tui_ref = tui_ref
    # Positionals after options ("attach REF -t T FILE"): argparse leaves them over; a
    # command that takes a trailing list names it in ``intermixed``.
    target = getattr(args, "intermixed", None)
    if extras and target and not any(e.startswith("-") for e in extras):
        setattr(args, target, [*getattr(args, target), *extras])
    elif extras:
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    run = getattr(args, "_run", None)
    if run is not None:
        _apply_global_registry_options(parser, args, argv)
    if run is None:
        # The TUI: inside the same error handling (one line, exit 1), the screen unwrapped.
        return _run(launch, args)
    with sanitised_output(bool(getattr(args, "json", False))):
        return _run(run, args)


def _skip_final_collection() -> None:
    """Freeze the heap at exit, so the interpreter's shutdown skips its last collection.

    That collection walks every object the run created (imports, plans, events) and took
    a tenth of a second and more after a pull had finished. Its only work at exit is
    freeing memory the OS frees anyway; files are closed (and flushed) by the code that
    wrote them, and standard streams are flushed by the interpreter either way.
    Registered once per process; in a test run it fires when the test process exits.
    """
    import atexit
    import gc

    atexit.unregister(gc.freeze)  # Once, however often main() runs in one process.
    atexit.register(gc.freeze)


def _run(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        return int(run(args))
    except UsageError as exc:
        print(f"ocitui: error: {error_text(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except OcituiError as exc:
        if args.debug or os.environ.get("OCITUI_DEBUG"):
            import traceback

            traceback.print_exc()
        print(f"ocitui: error: {error_text(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
    except RecursionError:
        # Defence in depth: untrusted input is depth-checked before it is parsed or walked.
        if args.debug or os.environ.get("OCITUI_DEBUG"):
            import traceback

            traceback.print_exc()
        print("ocitui: error: input is nested too deeply to process", file=sys.stderr)
        return EXIT_FAILURE
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # A writer the core did not wrap: still one line, never a trace.
        if args.debug or os.environ.get("OCITUI_DEBUG"):
            import traceback

            traceback.print_exc()
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"ocitui: error: {error_text(f'{where}{exc.strerror or exc}')}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("ocitui: interrupted", file=sys.stderr)
        return 130

"""Run the CLI many times fast: each run is a fork of an interpreter that imported ocitui.

A subprocess per run costs an interpreter start and every import (most of a second on a
shared machine); a fork costs a few milliseconds and still isolates each run (its own
environment, working directory, file descriptors, module state). The child runs
``ocitui.cli.main.main`` exactly as ``python -m ocitui`` would, with stdin on /dev/null,
stdout and stderr in files; the parent kills it (its whole process group) after
``timeout`` seconds. An exception that escapes ``main`` is printed the way the
interpreter would (``Traceback ...``) and gives exit code 70, so the checks see it.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import signal
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: Exit code of a child in which an exception escaped ``main``.
ESCAPED = 70
#: Exit code reported for a run the parent had to kill.
HUNG = -9

#: Names a read-only command may create or change: lock and lease files, the metadata
#: cache (a cache of what the blobs say, rebuilt when it does not match).
LOCK_NAMES = frozenset({".ocitui.lock", ".ocitui.lease"})
CACHE_PREFIX = ".ocitui-metadata"


@dataclass(frozen=True)
class Outcome:
    """What one CLI run did."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def preload() -> None:
    """Import every command module once, so forks do not pay for imports."""
    from ocitui.cli.main import command_infos

    for info in command_infos():
        info.load()
    importlib.import_module("ocitui.core.archive.importer")


def run(
    argv: list[str],
    *,
    env: dict[str, str],
    timeout: float = 20.0,
    entry: Callable[[list[str]], int] | None = None,
) -> Outcome:
    """``ocitui ARGV`` (or ``entry(ARGV)``) in a forked child; killed after ``timeout`` s."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            _child(argv, env, out.fileno(), err.fileno(), entry)
        returncode = _wait(pid, timeout)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return Outcome(
            tuple(argv),
            returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
        )


class Background:
    """``ocitui ARGV`` running in a forked child (a server), until :meth:`stop`."""

    def __init__(self, argv: list[str], *, env: dict[str, str]) -> None:
        self.argv = tuple(argv)
        self._out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        self._err = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        self.started = time.monotonic()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - the child never returns
            _child(argv, env, self._out.fileno(), self._err.fileno())
        self._code: int | None = None

    def exited(self) -> bool:
        """True when the child has ended by itself."""
        if self._code is None:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self._code = os.waitstatus_to_exitcode(status)
        return self._code is not None

    def stop(self, grace: float = 5.0) -> Outcome:
        """Interrupt the child (Ctrl-C), kill it after ``grace`` s; what it did."""
        if not self.exited():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGINT)
            self._code = _wait(self.pid, grace)
        with self._out, self._err:
            self._out.seek(0)
            self._err.seek(0)
            return Outcome(
                self.argv,
                self._code if self._code is not None else HUNG,
                self._out.read().decode("utf-8", "replace"),
                self._err.read().decode("utf-8", "replace"),
                time.monotonic() - self.started,
            )


def run_function(func: Callable[[], int], *, env: dict[str, str], timeout: float = 20.0) -> Outcome:
    """``func()`` in a forked child, as the TUI's workers call the core.

    An :class:`~ocitui.core.errors.OcituiError` is what the TUI shows as one line (exit
    1 here); anything else escapes (exit :data:`ESCAPED`, with its traceback).
    """

    def call(argv: list[str]) -> int:
        from ocitui.core.errors import OcituiError
        from ocitui.core.text_safety import one_line_safe

        try:
            return func()
        except OcituiError as exc:
            print(f"ocitui: error: {one_line_safe(str(exc))}", file=sys.stderr)
            return 1

    return run(["<function>"], env=env, timeout=timeout, entry=call)


def _child(
    argv: list[str],
    env: dict[str, str],
    out: int,
    err: int,
    entry: Callable[[list[str]], int] | None = None,
) -> None:
    code = ESCAPED
    try:
        os.setpgid(0, 0)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.environ.clear()
        os.environ.update(env)
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", errors="surrogateescape", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
        from ocitui.cli.main import main

        try:
            code = (entry or main)(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            import traceback

            traceback.print_exc()
            code = ESCAPED
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                code = ESCAPED
    finally:
        os._exit(code)


def _wait(pid: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return HUNG
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def snapshot(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every path under ``root``: its type, mode and content hash (links: their target).

    Never follows a symlink and never opens anything but a regular file.
    """
    seen: dict[str, tuple[str, int, str]] = {}
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            path = folder / name
            rel = str(path.relative_to(root))
            if rel in LOCK_NAMES or rel.startswith(CACHE_PREFIX):
                continue
            info = os.lstat(path)
            if stat.S_ISDIR(info.st_mode):
                seen[rel] = ("dir", info.st_mode, "")
                stack.append(path)
            elif stat.S_ISLNK(info.st_mode):
                seen[rel] = ("link", info.st_mode, os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                seen[rel] = ("file", info.st_mode, hashlib.sha256(path.read_bytes()).hexdigest())
            else:
                seen[rel] = ("other", info.st_mode, "")
    return seen

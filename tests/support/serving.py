"""``served``: run ``ocitui serve`` on a layout in a subprocess, on a free loopback port.

Used by ``tests/serve`` (through its conftest) and by ``bench/serve_vs_registry``.

The server's ``--json`` startup line gives the URL; its access log goes to a file (a
pipe nobody reads would fill and stall the server). Every server is stopped with SIGTERM
at the end of the test, which must end it cleanly (exit 0, a ``stopped`` line).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

ROOT = Path(__file__).resolve().parents[2]  # The repository (worktree) root.
OCITUI = (sys.executable, "-m", "ocitui")


@dataclass
class Served:
    """A running ``ocitui serve``."""

    url: str
    host: str
    layout: Path
    info: dict[str, object]
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> str:
        """SIGTERM, wait, and return the rest of stdout (the server must exit 0)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("ocitui serve did not stop on SIGTERM") from None
        assert self.process.stdout is not None
        rest = self.process.stdout.read().decode()
        assert self.process.returncode == 0, self.log_path.read_text()[-2000:]
        return rest

    def log(self) -> str:
        """The access log so far."""
        return self.log_path.read_text()


def env() -> dict[str, str]:
    """The environment for subprocesses running this worktree's ocitui."""
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _read_line(stream: IO[bytes], timeout: float) -> bytes:
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    try:
        if not selector.select(timeout):
            return b""
        return stream.readline()
    finally:
        selector.close()


def start_serve(layout: Path, *extra: str, log_path: Path) -> Served:
    """Start ``ocitui serve`` on ``layout`` and wait for its startup line."""
    log = log_path.open("wb")
    process = subprocess.Popen(
        [*OCITUI, "--layout", str(layout), "serve", "--addr", "127.0.0.1:0", "--json", *extra],
        stdout=subprocess.PIPE,
        stderr=log,
        env=env(),
    )
    log.close()
    assert process.stdout is not None
    line = _read_line(process.stdout, 60)
    if not line:
        process.kill()
        process.wait()
        raise AssertionError(f"ocitui serve did not start: {log_path.read_text()[-2000:]}")
    info = json.loads(line)
    assert info["event"] == "listening"
    host = f"127.0.0.1:{info['port']}"
    return Served(str(info["url"]), host, layout, info, process, log_path)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Factory: ``served(layout, *options)`` -> a running server, stopped afterwards."""
    started: list[Served] = []

    def make(layout: Path, *extra: str) -> Served:
        server = start_serve(layout, *extra, log_path=tmp_path / f"serve-{len(started)}.log")
        started.append(server)
        return server

    yield make
    for server in started:
        if server.process.poll() is None:
            server.stop()

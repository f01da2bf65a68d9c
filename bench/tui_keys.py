"""The TUI in a real terminal: key-to-screen latency on a big layout.

``ocitui --layout DIR`` runs in a pseudo-terminal (80x24, ``TERM=xterm-256color``) that
this module reads as a terminal would. It answers Textual's query for synchronized
output (mode 2026, which kitty, WezTerm, foot, iTerm2, Windows Terminal and others
support), so every screen update arrives as one frame between ``ESC[?2026h`` and
``ESC[?2026l``, and keeps a small model of the screen (text and style of every cell).

Per key: wait until the screen has been still for :data:`QUIET` seconds, write the key's
bytes, then read frames until the screen is still again. Two figures per key, both from
the moment the key was written:

- ``first``: the end of the first frame that changed the screen (what the user sees
  first: the cursor moved, the typed letter in the filter);
- ``done``: the end of the last frame that changed the screen before it went still (the
  filter's result in the tree, the detail pane of the new selection).

Frames that only toggle the style of one cell (the filter's blinking text cursor) do not
count. Start-up: seconds from spawning the process until a frame shows a repository
(``N tag(s)`` in the tree), and until the status line counts the layout's entries (the
whole model is in). The
app's CPU time per key is read from ``/proc/PID/task/*/schedstat`` (all its threads).

Not part of the test run::

    python -m bench.synth /tmp/l10k --images 5000     # 10,000 entries
    python -m bench.tui_keys /tmp/l10k --runs 3
"""

from __future__ import annotations

import argparse
import codecs
import fcntl
import os
import re
import select
import statistics
import struct
import subprocess
import sys
import termios
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Seconds without a screen change that end a key's response.
QUIET = 0.3
#: Seconds after a key without any screen change that count it as changing nothing.
UNCHANGED = 5.0
#: The longest a key's response (or the start) may take before the bench gives up.
PATIENCE = 30.0
SYNC_QUERY = b"\x1b[?2026$p"
SYNC_REPLY = b"\x1b[?2026;2$y"  # "supported, currently off": Textual then uses it.
SYNC_END = "\x1b[?2026l"
REPOSITORY = re.compile(r"\b\d[\d,]* tags?\b")
#: The status line once the whole model is in (its counts; not shown while loading).
LOADED = re.compile(r"\b\d[\d,]* entr(y|ies)\b")
_TOKEN = re.compile(
    r"\x1b\[([0-9;?<>=]*)[ -/]*([@-~])"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    r"|\x1b[^\[\]]"  # other escapes
    r"|([\r\n\x08])"  # controls that move the cursor
    r"|[\x00-\x1f\x7f]"  # other controls
    r"|([^\x00-\x1f\x7f\x1b]+)"  # text
)


class ScreenModel:
    """The cells of a terminal screen, as written by CUP, SGR, erase and text."""

    def __init__(self, rows: int, cols: int) -> None:
        self.rows, self.cols = rows, cols
        self.cells = [[(" ", "")] * cols for _ in range(rows)]
        self.row = self.col = 0
        self.style = ""

    def apply(self, text: str) -> None:
        """Write ``text`` (complete escape sequences only) to the screen."""
        for match in _TOKEN.finditer(text):
            params, final, control, run = match.group(1, 2, 3, 4)
            if final is not None:
                self._csi(params or "", final)
            elif control == "\r":
                self.col = 0
            elif control == "\n":
                self.row = min(self.row + 1, self.rows - 1)
            elif control == "\x08":
                self.col = max(self.col - 1, 0)
            elif run is not None:
                self._text(run)

    def _csi(self, params: str, final: str) -> None:
        if params.startswith("?"):
            return  # Private modes (sync, mouse, cursor) do not change cells.
        nums = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []
        if final in "Hf":
            self.row = min(max((nums[0] if nums else 1) - 1, 0), self.rows - 1)
            self.col = min(max((nums[1] if len(nums) > 1 else 1) - 1, 0), self.cols - 1)
        elif final == "m":
            self.style = "" if params in ("", "0") else params
        elif final == "K":
            start, end = {1: (0, self.col + 1), 2: (0, self.cols)}.get(
                nums[0] if nums else 0, (self.col, self.cols)
            )
            self.cells[self.row][start:end] = [(" ", self.style)] * (end - start)
        elif final == "J" and (nums[0] if nums else 0) == 2:
            self.cells = [[(" ", "")] * self.cols for _ in range(self.rows)]

    def _text(self, run: str) -> None:
        line = self.cells[self.row]
        for char in run:
            wide = unicodedata.east_asian_width(char) in "WF"
            if self.col < self.cols:
                line[self.col] = (char, self.style)
            if wide and self.col + 1 < self.cols:
                line[self.col + 1] = ("", self.style)
            self.col = min(self.col + (2 if wide else 1), self.cols)

    def snapshot(self) -> list[list[tuple[str, str]]]:
        """A copy of the cells (to compare two moments)."""
        return [list(line) for line in self.cells]

    def text(self) -> str:
        """The screen's text, one line per row."""
        return "\n".join("".join(c for c, _ in line) for line in self.cells)


def changed(before: list[list[tuple[str, str]]], after: list[list[tuple[str, str]]]) -> bool:
    """Whether the screen changed, ignoring a style change of a single cell (a cursor
    blink)."""
    styles = 0
    for old, new in zip(before, after, strict=True):
        if old == new:
            continue
        for a, b in zip(old, new, strict=True):
            if a[0] != b[0]:
                return True
            if a[1] != b[1]:
                styles += 1
    return styles > 1


@dataclass
class Response:
    """How long one key took to show (milliseconds from writing it), and the app's CPU."""

    first: float
    done: float
    cpu: float


@dataclass
class Terminal:
    """``ocitui`` in a pseudo-terminal, read frame by frame."""

    argv: list[str]
    rows: int = 24
    cols: int = 80
    screen: ScreenModel = field(init=False)
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.screen = ScreenModel(self.rows, self.cols)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
        env.pop("NO_COLOR", None)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.master = master

    def frames(self, timeout: float) -> list[float]:
        """Read for up to ``timeout`` seconds (stopping at the first frames read):
        the times at which frames ended, applied to :attr:`screen`."""
        ready, _, _ = select.select([self.master], [], [], max(timeout, 0.0))
        if not ready:
            return []
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:  # The app ended (EIO on the master side).
            data = b""
        now = time.perf_counter()
        if not data:
            raise RuntimeError(f"ocitui ended; screen:\n{self.screen.text()}")
        if SYNC_QUERY in data:
            os.write(self.master, SYNC_REPLY)
        self._pending += self._decoder.decode(data)
        ends: list[float] = []
        while (cut := self._pending.find(SYNC_END)) >= 0:
            self.screen.apply(self._pending[:cut])
            self._pending = self._pending[cut + len(SYNC_END) :]
            ends.append(now)
        return ends

    def wait_for(self, pattern: re.Pattern[str]) -> float:
        """Seconds from the start until a frame shows ``pattern`` on the screen."""
        deadline = time.perf_counter() + PATIENCE * 10
        while time.perf_counter() < deadline:
            for end in self.frames(deadline - time.perf_counter()):
                if pattern.search(self.screen.text()):
                    return end - self.started
        raise RuntimeError(f"screen never showed {pattern.pattern!r}:\n{self.screen.text()}")

    def settle(self) -> None:
        """Read until the screen has not changed for :data:`QUIET` seconds."""
        deadline = time.perf_counter() + PATIENCE
        last = time.perf_counter()
        while time.perf_counter() - last < QUIET and time.perf_counter() < deadline:
            before = self.screen.snapshot()
            if self.frames(QUIET - (time.perf_counter() - last)) and changed(
                before, self.screen.snapshot()
            ):
                last = time.perf_counter()

    def key(self, data: bytes) -> Response | None:
        """Write ``data`` (one key) once the screen is still; time its response
        (``None``: the screen did not change, e.g. ``j`` on the last line)."""
        self.settle()
        cpu = self.cpu()
        sent = time.perf_counter()
        os.write(self.master, data)
        first = done = None
        last = sent
        while time.perf_counter() - sent < PATIENCE:
            # Before the first change, wait up to UNCHANGED; after it, until still.
            wait = (UNCHANGED if first is None else QUIET) - (time.perf_counter() - last)
            if wait <= 0:
                break
            before = self.screen.snapshot()
            ends = self.frames(wait)
            if ends and changed(before, self.screen.snapshot()):
                first = ends[0] if first is None else first
                done = last = ends[-1]
        if first is None or done is None:
            return None
        return Response((first - sent) * 1000, (done - sent) * 1000, self.cpu() - cpu)

    def cpu(self) -> float:
        """Milliseconds of CPU the app's threads have run (``schedstat``, nanoseconds)."""
        total = 0
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue  # A thread that ended meanwhile.
        return total / 1e6

    def close(self) -> None:
        """End the app (``q``, then a kill if it lingers)."""
        try:
            os.write(self.master, b"q")
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


#: The keys timed: ``j`` and ``k`` across the screen's edge, then a filter typed and erased.
MOVES = "j" * 24 + "k" * 24
FILTERS = ("app7", "v123")


def run_once(layout: Path) -> dict[str, list[float]]:
    """One fresh app on ``layout``: start-up seconds and every key's response."""
    term = Terminal([sys.executable, "-m", "ocitui", "--layout", str(layout)])
    found: dict[str, list[float]] = {}
    try:
        found["first"] = [term.wait_for(REPOSITORY)]
        found["loaded"] = [term.wait_for(LOADED)]
        for key in MOVES:
            _add(found, key, term.key(key.encode()))
        term.key(b"/")
        for word in FILTERS:
            for char in word:
                _add(found, "type", term.key(char.encode()))
            for _ in word:
                _add(found, "erase", term.key(b"\x7f"))
        term.key(b"\x1b")
    finally:
        term.close()
    return found


def _add(found: dict[str, list[float]], name: str, response: Response | None) -> None:
    if response is None:
        found.setdefault(f"{name}_unchanged", []).append(1.0)
        return
    found.setdefault(f"{name}_first", []).append(response.first)
    found.setdefault(f"{name}_done", []).append(response.done)
    found.setdefault(f"{name}_cpu", []).append(response.cpu)


def measure(layout: Path, runs: int) -> dict[str, list[float]]:
    """``runs`` fresh apps on ``layout``: every figure of every run, by name."""
    found: dict[str, list[float]] = {}
    for _ in range(runs):
        for name, values in run_once(layout).items():
            found.setdefault(name, []).extend(values)
    return found


def p90(values: list[float]) -> float:
    """The 90th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 9 // 10) - 1)]


def keys(found: dict[str, list[float]], name: str) -> str:
    """One key's figures as text: median and p90 of ``done``, ``first`` and CPU."""
    done, first, cpu = (found[f"{name}_{part}"] for part in ("done", "first", "cpu"))
    return (
        f"{statistics.median(done):.0f} ms (p90 {p90(done):.0f}; first frame median "
        f"{statistics.median(first):.0f}, p90 {p90(first):.0f}; app CPU median "
        f"{statistics.median(cpu):.0f} ms; {len(done)} keys"
        + (
            f", {len(unchanged)} changed nothing"
            if (unchanged := found.get(f"{name}_unchanged"))
            else ""
        )
        + ")"
    )


def summary(found: dict[str, list[float]]) -> dict[str, str]:
    """Every figure as text."""
    return {
        "first repository on screen": f"{statistics.median(found['first']):.2f} s (runs "
        + " ".join(f"{v:.2f}" for v in found["first"])
        + ")",
        "whole tree loaded": f"{statistics.median(found['loaded']):.2f} s",
        "j": keys(found, "j"),
        "k": keys(found, "k"),
        "/ typing": keys(found, "type"),
        "/ erasing": keys(found, "erase"),
    }


def main() -> None:
    """Run and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for name, text in summary(measure(args.dir, args.runs)).items():
        print(f"{name}: {text}")


if __name__ == "__main__":
    main()

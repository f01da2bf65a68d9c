"""What every CLI run on hostile input must satisfy, as one function returning problems."""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.hostile.fuzz_runner import ESCAPED, HUNG, Outcome

#: Characters that must never reach a terminal raw: C0 (but tab, newline), DEL, C1, bidi.
_RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: What a leaked exception looks like in a message.
_LEAKED = re.compile(
    r"Traceback|\b\w+(Error|Exception)\(|<class '|object at 0x|\bKeyError\b|\bTypeError\b"
    r"|\bAttributeError\b|\bIndexError\b|\bUnboundLocalError\b|\bAssertionError\b"
)


def problems(outcome: Outcome, *, json_mode: bool = False) -> list[str]:
    """Every way ``outcome`` breaks the rules (empty when it is fine).

    A failing ``verify`` ends with its own summary line, and a sync that copied part of
    its plan prints its report (``result: ...`` on stdout) after a progress log on stderr:
    reports, not errors.
    """
    found = []
    code = outcome.returncode
    if code == HUNG:
        found.append("hang (killed after the timeout)")
    elif code == ESCAPED:
        found.append("exception escaped main")
    elif code not in (0, 1, 2):
        found.append(f"exit code {code}")
    if _LEAKED.search(outcome.stderr) or _LEAKED.search(outcome.stdout):
        found.append("leaked exception text")
    raw = _RAW_CONTROL.search(outcome.stdout + outcome.stderr)
    if raw:
        found.append(f"raw control character {raw.group()!r} in output")
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    last = (lines or [""])[-1]
    verdict = "failed verification" in last or last == "nothing to verify"
    report = ("verify" in outcome.argv and verdict) or (
        "result:" in outcome.stdout or '"result"' in outcome.stdout
    )
    if code in (1, 2) and lines and not lines[-1].startswith("ocitui") and not report:
        found.append(f"last stderr line is not ocitui's: {lines[-1][:80]!r}")
    errors = [line for line in lines if line.startswith("ocitui: error:")]
    if len(errors) > 1:
        found.append(f"{len(errors)} error lines")
    if code == 0 and json_mode:
        try:
            json.loads(outcome.stdout)
        except ValueError:
            # Event streams (push --json) are JSON lines.
            try:
                for line in outcome.stdout.splitlines():
                    if line.strip():
                        json.loads(line)
            except ValueError:
                found.append("--json output is neither JSON nor JSON lines")
    return found


@dataclass
class Failure:
    """One run that broke a rule, with what reproduces it."""

    seed_name: str
    case: int
    mutations: list[str]
    argv: tuple[str, ...]
    problems: list[str]
    stderr: str

    def __str__(self) -> str:
        lines = self.stderr.strip().splitlines()
        start = next((i for i, line in enumerate(lines) if "Traceback" in line), len(lines) - 3)
        tail = lines[max(0, start) :][-14:]
        return (
            f"[{self.seed_name} case {self.case}] {' '.join(self.argv[2:])}: "
            f"{'; '.join(self.problems)}\n    mutations: {self.mutations}\n    stderr: {tail}"
        )


@dataclass
class Stats:
    """Counts of a fuzz run."""

    cases: int = 0
    runs: int = 0
    by_code: dict[int, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)


def fuzz_args(description: str) -> argparse.ArgumentParser:
    """The options every fuzz script takes (``--seconds``, ``--seed``, ``--cases``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=float, default=120, help="stop after this long")
    parser.add_argument("--seed", type=int, default=0, help="first case number")
    parser.add_argument("--cases", type=int, default=1_000_000, help="stop after this many")
    return parser


def fuzz_loop(args: argparse.Namespace, run_one: Callable[[int, Path, Stats], None]) -> int:
    """Run cases ``args.seed``, ``args.seed + 1``... until time or count is up.

    ``run_one(case, scratch directory, stats)`` runs one case; new failures are printed
    as they come, progress every 10 cases, counts at the end. Exit 1 on any failure.
    """
    from tests.hostile import fuzz_runner

    fuzz_runner.preload()
    stats = Stats()
    stop = time.monotonic() + args.seconds
    with tempfile.TemporaryDirectory() as tmp:
        case = args.seed
        while time.monotonic() < stop and stats.cases < args.cases:
            before = len(stats.failures)
            run_one(case, Path(tmp), stats)
            for failure in stats.failures[before:]:
                print(failure, flush=True)
            case += 1
            if (case - args.seed) % 10 == 0:
                print(
                    f"... {stats.cases} cases, {stats.runs} runs, {len(stats.failures)} failures",
                    file=sys.stderr,
                    flush=True,
                )
    print(
        f"{stats.cases} cases, {stats.runs} runs, exit codes {sorted(stats.by_code.items())}, "
        f"{len(stats.failures)} failures",
        file=sys.stderr,
    )
    return 1 if stats.failures else 0

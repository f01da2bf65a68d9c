"""What every CLI run on hostile input must satisfy, as one function returning problems."""

from __future__ import annotations

import json
import re

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

"""Time one command: wall seconds, CPU seconds and peak memory.

The one way the benchmarks run what they measure (``bench.all``, ``bench.sync_vs_skopeo``,
``bench.memory_flat``, ``bench.serve_vs_registry``). CPU (user + system) and peak RSS come
from ``/usr/bin/time``, which forks the command from its own small process: the command's
own figures (a child forked straight from the benchmark would start with the
benchmark's resident memory as its high-water mark). A command that fails stops the
benchmark with the tail of its output.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

#: GNU time's format: user and system CPU seconds, peak RSS in KiB.
_FORMAT = "%U %S %M"


@dataclass(frozen=True)
class Timing:
    """What one run of a command cost."""

    seconds: float
    #: User + system CPU seconds.
    cpu: float
    #: Peak resident set size, KiB.
    peak_rss_kib: int


def run_timed(cmd: list[str], env: dict[str, str] | None = None) -> Timing:
    """Run ``cmd`` (output discarded) and return what it cost; exit on failure."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "time"
        start = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-f", _FORMAT, "-o", str(report), *cmd],
            capture_output=True,
            env=env,
            check=False,
        )
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            tail = (done.stdout[-2000:] + b"\n" + done.stderr[-3000:]).decode(errors="replace")
            sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{tail}")
        user, system, rss = report.read_text().split()[-3:]
    return Timing(elapsed, float(user) + float(system), int(rss))

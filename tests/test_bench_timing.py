"""``bench.timing.run_timed``, the one way the benchmarks time a command: CPU and peak
memory are the command's own, and a failing command stops the bench."""

from __future__ import annotations

import sys

import pytest

from bench.timing import run_timed

BUSY = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
BIG = "block = bytearray(80 * 1024 * 1024)\nblock[::4096] = b'x' * len(block[::4096])"


def test_cpu_and_peak_memory_are_the_command_s() -> None:
    busy = run_timed([sys.executable, "-c", BUSY])
    assert busy.cpu >= 0.3 and busy.seconds >= 0.3
    big = run_timed([sys.executable, "-c", BIG])
    assert big.peak_rss_kib >= 80 * 1024
    # The command's own peak: not this (bigger) test process's memory it was forked from.
    assert busy.peak_rss_kib < 40 * 1024


def test_a_failing_command_stops_the_bench_with_its_output() -> None:
    with pytest.raises(SystemExit) as stopped:
        run_timed([sys.executable, "-c", "import sys; sys.exit('broken on purpose')"])
    assert "failed (1)" in str(stopped.value) and "broken on purpose" in str(stopped.value)

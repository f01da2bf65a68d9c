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


def test_bench_all_keeps_the_cpu_of_each_command_line_apart() -> None:
    """``ls`` on the demo, the 10k and the 100k layout start with the same four words:
    each row's CPU figure must be its own command's, not the median of all three."""
    from bench import all as bench_all

    spin = "import sys, time\nend = time.process_time() + float(sys.argv[2])\n"
    spin += "while time.process_time() < end: pass"
    busy = [sys.executable, "-c", spin, "same", "0.4"]
    idle = [sys.executable, "-c", spin, "same", "0"]
    for cmd in (idle, busy, busy, idle, busy):
        bench_all.wall(cmd)
    assert float(bench_all.cpu_of(busy).split()[1]) >= 0.4
    assert float(bench_all.cpu_of(idle).split()[1]) < 0.3
    bench_all.wall(idle, key="a key of its own")
    assert len(bench_all.CPU[" ".join(idle)]) == 2
    assert len(bench_all.CPU["a key of its own"]) == 1

"""Every figure of the "Scale and speed" table in one run: ocitui against skopeo.

Layout figures run on synthetic layouts (``bench.synth``: N images, each with one
referrer; every blob present); sync figures on a throw-away docker-registry on
loopback, ocitui and skopeo alternating, fresh destinations every run. Wall-clock
medians; ratios are ocitui / skopeo from the same run. Not part of the test run:

    python -m bench.all                  # everything (about 10-20 minutes)
    python -m bench.all --quick          # fewer runs, no TUI on the 100k layout
    python -m bench.all --only layout    # or: --only sync, --only referrers
    python -m bench.all --referrers 2000 # fewer referrers in the many-referrers pull
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench import precompile, referrers_10k
from bench.sync_vs_skopeo import forget_skopeo_cache, push_image
from bench.synth import make_layout
from bench.timing import run_timed
from bench.tui_keys import measure as measure_keys
from bench.tui_keys import summary as keys_summary
from bench.tui_start import measure as measure_tui
from bench.tui_start import summary as tui_summary
from tests.support.registries import run_docker_registry

ROOT = Path(__file__).resolve().parents[1]
OCITUI = [sys.executable, "-m", "ocitui"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}


#: CPU seconds (user + system) of each command :func:`wall` ran, keyed by the whole
#: command line (or the ``key`` given): on a shared machine CPU time says more than wall
#: time. (Keyed by its first four words, ``ls`` on the demo, the 10k and the 100k layout
#: once shared one list, and the 100k row printed the median of all three.)
CPU: dict[str, list[float]] = {}


def wall(cmd: list[str], env: dict[str, str] | None = None, *, key: str | None = None) -> float:
    """Seconds ``cmd`` takes (:func:`bench.timing.run_timed`: its output discarded, a
    failure stops the benchmark); its CPU time is kept under ``key`` (default: the
    whole command line)."""
    timing = run_timed(cmd, env or ENV)
    CPU.setdefault(key or " ".join(cmd), []).append(timing.cpu)
    return timing.seconds


def cpu_of(cmd: list[str] | str) -> str:
    """The median CPU time of the runs of ``cmd`` (or of a ``key`` given to :func:`wall`)
    so far, as text."""
    values = CPU.get(cmd if isinstance(cmd, str) else " ".join(cmd), [])
    return f"CPU {statistics.median(values):.2f} s" if values else "CPU ?"


def registry_cpu(root: Path) -> float | None:
    """CPU seconds so far of the docker-registry serving ``root/config.yml`` (its
    process found through ``/proc``), None where that cannot be read."""
    wanted = f"{root}/config.yml".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if wanted not in (entry / "cmdline").read_bytes():
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return None


def median_of(runs: int, fn: Callable[[], float]) -> tuple[float, list[float]]:
    """Median and all values of ``runs`` calls."""
    values = [fn() for _ in range(runs)]
    return statistics.median(values), values


def alternate(
    runs: int, ours: Callable[[int], float], theirs: Callable[[int], float]
) -> tuple[float, float, list[float], list[float]]:
    """Alternate the two tools ``runs`` times: (our median, their median, ours, theirs)."""
    mine: list[float] = []
    other: list[float] = []
    for n in range(runs):
        mine.append(ours(n))
        other.append(theirs(n))
    return statistics.median(mine), statistics.median(other), mine, other


def show(label: str, value: str, goal: str, detail: str = "") -> None:
    """One row of the table."""
    print(f"| {label} | {value} | {goal} |{(' ' + detail) if detail else ''}", flush=True)


def _fmt(values: list[float]) -> str:
    return "runs " + " ".join(f"{v:.2f}" for v in values)


# -- layout figures ---------------------------------------------------------------------


def bench_layouts(work: Path, runs: int, big_tui: bool) -> None:
    """ls / referrers / inspect / --version on synthetic layouts and the demo (the TUI
    on the 100k-entry layout only with ``big_tui``)."""
    demo = ROOT / "layouts" / "demo"
    python = [sys.executable, "-c", "pass"]
    med, values = median_of(runs, lambda: wall(python))
    show("`python3 -c pass` (the floor)", f"{med:.3f} s", "", f"{_fmt(values)}; {cpu_of(python)}")
    version = [*OCITUI, "--version"]
    med, values = median_of(runs, lambda: wall(version))
    show("`ocitui --version`", f"{med:.3f} s", "< 0.15 s", f"{_fmt(values)}; {cpu_of(version)}")
    demo_ls = [*OCITUI, "ls", "--layout", str(demo)]
    med, values = median_of(runs, lambda: wall(demo_ls))
    show(
        "`ocitui ls` on layouts/demo",
        f"{med:.3f} s",
        "< 0.3 s",
        f"{_fmt(values)}; {cpu_of(demo_ls)}",
    )
    root = work / "layout-10k"
    bench_ls(root, make_layout(root, 5000), runs)
    bench_lookups(root, 10000, runs)
    bench_tui(root, 10000, runs)
    root = work / "layout-100k"
    bench_ls(root, make_layout(root, 50000), runs)
    if big_tui:
        bench_tui(root, 100000, runs)


def bench_ls(root: Path, entries: int, runs: int) -> None:
    """``ls --json``: the first run builds the metadata index, the medians (wall and CPU)
    are of the rest."""
    ls = [*OCITUI, "ls", "--json", "--layout", str(root)]
    cold = wall(ls, key=f"{root} cold ls")
    med, values = median_of(runs, lambda: wall(ls))
    show(
        f"`ocitui ls --json`, {entries:,} entries",
        f"{med:.2f} s",
        "< 0.3 s" if entries <= 10000 else "< 3 s",
        f"{_fmt(values)}; {cpu_of(ls)} (the first run, which builds the metadata index: "
        f"{cold:.2f} s, {cpu_of(f'{root} cold ls')})",
    )


def bench_lookups(root: Path, entries: int, runs: int) -> None:
    """``referrers`` and ``inspect`` (against ``skopeo inspect --raw``) of one image."""
    ref = "registry.example.com/team0/app0:v0"
    referrers = [*OCITUI, "referrers", ref, "--json", "--layout", str(root)]
    med, values = median_of(runs, lambda: wall(referrers))
    show(
        f"`ocitui referrers REF --json`, {entries:,} entries",
        f"{med:.2f} s",
        "< 0.3 s",
        f"{_fmt(values)}; {cpu_of(referrers)}",
    )
    skopeo = shutil.which("skopeo")
    if skopeo is None:
        show("`ocitui inspect` / `skopeo inspect --raw`", "skopeo missing", "<= 1.5x")
        return
    inspect = [*OCITUI, "inspect", ref, "--layout", str(root)]
    raw = [skopeo, "inspect", "--raw", f"oci:{root}:{ref}"]
    ours, theirs, mine, other = alternate(runs, lambda _n: wall(inspect), lambda _n: wall(raw))
    show(
        f"`ocitui inspect REF` / `skopeo inspect --raw oci:`, {entries:,} entries",
        f"{ours / theirs:.2f}x",
        "<= 1.5x",
        f"ocitui {_fmt(mine)}, {cpu_of(inspect)}; skopeo {_fmt(other)}, {cpu_of(raw)}",
    )


def bench_tui(root: Path, entries: int, runs: int) -> None:
    """The TUI headless at 80x24 (``bench.tui_start``: first repository on screen from the
    process start, with its CPU time; per key in Textual's pilot), then in a
    pseudo-terminal (``bench.tui_keys``: from writing a key until its frames are written)."""
    found = measure_tui(root, runs)
    text = tui_summary(found)
    show(
        f"TUI: first repository on screen, {entries:,} entries",
        text["first"],
        "< 1.5 s",
        f"{_fmt(found['first'])}; {text['first_cpu']}; whole tree loaded {text['loaded']}",
    )
    show(f"TUI headless: `j`/`k` per key, {entries:,} entries", text["move"], "")
    show(f"TUI headless: `/` per key, {entries:,} entries", text["filter"], "")
    keys = keys_summary(measure_keys(root, runs))
    show(
        f"TUI in a terminal: first repository on screen, {entries:,} entries",
        keys["first repository on screen"],
        "< 1.5 s",
        f"whole tree loaded {keys['whole tree loaded']}",
    )
    for name in ("j", "k", "/ typing", "/ erasing"):
        show(
            f"TUI in a terminal: `{name}` key to screen, {entries:,} entries", keys[name], "< 50 ms"
        )


# -- sync figures -----------------------------------------------------------------------


SHAPES = {
    # label: (platforms, layers per platform, layer size)
    "256 MiB (2 platforms x 4 layers x 32 MiB)": (2, 4, 32 << 20),
    "400 blobs of 16 KiB": (2, 200, 16 << 10),
}


def bench_sync(work: Path, runs: int, concurrency: int | None) -> None:
    """Pull and push of both shapes, ocitui and skopeo alternating."""
    skopeo = shutil.which("skopeo")
    if skopeo is None:
        show("pull/push vs skopeo", "skopeo missing", "<= 0.8")
        return
    env = {**ENV, "HOME": str(work / "home"), "DOCKER_CONFIG": str(work / "home" / ".docker")}
    extra = ["--concurrency", str(concurrency)] if concurrency else []
    (work / "reg").mkdir()
    with run_docker_registry(work / "reg") as host:
        for index, (label, shape) in enumerate(SHAPES.items()):
            ref = asyncio.run(push_image(host, work, f"s{index}", shape))
            Shape(
                work / f"shape{index}",
                ref=ref,
                label=label,
                runs=runs,
                env=env,
                extra=extra,
                skopeo=skopeo,
            ).run()


class Shape:
    """Pull then push of one image, ocitui and skopeo alternating."""

    def __init__(
        self,
        work: Path,
        *,
        ref: str,
        label: str,
        runs: int,
        env: dict[str, str],
        extra: list[str],
        skopeo: str,
    ) -> None:
        self.work, self.ref, self.label, self.runs = work, ref, label, runs
        self.env, self.extra, self.skopeo = env, extra, skopeo
        work.mkdir()

    def pull_ours(self, n: int) -> float:
        layout = self.work / f"o{n}"
        cmd = [*OCITUI, "pull", self.ref, "--layout", str(layout), *self.extra]
        return wall(cmd, self.env, key=f"{self.label} ocitui pull")

    def pull_theirs(self, n: int) -> float:
        forget_skopeo_cache()
        dest = f"oci:{self.work / f's{n}'}:v1"
        return wall(
            [
                self.skopeo,
                "copy",
                "-q",
                "--all",
                "--src-tls-verify=false",
                f"docker://{self.ref}",
                dest,
            ],
            self.env,
            key=f"{self.label} skopeo pull",
        )

    def push_ours(self, n: int) -> float:
        layout = self.work / f"o{n}"
        cmd = [*OCITUI, "push", self.ref, "DEST/o/app:v1", "--layout", str(layout), *self.extra]
        return self._push(f"d-o{n}", cmd, "ocitui")

    def push_theirs(self, n: int) -> float:
        forget_skopeo_cache()
        source = f"oci:{self.work / f's{n}'}:v1"
        cmd = [self.skopeo, "copy", "-q", "--all", "--dest-tls-verify=false"]
        return self._push(f"d-s{n}", [*cmd, source, "docker://DEST/s/app:v1"], "skopeo")

    def _push(self, name: str, cmd: list[str], tool: str) -> float:
        """Run ``cmd`` (``DEST`` replaced) against a fresh docker-registry; the registry's
        CPU time during the push is kept too (it hashes and fsyncs every upload)."""
        root = _fresh(self.work, name)
        with run_docker_registry(root) as dest:
            before = registry_cpu(root)
            seconds = wall(
                [arg.replace("DEST", dest) for arg in cmd],
                self.env,
                key=f"{self.label} {tool} push",
            )
            after = registry_cpu(root)
        if before is not None and after is not None:
            CPU.setdefault(f"{self.label} {tool} push registry", []).append(after - before)
        return seconds

    def _detail(self, what: str, mine: list[float], other: list[float]) -> str:
        text = (
            f"ocitui {_fmt(mine)}, {cpu_of(f'{self.label} ocitui {what}')}; "
            f"skopeo {_fmt(other)}, {cpu_of(f'{self.label} skopeo {what}')}"
        )
        if what == "push":
            text += (
                f"; the registry: {cpu_of(f'{self.label} ocitui push registry')} (ocitui), "
                f"{cpu_of(f'{self.label} skopeo push registry')} (skopeo)"
            )
        return text

    def run(self) -> None:
        """Print the pull and the push row."""
        a, b, mine, other = alternate(self.runs, self.pull_ours, self.pull_theirs)
        show(
            f"pull {self.label} / skopeo, same run",
            f"{a / b:.2f}",
            "<= 0.8",
            self._detail("pull", mine, other),
        )
        a, b, mine, other = alternate(self.runs, self.push_ours, self.push_theirs)
        show(
            f"push {self.label} / skopeo into a fresh registry",
            f"{a / b:.2f}",
            "<= 0.8",
            self._detail("push", mine, other),
        )
        shutil.rmtree(self.work, ignore_errors=True)


def _fresh(work: Path, name: str) -> Path:
    path = work / name
    path.mkdir()
    return path


def bench_referrers(work: Path, count: int) -> None:
    """One image with ``count`` referrers, pulled from docker-registry (see
    :mod:`bench.referrers_10k`)."""
    root = work / "referrers"
    root.mkdir()
    first, again, _seeded = referrers_10k.run(count, root)
    for row in referrers_10k.rows(count, first, again):
        show(*row)


def machine() -> str:
    """What the figures were taken on."""
    cpus = os.cpu_count()
    load = os.getloadavg()
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{model}, {cpus} cores, Python {platform.python_version()}, "
        f"load average {load[0]:.1f} at start"
    )


def main() -> None:
    """Run and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--quick", action="store_true", help="3 runs, no TUI on 100k entries")
    parser.add_argument("--only", choices=("layout", "sync", "referrers"), default=None)
    parser.add_argument(
        "--referrers", type=int, default=10_000, metavar="N", help="referrers of the image pulled"
    )
    parser.add_argument("--concurrency", type=int, default=None, help="ocitui --concurrency")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    precompile()
    print(f"machine: {machine()}; {runs} runs per figure (ocitui's bytecode precompiled)")
    print("| what | ocitui | goal | detail |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="ocitui-bench-") as tmp:
        work = Path(tmp)
        if args.only in (None, "layout"):
            bench_layouts(work, runs, big_tui=not args.quick)
        if args.only in (None, "sync"):
            bench_sync(work, runs, args.concurrency)
        if args.only in (None, "referrers"):
            bench_referrers(work, args.referrers)
    print(json.dumps({"loadavg_at_end": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()

"""The TUI on a big layout: time to the first repository on screen, and key latency.

Each run is a fresh process (``--probe``) that starts the app headless (Textual's
``run_test`` at 80x24) on the layout and reports, as one JSON line:

- ``first``: seconds from the process start (before ocitui is imported) until the
  Browse tree shows a repository (``first_cpu``: the CPU time the process used by then,
  interpreter start included: the figure to trust on a shared machine);
- ``loaded``: seconds until the whole tree model is loaded (the loading indicator gone);
- ``move``: milliseconds per ``j``/``k`` key (press until the app is idle again), wall
  and CPU (``move_cpu``);
- ``filter``: the same per key typed into the ``/`` filter (and per backspace).

Not part of the test run::

    python -m bench.tui_start DIR            # DIR from: python -m bench.synth DIR --images 5000
    python -m bench.tui_start DIR --runs 5
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402 (the clock starts before any import)
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MOVES = "jjjjjjjjjjkkkkkkkkkk"
FILTER = "app7"


async def _probe(layout_dir: str) -> dict[str, object]:
    from ocitui.core.layout import Layout
    from ocitui.tui.app import OcituiApp
    from ocitui.tui.screens.browse import BrowseScreen
    from ocitui.tui.widgets.layout_tree import LayoutTreeView

    app = OcituiApp(Layout.open(layout_dir), keymap_path=None)
    app.animation_level = "none"
    out: dict[str, object] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        deadline = time.perf_counter() + 600
        tree: LayoutTreeView | None = None
        while time.perf_counter() < deadline:
            await pilot.pause(0.005)
            screen = app.screen
            if isinstance(screen, BrowseScreen):
                tree = screen.query_one(LayoutTreeView)
                if _shows_repository(tree):
                    break
        out["first"] = time.perf_counter() - STARTED
        out["first_cpu"] = time.process_time()  # CPU of this process since it started.
        assert tree is not None
        while tree.loading and time.perf_counter() < deadline:
            await pilot.pause(0.005)
        await app.workers.wait_for_complete()
        out["loaded"] = time.perf_counter() - STARTED
        await pilot.pause(0.2)
        moves = [await _key_ms(pilot, key) for key in MOVES]
        await pilot.press("slash")
        await pilot.pause()
        typed = [await _key_ms(pilot, key) for key in FILTER]
        typed += [await _key_ms(pilot, "backspace") for _ in FILTER]
        out["move"], out["move_cpu"] = [w for w, _ in moves], [c for _, c in moves]
        out["filter"], out["filter_cpu"] = [w for w, _ in typed], [c for _, c in typed]
        out["nodes"] = tree.built_count
    return out


def _shows_repository(tree: object) -> bool:
    """True once a repository node is in the tree (under the first registry)."""
    from ocitui.tui.widgets.layout_tree import LayoutTreeView

    assert isinstance(tree, LayoutTreeView)
    return any(
        child.data is not None and child.data.kind == "repository"
        for group in tree.root.children
        for child in group.children[:1]
    )


async def _key_ms(pilot: object, key: str) -> tuple[float, float]:
    """Wall and CPU milliseconds from pressing ``key`` until the app is idle again."""
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    start, cpu = time.perf_counter(), time.process_time()
    await pilot.press(key)
    await pilot.pause()
    return (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000


def measure(layout_dir: Path, runs: int) -> dict[str, list[float]]:
    """``runs`` fresh processes on ``layout_dir``: every run's figures, by name."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    found: dict[str, list[float]] = {
        "first": [],
        "first_cpu": [],
        "loaded": [],
        "move": [],
        "move_cpu": [],
        "filter": [],
        "filter_cpu": [],
    }
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-m", "bench.tui_start", "--probe", str(layout_dir)],
            capture_output=True,
            env=env,
            check=False,
            cwd=ROOT,
        )
        if done.returncode != 0:
            sys.exit(f"TUI probe failed:\n{done.stderr.decode(errors='replace')[-3000:]}")
        row = json.loads(done.stdout.decode().strip().splitlines()[-1])
        for name in ("first", "first_cpu", "loaded"):
            found[name].append(float(row[name]))
        for name in ("move", "move_cpu", "filter", "filter_cpu"):
            found[name].extend(float(v) for v in row[name])
    return found


def summary(found: dict[str, list[float]]) -> dict[str, str]:
    """Medians (and the worst key) as text."""
    return {
        "first": f"{statistics.median(found['first']):.2f} s",
        "first_cpu": f"CPU {statistics.median(found['first_cpu']):.2f} s",
        "loaded": f"{statistics.median(found['loaded']):.2f} s",
        "move": _keys(found, "move"),
        "filter": _keys(found, "filter"),
    }


def _keys(found: dict[str, list[float]], name: str) -> str:
    wall, cpu = found[name], found[f"{name}_cpu"]
    return (
        f"{statistics.median(wall):.0f} ms (worst {max(wall):.0f}; CPU median "
        f"{statistics.median(cpu):.0f}, worst {max(cpu):.0f})"
    )


def main() -> None:
    """Probe once (``--probe``) or run and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(asyncio.run(_probe(str(args.dir)))))
        return
    found = measure(args.dir, args.runs)
    for name, text in summary(found).items():
        print(f"{name}: {text}")
    print("runs: " + " ".join(f"{v:.2f}" for v in found["first"]))


if __name__ == "__main__":
    main()

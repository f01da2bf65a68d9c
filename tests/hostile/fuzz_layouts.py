"""The layout fuzz harness: damaged layouts through every offline command.

A case is (seed layout, case seed): the seed layout is copied, damaged by 1-3 seeded
mutations (:mod:`tests.hostile.fuzz_mutations`), and every offline command runs on it
(:data:`COMMANDS`); each run must pass :func:`tests.hostile.fuzz_checks.problems`, and a
read-only command must leave the layout exactly as it was.

Broad runs (thousands of cases, time-bounded) are a script::

    PYTHONPATH=$PWD python3 -m tests.hostile.fuzz_layouts --seconds 600 --seed 1

which prints every failing (seed, case, command) with the mutations that reproduce it.
``tests/hostile/test_fuzz.py`` runs a small fixed subset in CI.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.hostile import fuzz_runner, fuzz_serve
from tests.hostile.fuzz_checks import Failure, Stats, fuzz_args, fuzz_loop, problems
from tests.hostile.fuzz_mutations import OUTSIDE_TEXT, mutate

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO = REPO_ROOT / "layouts" / "demo"
KEY = REPO_ROOT / "tools" / "demo" / "DEMO-ONLY-signing-key.pub"
#: The bounds of the hostile suite, smaller still: a fuzz case must be quick.
BOUNDS = {
    "OCITUI_MAX_BLOB_ATTEMPTS": "3",
    "OCITUI_MAX_PAGES": "5",
    "OCITUI_REQUEST_DEADLINE": "10",
    "OCITUI_SYNC_DEADLINE": "15",
}

#: (argv template, read-only, json mode). REF/REF2: ref names of the seed layout, OUT: a
#: fresh output path, REG: a loopback registry that is never written to (--dry-run).
COMMANDS: tuple[tuple[tuple[str, ...], bool, bool], ...] = (
    (("ls",), True, False),
    (("ls", "--all"), True, False),
    (("ls", "--all", "--json"), True, True),
    (("inspect", "REF"), True, False),
    (("inspect", "REF", "--json"), True, True),
    (("referrers", "REF"), True, False),
    (("referrers", "REF", "--tree"), True, False),
    (("referrers", "REF", "--tree", "--json"), True, True),
    (("diff", "REF", "REF2"), True, False),
    (("diff", "REF", "REF2", "--files", "--json"), True, True),
    (("fsck",), True, False),
    (("fsck", "--json"), True, True),
    (("verify", "--all", "--key", str(KEY)), True, False),
    (("export", "OUT"), True, False),
    (("gc", "--dry-run"), True, False),
    (("push", "REF", "REG/fuzz/x:1", "--dry-run"), True, False),
    (("push", "--all-to", "REG/fuzz", "--dry-run", "--json"), True, True),
    (("<tui-load>",), True, False),
    (("<serve>",), True, False),
    (("tag", "REF", "example.com/fuzz/tagged:1"), False, False),
    (("attach", "REF", "--artifact-type", "application/vnd.fuzz", str(KEY)), False, False),
    (("rm", "REF2"), False, False),
    (("fsck", "--repair"), False, False),
    (("gc",), False, False),
)


def ref_names(root: Path) -> list[str]:
    """The ref names of a (healthy) seed layout, sorted."""
    import json

    doc = json.loads((root / "index.json").read_bytes())
    names = {
        (entry.get("annotations") or {}).get("org.opencontainers.image.ref.name")
        for entry in doc.get("manifests", [])
    }
    return sorted(n for n in names if isinstance(n, str))


def child_env(home: Path) -> dict[str, str]:
    """The environment of a run: a private HOME, small bounds, no debug output."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("OCITUI_") and key not in ("NO_COLOR",)
    }
    env.update(BOUNDS)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        PYTHONPATH=str(REPO_ROOT),
        COLUMNS="120",
        TERM="dumb",
    )
    return env


def run_case(
    seed_root: Path,
    seed_name: str,
    case: int,
    work: Path,
    *,
    registry: str,
    commands: tuple[tuple[tuple[str, ...], bool, bool], ...] = COMMANDS,
    timeout: float = 10.0,
    stats: Stats,
    sample: int = 0,
) -> None:
    """Damage a copy of ``seed_root`` (case seed ``case``) and run ``commands`` on it.

    With ``sample``, only that many of ``commands`` (a seeded choice) run.
    """
    rng = random.Random(f"{seed_name}/{case}")
    if sample and sample < len(commands):
        picker = random.Random(f"{seed_name}/{case}/commands")
        commands = tuple(picker.sample(commands, sample))
    refs = ref_names(seed_root) or ["none:1"]
    ref = rng.choice(refs)
    ref2 = rng.choice(refs)
    layout = work / "layout"
    if layout.exists():
        shutil.rmtree(layout)
    shutil.copytree(seed_root, layout, symlinks=True, ignore=shutil.ignore_patterns(".ocitui*"))
    mutations = mutate(rng, layout, rng.choice((1, 1, 2, 3)))
    env = child_env(work / "home")
    stats.cases += 1
    hangs = 0
    for n, (template, read_only, json_mode) in enumerate(commands):
        if hangs >= 2:
            break  # The case is known to hang; the rest would only repeat it, slowly.
        out = work / f"out-{n}.tar"
        argv = ["--layout", str(layout)] + [
            ref if a == "REF" else ref2 if a == "REF2" else str(out) if a == "OUT" else a
            for a in template
        ]
        argv = [a.replace("REG", registry) for a in argv]
        before = fuzz_runner.snapshot(layout) if read_only else None
        served: list[str] = []
        if template == ("<tui-load>",):
            outcome = fuzz_runner.run_function(
                lambda: tui_load(layout, ref), env=env, timeout=timeout
            )
        elif template == ("<serve>",):
            outcome, served = fuzz_serve.probe(layout, env)
        else:
            outcome = fuzz_runner.run(argv, env=env, timeout=timeout)
        stats.runs += 1
        stats.by_code[outcome.returncode] = stats.by_code.get(outcome.returncode, 0) + 1
        found = problems(outcome, json_mode=json_mode) + served
        hangs += outcome.returncode == fuzz_runner.HUNG
        if before is not None and fuzz_runner.snapshot(layout) != before:
            found.append("a read-only command changed the layout")
        outside = work / "outside.txt"
        if outside.exists() and outside.read_bytes() != OUTSIDE_TEXT:
            found.append("a file outside the layout changed")
            outside.unlink()
        if found:
            stats.failures.append(
                Failure(seed_name, case, mutations, tuple(argv), found, outcome.stderr)
            )
        out.unlink(missing_ok=True)


def tui_load(root: Path, ref: str) -> int:
    """What the TUI's Browse screen asks of the core when it opens ``root`` on ``ref``.

    The outline, the tree, the statistics, and for every tag (``ref`` first) its detail
    tabs, children and referrer rows; the strings it would show are printed, so the
    checks see any raw control character in them.
    """
    from ocitui.core.layout import Layout
    from ocitui.core.text_safety import terminal_safe
    from ocitui.core.views import build_tree, outline_tree
    from ocitui.core.views_children import children_of
    from ocitui.core.views_detail import layout_stats, load_detail, referrer_rows
    from ocitui.core.views_search import TreeFilter

    layout = Layout.open(root)
    outline_tree(layout)
    tree = build_tree(layout)
    layout_stats(layout)
    TreeFilter(tree)
    tags = [t for g in tree.registries for r in g.repositories for t in r.tags]
    tags.sort(key=lambda t: t.ref_name != ref)
    for tag in tags[:8]:
        detail = load_detail(layout, tag.info.descriptor)
        shown = [detail.pretty_json, detail.pretty_config, detail.error or ""]
        shown += [f"{k}: {v}" for k, v in detail.summary + list(detail.annotations.items())]
        for child in children_of(layout, tag.info.descriptor, tag.machine):
            shown.append(child.label)
        for row in referrer_rows(layout, tag.info.descriptor.digest):
            shown.append(str(row))
        # The TUI shows these through the sanitiser (Text, never markup).
        print("\n".join(terminal_safe(text) for text in shown))
    for info in tree.untagged[:8]:
        load_detail(layout, info.descriptor)
    return 0


def quiet_server(registry: object) -> None:
    """Keep a client's dropped connection from printing a server-side traceback."""
    server = getattr(registry, "_server", None)
    if server is not None:
        server.handle_error = lambda *args: None


def seeds(cache: Path) -> Iterator[tuple[str, Path]]:
    """The demo layout, and the peer-written layouts :mod:`tests.hostile.fuzz_seeds` made."""
    yield "demo", DEMO
    from tests.hostile.fuzz_seeds import peer_layouts

    yield from peer_layouts(cache)


def main(argv: list[str] | None = None) -> int:
    """Fuzz for ``--seconds``; print failures; exit 1 when any run broke a rule."""
    parser = fuzz_args(__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="run only the seed layout with this name")
    parser.add_argument("--command", help="run only commands whose words include this")
    parser.add_argument("--sample", type=int, default=6, help="commands per case (0: all)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "fuzz-seeds")
    args = parser.parse_args(argv)
    from tests.support.fake_registry import FakeRegistry

    commands = tuple(c for c in COMMANDS if not args.command or args.command in c[0])
    layouts = [(n, p) for n, p in seeds(args.cache) if not args.only or n == args.only]
    with FakeRegistry() as registry:
        quiet_server(registry)

        def one(case: int, work: Path, stats: Stats) -> None:
            for name, root in layouts:
                run_case(
                    root,
                    name,
                    case,
                    work,
                    registry=registry.host,
                    commands=commands,
                    stats=stats,
                    sample=args.sample,
                )

        return fuzz_loop(args, one)


if __name__ == "__main__":
    sys.exit(main())

"""A fixed, fast subset of the fuzz harnesses (the broad runs are scripts, see their docs).

Each case is seeded, so a failure here names a (seed layout, case) that reproduces with
``python3 -m tests.hostile.fuzz_layouts --seed N --cases 1 --only demo``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile import fuzz_runner
from tests.hostile.fuzz_checks import Stats
from tests.hostile.fuzz_layouts import DEMO, quiet_server, run_case
from tests.hostile.fuzz_registry import run_case as run_registry_case
from tests.support.fake_registry import FakeRegistry

#: Cases of broad runs that found bugs (see test_fuzz_found.py): an object mediaType in
#: index.json (5021), a list digest (5029), a lone surrogate annotation (6), a damaged
#: layer and manifest served (7114).
LAYOUT_CASES = (5021, 5029, 6, 7114)
#: A blob answered 401 every time (26: httpx.StreamConsumed before the fix).
REGISTRY_CASES = (26,)
ARCHIVE_CASES = (0, 1, 2, 3)
#: Seconds before a run counts as hung: generous, so a loaded CI machine is not a hang
#: (the hangs found were endless; broad runs use 10 s).
RUN_TIMEOUT = 90.0


@pytest.fixture(scope="module", autouse=True)
def _preloaded() -> None:
    fuzz_runner.preload()


@pytest.mark.parametrize("case", LAYOUT_CASES)
def test_damaged_demo_layout_through_every_offline_command(tmp_path: Path, case: int) -> None:
    stats = Stats()
    with FakeRegistry() as registry:
        quiet_server(registry)
        run_case(
            DEMO, "demo", case, tmp_path, registry=registry.host, stats=stats, timeout=RUN_TIMEOUT
        )
    assert stats.runs > 10
    assert not stats.failures, "\n".join(map(str, stats.failures))


@pytest.mark.parametrize("case", REGISTRY_CASES)
def test_damaged_registry_answers_through_every_registry_command(tmp_path: Path, case: int) -> None:
    stats = Stats()
    run_registry_case(case, tmp_path, stats=stats, timeout=RUN_TIMEOUT)
    assert stats.runs > 5
    assert not stats.failures, "\n".join(map(str, stats.failures))


def test_damaged_archives_through_import_and_inspect(tmp_path: Path) -> None:
    from tests.hostile.fuzz_archives import run_case as run_archive_case
    from tests.hostile.fuzz_archives import seed_archives
    from tests.hostile.fuzz_layouts import child_env

    stats = Stats()
    seeds = seed_archives(tmp_path / "seeds", child_env(tmp_path / "home"))
    for case in ARCHIVE_CASES:
        run_archive_case(case, tmp_path, seeds, stats=stats, timeout=RUN_TIMEOUT)
    assert stats.runs == 4 * len(ARCHIVE_CASES)
    assert not stats.failures, "\n".join(map(str, stats.failures))


def test_the_checks_catch_what_they_look_for() -> None:
    from tests.hostile.fuzz_checks import problems

    def outcome(code: int, out: str = "", err: str = "") -> fuzz_runner.Outcome:
        return fuzz_runner.Outcome(("ls",), code, out, err, 0.1)

    assert problems(outcome(0, "ok\n")) == []
    assert problems(outcome(1, "", "ocitui: error: broken\n")) == []
    assert "hang (killed after the timeout)" in problems(outcome(fuzz_runner.HUNG))
    assert "exception escaped main" in problems(outcome(fuzz_runner.ESCAPED))
    assert "leaked exception text" in problems(outcome(1, "", "Traceback (most recent)\n"))
    assert problems(outcome(0, "a\x1b[2Jb"))[0].startswith("raw control character")
    assert problems(outcome(0, "[1, 2"), json_mode=True) == [
        "--json output is neither JSON nor JSON lines"
    ]
    assert problems(outcome(1, "", "x\ny\n"))[0].startswith("last stderr line")


def test_a_forked_run_reports_exit_codes_an_escaped_exception_and_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "HOME": str(tmp_path)}
    ok = fuzz_runner.run(["--layout", str(DEMO), "ls"], env=env)
    assert ok.returncode == 0 and "demo/app:1.0" in ok.stdout
    assert fuzz_runner.run(["ls", "--no-such-option"], env=env).returncode == 2
    serve = ["--layout", str(DEMO), "serve", "--addr", "127.0.0.1:0"]
    assert fuzz_runner.run(serve, env=env, timeout=3).returncode == fuzz_runner.HUNG

    def broken(argv: list[str]) -> int:
        raise KeyError("boom")

    import ocitui.cli.main

    monkeypatch.setattr(ocitui.cli.main, "main", broken)  # The fork inherits the patch.
    escaped = fuzz_runner.run(["ls"], env=env)
    assert escaped.returncode == fuzz_runner.ESCAPED
    assert "Traceback" in escaped.stderr and "KeyError: 'boom'" in escaped.stderr

"""Lazy start: ``--version``, ``--help`` and offline commands import only what they use."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ocitui.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("textual", "rich", "httpx")


def imported_modules(*argv: str) -> set[str]:
    """Every module ``python -m ocitui ARGV`` imports (from ``-X importtime``)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ocitui", *argv],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


@pytest.mark.parametrize(
    "argv",
    [
        ("--version",),
        ("--help",),
        ("ls", "--help"),
        ("inspect", "--help"),
        ("referrers", "--help"),
        ("ls", "--layout", "layouts/demo"),
        ("ls", "--layout", "layouts/demo", "--json"),
        ("inspect", "registry.example.com/demo/app:1.0", "--layout", "layouts/demo"),
        ("referrers", "registry.example.com/demo/app:1.0", "--layout", "layouts/demo", "--json"),
    ],
)
def test_light_commands_do_not_import_heavy_packages(argv: tuple[str, ...]) -> None:
    modules = imported_modules(*argv)
    assert "ocitui.cli.main" in modules  # the probe sees our imports at all
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == []


def test_offline_listing_imports_no_thread_pool() -> None:
    """concurrent.futures (and the logging it brings) is for storing groups of blobs:
    opening a layout to list it must not load it (about a twentieth of ``ls``'s CPU on
    the demo)."""
    modules = imported_modules("ls", "--layout", "layouts/demo")
    assert "ocitui.core.layout.ingest" in modules
    assert "concurrent.futures" not in modules and "logging" not in modules
    from ocitui.core.layout import ingest

    assert ingest._sync_pool()._max_workers == ingest.SYNC_THREADS  # still there, on use


def test_version_imports_no_command_module() -> None:
    modules = imported_modules("--version")
    assert not [m for m in modules if m.startswith("ocitui.cli.commands.")]
    assert not [m for m in modules if m.startswith("ocitui.core.layout")]


def test_static_metadata_matches_the_modules() -> None:
    """The fast path reads NAME/HELP/ORDER from source; they must equal the imported ones."""
    infos = cli_main.command_infos()
    assert len(infos) >= 10
    for info in infos:
        module = importlib.import_module(f"ocitui.cli.commands.{info.module}")
        assert (info.name, info.help, info.order) == (
            module.NAME,
            module.HELP,
            getattr(module, "ORDER", 100),
        )
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        assert cli_main._static_info(info.module, source) is not None, info.module


def test_abbreviated_global_option_still_runs_the_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # "--lay" is argparse's abbreviation of --layout: the command word is found by parsing.
    code = cli_main.main(["--lay", str(ROOT / "layouts" / "demo"), "ls", "--json"])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("[")


def test_pull_imports_neither_trio_nor_the_archive_reader() -> None:
    """httpcore imports trio when it is installed, and the target package imported the
    archive reader (tar, the importer): a pull needs neither (a tenth of its start-up)."""
    modules = imported_modules("pull", "--help")
    assert "ocitui.core.sync.engine" in modules and "httpcore" in modules
    # (A blocked import still shows as "trio" in -X importtime; its package never loads.)
    assert not [m for m in modules if m.startswith("trio.")]
    assert "ocitui.core.target.archive" not in modules
    from ocitui.core.target import ArchiveTarget, sole_tag  # still there, on first use

    assert ArchiveTarget.__name__ == "ArchiveTarget" and callable(sole_tag)


def test_main_freezes_the_heap_at_exit_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The interpreter's last collection at exit is skipped (gc.freeze in atexit); main()
    registers that once however often it runs in one process."""
    import atexit
    import gc

    registered: list[object] = []
    monkeypatch.setattr(atexit, "register", registered.append)
    monkeypatch.setattr(
        atexit, "unregister", lambda fn: registered.remove(fn) if fn in registered else None
    )
    for _ in range(2):
        assert cli_main.main(["ls", "--layout", str(ROOT / "layouts" / "demo")]) == 0
    assert registered == [gc.freeze]

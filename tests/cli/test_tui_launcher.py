"""``ocitui [--layout L] [REF]``: startup errors are one line and exit 1, no TTY is exit 2,
and the optional REF is told apart from command names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ocitui.cli.main import build_parser
from ocitui.cli.tui_launcher import split_ref

ROOT = Path(__file__).resolve().parents[2]


def ocitui(*argv: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m ocitui`` with pipes (no TTY) on this worktree's code."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("OCITUI_LAYOUT", None)
    return subprocess.run(
        [sys.executable, "-m", "ocitui", *argv],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["app:1.0"], ([], "app:1.0")),
        (["--layout", "demo", "app:1.0"], (["--layout", "demo"], "app:1.0")),
        (["--layout", "ls"], (["--layout", "ls"], "")),
        (["--lay", "demo", "app:1.0"], (["--lay", "demo"], "app:1.0")),
        (["--layout=demo", "app:1.0"], (["--layout=demo"], "app:1.0")),
        (["ls", "--all"], (["ls", "--all"], "")),
        (["--debug", "sha256:abcd1234"], (["--debug"], "sha256:abcd1234")),
        ([], ([], "")),
    ],
)
def test_split_ref(argv: list[str], expected: tuple[list[str], str]) -> None:
    assert split_ref(build_parser(), argv) == expected


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("ocitui: error: ")
    return lines[0]


def test_layout_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("not a layout")
    assert "file" in _one_line_error(ocitui("--layout", str(target)))


def test_directory_that_is_not_a_layout(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    assert "not an OCI layout" in _one_line_error(ocitui("--layout", str(tmp_path)))


def test_malformed_index_json(demo_copy: Path) -> None:
    (demo_copy / "index.json").write_text("{not json")
    assert "index.json" in _one_line_error(ocitui("--layout", str(demo_copy)))


def test_malformed_index_json_entry(demo_copy: Path) -> None:
    doc = json.loads((demo_copy / "index.json").read_bytes())
    doc["manifests"][-1]["size"] = -1
    (demo_copy / "index.json").write_text(json.dumps(doc))
    error = _one_line_error(ocitui("--layout", str(demo_copy)))
    assert f"manifests[{len(doc['manifests']) - 1}]" in error


def test_unknown_ref(demo_copy: Path) -> None:
    assert "nothing:9" in _one_line_error(ocitui("--layout", str(demo_copy), "nothing:9"))


def test_no_tty_refuses_and_points_at_the_cli(demo_copy: Path) -> None:
    result = ocitui("--layout", str(demo_copy), "app:1.0")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "\x1b" not in result.stderr
    assert "needs a terminal" in result.stderr and "ocitui ls" in result.stderr

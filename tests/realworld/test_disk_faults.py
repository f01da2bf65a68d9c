"""Issue 15 item 7: a refused write is one line and exit 1; the layout stays valid and resumable.

A file-size limit (``RLIMIT_FSIZE`` with SIGXFSZ ignored) makes writes past the limit fail
with EFBIG, as a full disk fails them with ENOSPC: the same code paths, without filling one.
"""

from __future__ import annotations

import resource
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocitui.core.layout import Layout
from ocitui.core.layout.fsck import fsck
from tests.realworld.cli import ocitui
from tests.sync.graph import build_graph, seed_state

LIMIT = 64 * 1024


def limited(*args: str, limit: int | None = LIMIT) -> subprocess.CompletedProcess[str]:
    """Run the CLI with writes capped at ``limit`` bytes per file."""

    def cap() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return ocitui(*args, preexec=cap)


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("ocitui: error:")]
    assert len(errors) == 1, done.stderr
    return errors[0]


def test_pull_into_a_full_disk_fails_cleanly_and_resumes(
    tmp_path: Path, fake_registry: Callable[..., Any]
) -> None:
    registry = fake_registry()
    seed_state(registry.state, "team/app", build_graph(layer_size=4 * LIMIT))
    ref = f"{registry.host}/team/app:v1"
    where = tmp_path / "layout"
    done = limited("--layout", str(where), "pull", ref)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "File too large" in done.stderr and str(where / "ingest") in done.stderr
    layout = Layout.open(where)
    assert fsck(layout).ok
    assert not layout.tagged()  # Nothing half-pulled is named.
    assert any((where / "ingest").iterdir())  # Partial blobs wait for the resume.
    again = limited("--layout", str(where), "pull", ref, limit=None)
    assert again.returncode == 0, again.stderr
    assert fsck(Layout.open(where)).ok


def test_export_to_a_full_disk_is_one_line(tmp_path: Path, demo_copy: Path) -> None:
    out = tmp_path / "out" / "all.tar"
    out.parent.mkdir()
    line = one_line_error(limited("--layout", str(demo_copy), "export", str(out)))
    assert "File too large" in line and str(out.parent) in line
    assert not out.exists() and not list(out.parent.iterdir())  # No half archive left.


def test_import_into_a_full_disk_is_one_line_and_resumable(tmp_path: Path, demo_copy: Path) -> None:
    archive = tmp_path / "demo.tar"
    assert limited("--layout", str(demo_copy), "export", str(archive), limit=None).returncode == 0
    dest = tmp_path / "dest"
    line = one_line_error(limited("--layout", str(dest), "import", str(archive), limit=32 * 1024))
    assert "File too large" in line and str(dest) in line
    assert fsck(Layout.open(dest)).ok
    assert limited("--layout", str(dest), "import", str(archive), limit=None).returncode == 0
    assert fsck(Layout.open(dest)).ok


def test_index_write_on_a_full_disk_keeps_the_old_index(tmp_path: Path, demo_copy: Path) -> None:
    before = (demo_copy / "index.json").read_bytes()
    line = one_line_error(
        limited("--layout", str(demo_copy), "tag", "app:1.0", "app:big", limit=len(before) // 2)
    )
    assert "index.json" in line and "File too large" in line
    assert (demo_copy / "index.json").read_bytes() == before
    assert not [p for p in demo_copy.iterdir() if p.name.endswith(".tmp")]

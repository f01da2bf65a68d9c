"""Helpers of the hostile-input suite: run the CLI in a subprocess, check the outcome.

Every case asserts an exact outcome: exit code, a one-line error (never a traceback),
nothing unverified in ``blobs/``, ``index.json`` unchanged where a command failed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ocitui.core.layout import Layout
from tests.support.builders import put_image

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Small bounds so each case stays fast; a case overrides what it tests.
SMALL_BOUNDS = {
    "OCITUI_MAX_BLOB_ATTEMPTS": "5",
    "OCITUI_MAX_PAGES": "20",
    "OCITUI_REQUEST_DEADLINE": "30",
}


def run_cli(
    *args: str | Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python -m ocitui ARGS`` with this worktree's code and the small bounds."""
    full_env = {**os.environ, **SMALL_BOUNDS, "PYTHONPATH": str(REPO_ROOT), **(env or {})}
    full_env.pop("OCITUI_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "ocitui", *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )


def start_cli(*args: str | Path) -> subprocess.Popen[str]:
    """``python -m ocitui ARGS`` started in the background (output piped), with this
    worktree's code and the small bounds."""
    full_env = {**os.environ, **SMALL_BOUNDS, "PYTHONPATH": str(REPO_ROOT)}
    full_env.pop("OCITUI_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "ocitui", *map(str, args)],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 1 with exactly one ``ocitui: error:`` line on stderr naming ``needles``."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("ocitui: error:")]
    assert len(errors) == 1, result.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def assert_blobs_verified(root: Path) -> None:
    """Every file under ``blobs/sha256`` is a regular file whose bytes match its name."""
    folder = root / "blobs" / "sha256"
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        assert path.is_file() and not path.is_symlink(), path
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name, path


def seed_layout_image(layout: Layout, state: Any, repo: str, tag: str) -> str:
    """A one-layer image built in ``layout`` and copied into a fake registry's state."""
    doc = put_image(layout, {"hello.txt": b"hello hostile world\n" * 8})
    for child in doc.children():
        state.put_blob(repo, layout.read_blob(child.digest))
    state.put_manifest(repo, doc.raw, doc.media_type, tag)
    return str(doc.digest)


def in_mount_namespace(
    mount_script: str, where: Path, argv: list[str], timeout: float = 240
) -> str:
    """Run ``argv`` (with this worktree's code and the small bounds) after
    ``mount_script`` (``sh``, ``$0`` = ``where``) in a private user and mount namespace
    (``unshare -Urm``); its stdout. Skips where ``unshare`` or user namespaces are missing.
    """
    import shutil

    import pytest

    if shutil.which("unshare") is None:
        pytest.skip("unshare(1) is not installed")
    probe = subprocess.run(["unshare", "-Urm", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("user namespaces are not allowed here")
    env = {**os.environ, **SMALL_BOUNDS, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("OCITUI_DEBUG", None)
    done = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", f'{mount_script} && exec "$@"', str(where), *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout

"""Run the CLI of this tree in a subprocess (so a worktree tests its own code)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def ocitui(
    *args: str,
    env: dict[str, str] | None = None,
    preexec: Callable[[], None] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``python -m ocitui ARGS`` with this tree first on ``PYTHONPATH``; ``certs.d`` roots
    point nowhere (the machine's are not the test's) unless ``env`` says otherwise."""
    full = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "OCITUI_CERTS_DIRS": "",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "ocitui", *args],
        check=False,
        capture_output=True,
        text=True,
        env=full,
        timeout=timeout,
        preexec_fn=preexec,
    )

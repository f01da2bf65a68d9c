"""Benchmarks (not part of the test run); see bench/all.py."""

from __future__ import annotations

import compileall
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def precompile() -> None:
    """Write ocitui's bytecode before anything is timed, as an installed package has it.

    ``pip install`` compiles every module; a source checkout run with
    ``PYTHONDONTWRITEBYTECODE=1`` (this project's sandbox sets it) would instead compile
    all of ocitui from source at every start, about 0.2 s of CPU per run that no user
    pays. The ``__pycache__`` directories this writes are ignored by git.
    """
    compileall.compile_dir(ROOT / "ocitui", quiet=1)

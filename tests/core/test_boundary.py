"""The core/UI boundary: every module under ``ocitui.core`` imports without a UI library.

A fresh interpreter imports each module found by :func:`pkgutil.walk_packages` (so a new
module is covered the day it is added) and reports any ``textual`` or ``rich`` module
that got loaded, naming the first core module after which it appeared.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, json, pkgutil, sys
import ocitui.core
names = sorted(m.name for m in pkgutil.walk_packages(ocitui.core.__path__, "ocitui.core."))
first = {}
for name in names:
    importlib.import_module(name)
    for loaded in sys.modules:
        if loaded.split(".")[0] in ("textual", "rich") and loaded not in first:
            first[loaded] = name
print(json.dumps({"modules": names, "ui": first}))
"""


def test_every_core_module_imports_without_textual_or_rich() -> None:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout)
    assert len(found["modules"]) > 80  # the walk really found the core
    assert "ocitui.core.target.archive" in found["modules"]
    assert found["ui"] == {}, f"UI libraries loaded by core modules: {found['ui']}"

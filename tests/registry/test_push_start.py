"""A push of a few images starts without aiohttp (about 0.1 s of imports it would not use).

The lean GET/HEAD transport is imported once a host has had
:data:`~ocitui.core.registry.session.LEAN_AFTER` body-less requests; a push of the demo
image makes far fewer, so its process must never import aiohttp.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.fake_registry import FakeRegistry

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_push_never_imports_aiohttp(tmp_path: Path) -> None:
    layout = tmp_path / "demo"
    shutil.copytree(ROOT / "layouts" / "demo", layout)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "HOME": str(tmp_path)}
    with FakeRegistry() as registry:
        done = subprocess.run(
            [
                sys.executable,
                "-X",
                "importtime",
                "-m",
                "ocitui",
                "push",
                "registry.example.com/demo/app:1.0",
                f"{registry.host}/demo/app:1.0",
                "--layout",
                str(layout),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        requests = len(registry.requests)
    assert done.returncode == 0, done.stderr[-2000:]
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "httpx" in modules  # The probe sees the push's imports at all.
    assert requests > 5  # It did talk to the registry.
    assert not [m for m in modules if m.split(".")[0] == "aiohttp"]

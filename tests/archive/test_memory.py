"""A 200 MiB export and import stay in flat memory (measured in a fresh process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.layouts import REPO_ROOT


def test_200_mib_export_and_import_in_constant_memory(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.archive.memprobe", str(tmp_path), "200"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr
    measured = json.loads(result.stdout)
    for step in ("export", "import"):
        # A buffered blob would show as >= 200 MiB; streaming needs a few chunks.
        assert measured[step]["tracemalloc_peak_mib"] < 16, measured
        assert measured[step]["rss_growth_mib"] < 48, measured
    assert measured["archive_mib"] >= 200

"""Fixtures for layouts: empty temp layouts and a private copy of the demo layout."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_LAYOUT = REPO_ROOT / "layouts" / "demo"


@pytest.fixture
def layout_dir(tmp_path: Path) -> Path:
    """A path where a new layout may be created."""
    return tmp_path / "layout"


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A writable copy of ``layouts/demo``."""
    if not DEMO_LAYOUT.is_dir():
        pytest.skip("layouts/demo has not been generated yet")
    target = tmp_path / "demo"
    shutil.copytree(DEMO_LAYOUT, target)
    return target


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing in a test reads the real home directory or docker config."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("DOCKER_CONFIG", str(home / ".docker"))
    monkeypatch.delenv("OCITUI_LAYOUT", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")

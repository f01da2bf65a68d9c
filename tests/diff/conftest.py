"""Fixtures for the diff tests: a fresh layout and an image builder on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocitui.core.layout import Layout
from tests.diff.builder import Builder


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    """An empty layout in a temp dir."""
    return Layout.open(tmp_path / "layout", create=True)


@pytest.fixture
def build(layout: Layout) -> Builder:
    """A builder writing into ``layout``."""
    return Builder(layout)

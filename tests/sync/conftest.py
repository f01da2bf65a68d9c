"""Fixtures of the sync tests: a fast registry client and a graph seeded into registries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from ocitui.core.layout import Layout
from ocitui.core.registry import RegistryClient, RegistryOptions


async def _no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
async def client() -> AsyncIterator[RegistryClient]:
    """A client for loopback registries that does not wait between retries."""
    async with RegistryClient(RegistryOptions(retries=5), sleep=_no_sleep) as c:
        yield c


@pytest.fixture
def new_layout(tmp_path: Path) -> Callable[[str], Layout]:
    """Factory of empty layouts under the test's temp dir."""

    def make(name: str = "layout") -> Layout:
        return Layout.open(tmp_path / name, create=True)

    return make

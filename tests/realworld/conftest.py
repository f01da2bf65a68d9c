"""Fixtures of the real-world tests: the sync tests' fast client and layout factory."""

from tests.sync.conftest import client, new_layout

__all__ = ["client", "new_layout"]

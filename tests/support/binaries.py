"""External binaries for e2e tests: skip locally when missing, fail in CI."""

from __future__ import annotations

import os
import shutil

import pytest


def need(name: str) -> str:
    """The path of ``name``; skip (or, with OCITUI_REQUIRE_E2E=1, fail) when missing."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (apt-get install {name})"
    if os.environ.get("OCITUI_REQUIRE_E2E") == "1":
        pytest.fail(message)
    pytest.skip(message)

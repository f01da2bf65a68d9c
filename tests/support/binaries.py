"""External binaries for e2e tests: skip locally when missing, fail in CI.

Debian packages (docker-registry, skopeo, umoci, tmux) are found on ``PATH``. Peer tools
built from Go by ``.ci/peers.sh`` (oras, crane, regctl, cosign, the distribution-spec
conformance suite as ``conformance.test``) live in ``$OCITUI_PEERS_DIR/bin`` (default
``~/.cache/ocitui-peers/bin``); they are looked up there first, then on ``PATH``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

PEER_TOOLS = frozenset({"oras", "crane", "regctl", "cosign", "conformance.test"})


#: Read when the test modules are imported, before the autouse fixture points HOME at a
#: temporary directory (which would hide the tools .ci/peers.sh built).
_PEERS_ROOT = os.environ.get("OCITUI_PEERS_DIR") or str(Path.home() / ".cache" / "ocitui-peers")


def peers_dir() -> Path:
    """Where ``.ci/peers.sh`` puts the Go peer tools."""
    return Path(_PEERS_ROOT) / "bin"


def find(name: str) -> str | None:
    """The path of ``name`` (peer dir first for Go peers), or None."""
    if name in PEER_TOOLS:
        candidate = peers_dir() / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def need(name: str) -> str:
    """The path of ``name``; skip (or, with OCITUI_REQUIRE_E2E=1, fail) when missing."""
    path = find(name)
    if path:
        return path
    if name in PEER_TOOLS:
        message = f"{name} is not built (run .ci/peers.sh; it builds into {peers_dir()})"
    else:
        message = f"{name} is not installed (apt-get install {name})"
    if os.environ.get("OCITUI_REQUIRE_E2E") == "1":
        pytest.fail(message)
    pytest.skip(message)

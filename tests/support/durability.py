"""Record the order of fsyncs and index.json writes (crash-guarantee tests)."""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

import pytest


def record_durability(
    monkeypatch: pytest.MonkeyPatch, *dir_syncers: ModuleType, files: bool = False
) -> list[str]:
    """Patch ``fsync_dir`` in ``dir_syncers`` (and in ingest), ``index_file.write_atomic``
    and, with ``files``, the ingest writer's ``os.fsync``; the returned list fills with
    ``"file"``, ``"dir:NAME"`` and ``"write:NAME"`` in the order they happen."""
    from ocitui.core.layout import index_file, ingest

    order: list[str] = []
    real_fsync, real_dir, real_write = os.fsync, ingest.fsync_dir, index_file.write_atomic

    def fsync(fd: int) -> None:
        order.append("file")
        real_fsync(fd)

    def fsync_dir(path: Path) -> None:
        order.append(f"dir:{path.name}")
        real_dir(path)

    def write_atomic(path: Path, data: bytes) -> None:
        order.append(f"write:{path.name}")
        real_write(path, data)

    if files:
        monkeypatch.setattr(ingest.os, "fsync", fsync)
    for module in (ingest, *dir_syncers):
        monkeypatch.setattr(module, "fsync_dir", fsync_dir, raising=False)
    monkeypatch.setattr(index_file, "write_atomic", write_atomic)
    return order

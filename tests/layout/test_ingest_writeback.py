"""The ingest writer asks the kernel to write a large blob out while it is still arriving,
so the fsync before the rename finds most of it on disk already."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from ocitui.core.digest import Digest
from ocitui.core.layout import Layout, ingest

MIB = 1024 * 1024


def _record(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, int]]:
    calls: list[tuple[int, int, int]] = []
    real = ingest.start_writeback

    def start_writeback(fd: int, offset: int, length: int) -> None:
        # The bytes are in the file (not only in Python's buffer) when writeback starts.
        assert os.fstat(fd).st_size >= offset + length
        calls.append((fd, offset, length))
        real(fd, offset, length)

    monkeypatch.setattr(ingest, "start_writeback", start_writeback)
    return calls


def test_large_blob_is_written_back_in_steps_then_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _record(monkeypatch)
    data = os.urandom(ingest.WRITEBACK_STEP * 2 + 3 * MIB)
    digest = Digest("sha256", hashlib.sha256(data).hexdigest())
    layout = Layout.open(tmp_path / "layout", create=True)
    with layout.ingest(digest, len(data)) as writer:
        for start in range(0, len(data), 256 * 1024):
            writer.write(data[start : start + 256 * 1024])
        writer.commit()
    ranges = [(offset, length) for _, offset, length in calls]
    assert ranges == [(0, ingest.WRITEBACK_STEP), (ingest.WRITEBACK_STEP, ingest.WRITEBACK_STEP)]
    assert layout.read_blob(digest) == data


def test_small_blobs_and_resumes_ask_only_for_new_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _record(monkeypatch)
    layout = Layout.open(tmp_path / "layout", create=True)
    small = b"x" * 4096
    layout.put_blob(small)
    assert calls == []
    data = os.urandom(2 * ingest.WRITEBACK_STEP + 2 * MIB)
    digest = Digest("sha256", hashlib.sha256(data).hexdigest())
    first = ingest.WRITEBACK_STEP // 2
    with layout.ingest(digest, len(data)) as writer:
        writer.write(data[:first])  # An interrupted download: the partial stays.
    with layout.ingest(digest, len(data)) as writer:
        assert writer.offset == first
        writer.write(data[first:])
        writer.commit()
    assert [(offset, length) for _, offset, length in calls] == [(first, len(data) - first)]
    assert layout.read_blob(digest) == data


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sync_file_range is Linux's")
def test_linux_has_the_call() -> None:
    assert ingest._sync_file_range() is not None

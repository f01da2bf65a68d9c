"""Small blobs stored in groups (``store_together`` and ``GroupCommit``): the crash
guarantee of one blob at a time, fewer thread hops and flushes."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from ocitui.core.digest import Digest
from ocitui.core.errors import DigestMismatch, OcituiError, StorageError
from ocitui.core.layout import Layout, ingest
from ocitui.core.layout.ingest import partial_path, store_together
from ocitui.core.target.group_commit import GroupCommit


def _blobs(layout: Layout, count: int) -> list[tuple[Path, Digest, bytes]]:
    out = []
    for number in range(count):
        data = f"small blob {number}\n".encode()
        digest = Digest.of(data)
        out.append((layout.blob_path(digest), digest, data))
    return out


def _record_syscalls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """``("fsync", path)`` and ``("rename", destination)`` in the order they happen
    (fsyncs come from several threads)."""
    calls: list[tuple[str, str]] = []
    lock = threading.Lock()
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        path = os.readlink(f"/proc/self/fd/{fd}")
        real_fsync(fd)
        with lock:
            calls.append(("fsync", path))

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        with lock:
            calls.append(("rename-from", os.fspath(src)))
        real_replace(src, dst)
        with lock:
            calls.append(("rename", os.fspath(dst)))

    monkeypatch.setattr(ingest.os, "fsync", fsync)
    monkeypatch.setattr(ingest.os, "replace", replace)
    return calls


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_every_blob_is_fsynced_before_its_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = Layout.open(tmp_path / "l", create=True)
    blobs = _blobs(layout, 20)
    calls = _record_syscalls(monkeypatch)
    renamed_into: set[Path] = set()
    errors = store_together(layout.ingest_dir, blobs, renamed_into.add)
    assert errors == [None] * 20
    for final, digest, data in blobs:
        assert final.read_bytes() == data
        partial = str(partial_path(layout.ingest_dir, digest))
        synced = calls.index(("fsync", partial))
        assert synced < calls.index(("rename-from", partial)) < calls.index(("rename", str(final)))
    # The directory is left to the caller (synced once, before index.json names them).
    assert renamed_into == {layout.blobs_dir / "sha256"}
    assert list(layout.ingest_dir.iterdir()) == []


def test_a_bad_blob_fails_alone(tmp_path: Path) -> None:
    layout = Layout.open(tmp_path / "l", create=True)
    blobs = _blobs(layout, 3)
    final, digest, _ = blobs[1]
    blobs[1] = (final, digest, b"not what the digest says\n")
    errors = store_together(layout.ingest_dir, blobs, lambda _path: None)
    assert errors[0] is None and errors[2] is None
    assert isinstance(errors[1], DigestMismatch)
    assert not final.exists()
    assert blobs[0][0].exists() and blobs[2][0].exists()
    assert not partial_path(layout.ingest_dir, digest).exists()  # Bad bytes are not kept.


def test_a_refused_write_keeps_nothing_half_visible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk refuses one blob's fsync: that blob stays out of blobs/ (its partial
    remains for a later attempt), the others land."""
    layout = Layout.open(tmp_path / "l", create=True)
    blobs = _blobs(layout, 4)
    doomed = str(partial_path(layout.ingest_dir, blobs[2][1]))
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}") == doomed:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(ingest.os, "fsync", fsync)
    errors = store_together(layout.ingest_dir, blobs, lambda _path: None)
    assert isinstance(errors[2], StorageError) and "No space left" in str(errors[2])
    assert [e is None for e in errors] == [True, True, False, True]
    assert not blobs[2][0].exists() and Path(doomed).exists()
    assert all(blobs[i][0].read_bytes() == blobs[i][2] for i in (0, 1, 3))


async def test_blobs_that_arrive_during_a_write_form_the_next_group() -> None:
    """The first blob is written alone; the ten put while it is being written go
    together, in one more call (one thread hop, one fsync pass)."""
    release = threading.Event()
    groups: list[list[Digest]] = []

    def store(group: Sequence[tuple[Digest, bytes]]) -> list[OcituiError | None]:
        groups.append([digest for digest, _ in group])
        if len(groups) == 1:
            release.wait(10)
        return [None] * len(group)

    commit = GroupCommit(store)
    data = [f"blob {n}".encode() for n in range(11)]
    first = asyncio.ensure_future(commit.put(Digest.of(data[0]), data[0]))
    while not groups:
        await asyncio.sleep(0.01)
    rest = [asyncio.ensure_future(commit.put(Digest.of(d), d)) for d in data[1:]]
    await asyncio.sleep(0.05)
    assert not first.done() and not any(r.done() for r in rest)
    release.set()
    await asyncio.gather(first, *rest)
    assert [len(g) for g in groups] == [1, 10]
    assert commit.groups == 2 and commit.largest == 10


async def test_each_caller_hears_its_own_blob_and_a_digest_is_written_once() -> None:
    bad = Digest.of(b"bad")
    calls: list[list[Digest]] = []

    def store(group: Sequence[tuple[Digest, bytes]]) -> list[OcituiError | None]:
        calls.append([digest for digest, _ in group])
        return [StorageError("disk full") if d == bad else None for d, _ in group]

    commit = GroupCommit(store, items=4)
    good = [f"g{n}".encode() for n in range(6)]
    puts = [commit.put(Digest.of(g), g) for g in good]
    puts += [commit.put(bad, b"bad"), commit.put(Digest.of(good[0]), good[0])]
    results = await asyncio.gather(*puts, return_exceptions=True)
    assert results[:6] == [None] * 6 and results[7] is None
    assert isinstance(results[6], StorageError)
    written = [d for group in calls for d in group]
    assert sorted(written) == sorted({*map(Digest.of, good), bad})  # good[0] once
    assert max(len(group) for group in calls) <= 4


async def test_a_cancelled_caller_does_not_take_its_blob_out() -> None:
    started, release = threading.Event(), threading.Event()
    stored: list[Digest] = []

    def store(group: Sequence[tuple[Digest, bytes]]) -> list[OcituiError | None]:
        started.set()
        release.wait(10)
        stored.extend(d for d, _ in group)
        return [None] * len(group)

    commit = GroupCommit(store)
    waiter = asyncio.ensure_future(commit.put(Digest.of(b"x"), b"x"))
    while not started.is_set():
        await asyncio.sleep(0.01)
    waiter.cancel()
    again = asyncio.ensure_future(commit.put(Digest.of(b"x"), b"x"))  # Waits for the same write.
    release.set()
    await again
    assert waiter.cancelled() and stored == [Digest.of(b"x")]

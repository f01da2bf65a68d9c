"""Registries that answer with a ``Content-Encoding``: bounded memory, one-line errors.

A manifest, listing, token or error body is decoded by ocitui with a bounded output per
step (only gzip, the one encoding it asks for); a blob is read raw (its digest is of the
raw bytes) and asked for with ``Accept-Encoding: identity``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ocitui.core.layout import Layout
from tests.hostile.support import (
    REPO_ROOT,
    SMALL_BOUNDS,
    assert_blobs_verified,
    assert_one_line_error,
    seed_layout_image,
)
from tests.support.fake_registry import FakeRegistry

#: Peak resident memory a failed pull of one small image may reach (an interpreter with
#: httpx, aiohttp and the core loaded is about 80 MB).
MAX_RSS_KB = 250_000

_MEASURED = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps([done.returncode, done.stdout, done.stderr, peak]))
"""


def _pull_measured(
    tmp_path: Path, mode: str
) -> tuple[subprocess.CompletedProcess[str], int, FakeRegistry, Path]:
    """Pull one image from a registry in ``mode``; the outcome and the child's peak RSS."""
    registry = FakeRegistry(hostile=mode).start()
    try:
        seed_layout_image(Layout.open(tmp_path / "work", create=True), registry.state, "a/b", "1")
        target = tmp_path / "target"
        Layout.open(target, create=True)
        env = {**os.environ, **SMALL_BOUNDS, "PYTHONPATH": str(REPO_ROOT)}
        argv = [sys.executable, "-m", "ocitui", "--layout", str(target), "pull"]
        wrapper = subprocess.run(
            [sys.executable, "-c", _MEASURED, *argv, f"{registry.host}/a/b:1"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=True,
        )
    finally:
        registry.stop()
    code, out, err, peak = json.loads(wrapper.stdout)
    return subprocess.CompletedProcess(argv, code, out, err), peak, registry, target


def test_zstd_bomb_manifest_is_refused_without_decoding(tmp_path: Path) -> None:
    result, peak, _, target = _pull_measured(tmp_path, "zstd-bomb")
    assert_one_line_error(result, "Content-Encoding 'zstd'", "not asked for")
    assert peak < MAX_RSS_KB, peak  # Decoded by httpx, 16 KiB became 512 MiB in memory.
    assert not Layout.open(target).tagged()


def test_gzip_bomb_manifest_stops_at_the_size_cap(tmp_path: Path) -> None:
    result, peak, _, target = _pull_measured(tmp_path, "gzip-bomb")
    assert_one_line_error(result, "over the 4194304-byte limit")
    assert peak < MAX_RSS_KB, peak
    assert not Layout.open(target).tagged()


def test_gzip_label_over_plain_bytes_is_one_line(tmp_path: Path) -> None:
    result, _, _, target = _pull_measured(tmp_path, "mislabelled-gzip")
    assert_one_line_error(result, "labelled gzip but does not decode")
    assert not Layout.open(target).tagged()


def test_gzip_label_on_a_blob_keeps_the_raw_bytes(tmp_path: Path) -> None:
    result, _, registry, target = _pull_measured(tmp_path, "gzip-blob")
    assert result.returncode == 0, result.stderr
    assert_blobs_verified(target)
    assert len(list((target / "blobs" / "sha256").iterdir())) == 3
    blob_gets = [r for r in registry.requests if r.method == "GET" and "/blobs/sha256:" in r.path]
    assert blob_gets
    # The raw bytes are what the digest covers: a compressed answer is never invited.
    assert {r.headers.get("Accept-Encoding") for r in blob_gets} == {"identity"}


def _decode(body: bytes, encoding: str) -> bytes:
    import asyncio

    import httpx

    from ocitui.core.registry.bodies import decoded_chunks

    async def collect() -> bytes:
        response = httpx.Response(
            200, headers={"Content-Encoding": encoding}, stream=httpx.ByteStream(body)
        )
        return b"".join([chunk async for chunk in decoded_chunks(response, "x")])

    return asyncio.run(collect())


def test_gzip_members_concatenated_decode_and_a_cut_member_is_refused() -> None:
    import gzip

    import pytest

    from ocitui.core.registry.bodies import STEP, BadEncoding

    big = b"m" * (3 * STEP + 5)
    assert _decode(gzip.compress(b"one,") + gzip.compress(big), "gzip") == b"one," + big
    assert _decode(b"plain", "identity") == b"plain"
    with pytest.raises(BadEncoding, match="ends early"):
        _decode(gzip.compress(big)[:-12], "x-gzip")
    with pytest.raises(BadEncoding, match="'br', not asked for"):
        _decode(b"x", "br")

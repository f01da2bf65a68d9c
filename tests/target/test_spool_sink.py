"""The one throwaway blob sink: verified in memory and when spilled to a temporary file."""

from __future__ import annotations

import pytest

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import DigestMismatch
from ocitui.core.models import Descriptor
from ocitui.core.target import SpoolSink

DATA = bytes(range(256)) * 64  # 16 KiB


def desc_of(data: bytes) -> Descriptor:
    return Descriptor(mt.OCI_LAYER_GZIP, Digest.of(data), len(data))


@pytest.mark.parametrize("in_memory", [1 << 20, 1000], ids=["memory", "spilled"])
def test_verified_bytes_come_back_after_a_restart(in_memory: int) -> None:
    sink = SpoolSink(desc_of(DATA), in_memory=in_memory)
    sink.write(b"stale bytes a server sent before ignoring Range")
    sink.restart()
    assert sink.offset == 0
    for at in range(0, len(DATA), 3000):
        sink.write(DATA[at : at + 3000])
    assert sink.offset == len(DATA)
    with sink.finish() as handle:
        assert handle.read() == DATA


@pytest.mark.parametrize("in_memory", [1 << 20, 1000], ids=["memory", "spilled"])
def test_wrong_short_or_long_content_is_refused(in_memory: int) -> None:
    wrong = SpoolSink(desc_of(DATA), in_memory=in_memory)
    wrong.write(DATA[:-1] + b"\0")
    with pytest.raises(DigestMismatch):
        wrong.value()
    short = SpoolSink(desc_of(DATA), in_memory=in_memory)
    short.write(DATA[:100])
    with pytest.raises(DigestMismatch):
        short.finish()
    long = SpoolSink(desc_of(DATA), in_memory=in_memory)
    with pytest.raises(DigestMismatch):
        long.write(DATA + b"x")


def test_empty_blob() -> None:
    sink = SpoolSink(desc_of(b""), in_memory=0)
    assert sink.value() == b""

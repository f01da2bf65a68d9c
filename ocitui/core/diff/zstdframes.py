"""Follow zstd frame and block boundaries in compressed bytes, to notice truncation.

``zstandard``'s streaming readers end quietly when their input stops in the middle of a
frame, so a truncated zstd layer would look like a shorter, valid one. This wrapper walks
the frame format (RFC 8878: frame header, block headers, optional checksum, skippable
frames) as the bytes stream past, without decompressing anything, and raises
:class:`EOFError` when the input ends anywhere but between two frames.
"""

from __future__ import annotations

from typing import Any

_FRAME_MAGIC = 0xFD2FB528
_SKIPPABLE_LOW, _SKIPPABLE_HIGH = 0x184D2A50, 0x184D2A5F
_FCS_SIZES = (0, 2, 4, 8)
_DICT_ID_SIZES = (0, 1, 2, 4)
_RLE, _RESERVED = 1, 3


class ZstdFrames:
    """A read-through wrapper that checks zstd framing of everything read from ``inner``."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._state = "magic"
        self._need = 4  # header bytes to collect for the current state
        self._head = bytearray()
        self._skip = 0  # content bytes to pass over before the next header
        self._checksum = False

    def read(self, size: int = -1) -> bytes:
        """Read from the wrapped stream, following the framing; EOFError if cut short."""
        data: bytes = self._inner.read(size)
        if data:
            self._feed(data)
        elif self._skip or self._head or self._state != "magic":
            raise EOFError("zstd stream ended before the end of its frame (truncated)")
        return data

    def _feed(self, data: bytes) -> None:
        pos, end = 0, len(data)
        while pos < end:
            if self._skip:
                step = min(self._skip, end - pos)
                self._skip -= step
                pos += step
                continue
            take = min(self._need - len(self._head), end - pos)
            self._head += data[pos : pos + take]
            pos += take
            if len(self._head) == self._need:
                head = bytes(self._head)
                self._head.clear()
                self._advance(head)

    def _advance(self, head: bytes) -> None:
        value = int.from_bytes(head, "little")
        if self._state == "magic":
            if value == _FRAME_MAGIC:
                self._state, self._need = "descriptor", 1
            elif _SKIPPABLE_LOW <= value <= _SKIPPABLE_HIGH:
                self._state, self._need = "skippable", 4
            else:
                raise ValueError("not a zstd frame (bad magic number)")
        elif self._state == "skippable":
            self._skip, self._state, self._need = value, "magic", 4
        elif self._state == "descriptor":
            single_segment = (value >> 5) & 1
            self._checksum = bool((value >> 2) & 1)
            fcs = _FCS_SIZES[value >> 6] or single_segment  # flag 0: 1 byte if single segment
            rest = (0 if single_segment else 1) + _DICT_ID_SIZES[value & 3] + fcs
            self._state, self._need = ("header", rest) if rest else ("block", 3)
        elif self._state == "header":
            self._state, self._need = "block", 3
        elif self._state == "block":
            last, kind, size = value & 1, (value >> 1) & 3, value >> 3
            if kind == _RESERVED:
                raise ValueError("corrupt zstd block (reserved block type)")
            self._skip = 1 if kind == _RLE else size
            if last:
                self._state, self._need = ("checksum", 4) if self._checksum else ("magic", 4)
        else:  # checksum
            self._state, self._need = "magic", 4

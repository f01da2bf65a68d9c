"""A deterministic, streaming tar writer.

Headers are built by :mod:`tarfile` (PAX format, so blobs over 8 GiB and long sha512
names work) with fixed metadata: mtime 0, uid/gid 0, no user names, mode 0644/0755.
Member data is streamed in chunks; nothing is held in memory beyond one chunk.
"""

from __future__ import annotations

import tarfile
from typing import Protocol

BLOCK = 512
RECORD = BLOCK * 20


class Sink(Protocol):
    """Anything with ``write(bytes)``."""

    def write(self, data: bytes, /) -> object:
        """Append bytes."""
        ...


def _header(name: str, size: int, *, directory: bool = False) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = 0 if directory else size
    info.type = tarfile.DIRTYPE if directory else tarfile.REGTYPE
    info.mode = 0o755 if directory else 0o644
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "strict")


class TarWriter:
    """Write tar members one after another to ``sink``."""

    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self.offset = 0
        self._open_remaining = 0
        self._open_size = 0

    def _emit(self, data: bytes) -> None:
        self._sink.write(data)
        self.offset += len(data)

    def add_dir(self, name: str) -> None:
        """A directory entry (``name`` without the trailing slash)."""
        self._check_closed()
        self._emit(_header(name.rstrip("/") + "/", 0, directory=True))

    def add_bytes(self, name: str, data: bytes) -> None:
        """A small regular file held in memory (``oci-layout``, ``index.json``)."""
        self.begin_file(name, len(data))
        self.write(data)
        self.end_file()

    def begin_file(self, name: str, size: int) -> None:
        """Start a regular file of exactly ``size`` bytes; then :meth:`write`, :meth:`end_file`."""
        self._check_closed()
        self._emit(_header(name, size))
        self._open_remaining = size
        self._open_size = size

    def write(self, chunk: bytes) -> None:
        """Data of the open file; refuses to go past its announced size."""
        if len(chunk) > self._open_remaining:
            raise ValueError("tar member data exceeds its announced size")
        self._open_remaining -= len(chunk)
        self._emit(chunk)

    def end_file(self) -> None:
        """Close the open file (padding it to a 512-byte block)."""
        if self._open_remaining:
            raise ValueError(f"tar member is {self._open_remaining} bytes short")
        pad = -self._open_size % BLOCK
        if pad:
            self._emit(b"\0" * pad)
        self._open_size = 0

    def close(self) -> None:
        """The end-of-archive marker: two zero blocks, padded to a full record."""
        self._check_closed()
        self._emit(b"\0" * (2 * BLOCK))
        pad = -self.offset % RECORD
        if pad:
            self._emit(b"\0" * pad)

    def _check_closed(self) -> None:
        if self._open_remaining:
            raise ValueError("previous tar member not finished")

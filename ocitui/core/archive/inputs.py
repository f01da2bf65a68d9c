"""Reading an archive back: one file, or parts listed in a ``.parts.json``.

:class:`PartsReader` presents the parts as one byte stream, checking every part's size
before starting and its sha256 as soon as its last byte has been read, so a corrupt
or missing part is named in a one-line error. Zstandard streams are recognised by
their magic bytes, whatever the file is called.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import zstandard

from ocitui.core import jsonsafe
from ocitui.core.archive.output import PARTS_FORMAT, PARTS_SUFFIX
from ocitui.core.errors import ArchiveError
from ocitui.core.events import EventSink, PartDone
from ocitui.core.text_safety import shown

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_PART_FILE = re.compile(r"(.+)\.part-\d{4,}")
_HEX64 = re.compile(r"[a-f0-9]{64}", re.ASCII)
_MAX_MANIFEST = 1024 * 1024
READ_SIZE = 1024 * 1024


@dataclass(frozen=True)
class PartSpec:
    """One file of an archive and, when a manifest lists it, its expected size and hash."""

    path: Path
    size: int | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class ArchiveSource:
    """What to read for one archive: its parts in order, and the whole stream's hash."""

    label: str
    parts: tuple[PartSpec, ...]
    sha256: str | None = None

    @property
    def total_size(self) -> int:
        """Bytes on disk (the manifest's sizes, else the files' sizes)."""
        total = 0
        for part in self.parts:
            if part.size is not None:
                total += part.size
            else:
                with contextlib.suppress(OSError):
                    total += part.path.stat().st_size
        return total


def resolve_sources(paths: Sequence[Path]) -> list[ArchiveSource]:
    """Turn ``import`` arguments into archives: a tar, a ``.tar.zst``, a ``.parts.json``
    or any of its parts (the manifest beside them is found and used)."""
    sources: list[ArchiveSource] = []
    seen: set[Path] = set()
    for path in paths:
        manifest: Path | None = None
        if path.name.endswith(PARTS_SUFFIX):
            manifest = path
        elif (match := _PART_FILE.fullmatch(path.name)) is not None:
            manifest = path.with_name(match.group(1) + PARTS_SUFFIX)
            if not manifest.is_file():
                raise ArchiveError(
                    f"{path}: a part of a split archive; {manifest.name} must be beside it"
                )
        key = (manifest or path).resolve()
        if key in seen:
            continue
        seen.add(key)
        if manifest is not None:
            sources.append(load_parts_manifest(manifest))
        elif not path.is_file():
            if path.exists():
                raise ArchiveError(f"{path}: not a regular file (a FIFO or device is refused)")
            raise ArchiveError(f"{path}: no such archive")
        else:
            sources.append(ArchiveSource(str(path), (PartSpec(path),)))
    return sources


def load_parts_manifest(path: Path) -> ArchiveSource:
    """Read and validate a ``.parts.json``; part names must be plain file names."""
    try:
        with os.fdopen(open_regular_input(path), "rb") as handle:
            raw = handle.read(_MAX_MANIFEST + 1)
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot read: {exc.strerror}") from None
    if len(raw) > _MAX_MANIFEST:
        raise ArchiveError(f"{path}: too large for a parts manifest")
    try:
        doc = jsonsafe.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ArchiveError(f"{path}: not valid JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != PARTS_FORMAT:
        raise ArchiveError(f"{path}: not an ocitui parts manifest ({PARTS_FORMAT})")
    entries = doc.get("parts")
    if not isinstance(entries, list) or not entries:
        raise ArchiveError(f"{path}: lists no parts")
    parts = tuple(_part_spec(path, entry) for entry in entries)
    total = doc.get("sha256")
    if not isinstance(total, str) or not _HEX64.fullmatch(total):
        raise ArchiveError(f"{path}: missing or invalid sha256 of the whole archive")
    return ArchiveSource(str(path), parts, total)


def _part_spec(manifest: Path, entry: Any) -> PartSpec:
    if not isinstance(entry, dict):
        raise ArchiveError(f"{manifest}: each part must be an object")
    name, size, sha = entry.get("name"), entry.get("size"), entry.get("sha256")
    # A part name becomes a path: plain names in the manifest's own directory only.
    if (
        not isinstance(name, str)
        or not name
        or "/" in name
        or "\\" in name
        or name.startswith(".")
        or "\x00" in name
    ):
        raise ArchiveError(f"{manifest}: invalid part name {shown(name)}")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ArchiveError(f"{manifest}: part {name} has an invalid size")
    if not isinstance(sha, str) or not _HEX64.fullmatch(sha):
        raise ArchiveError(f"{manifest}: part {name} has an invalid sha256")
    return PartSpec(manifest.with_name(name), size, sha)


class PartsReader:
    """The parts of one archive as a single verified byte stream (``read`` only)."""

    def __init__(self, source: ArchiveSource, consumer: EventSink) -> None:
        self.source = source
        self.bytes_read = 0
        self._consumer = consumer
        self._index = -1
        self._file: BinaryIO | None = None
        self._hash: Any = None
        self._part_read = 0
        self._total = hashlib.sha256()
        self._pending = b""
        for part in source.parts:
            _check_present(part)

    def _open(self, index: int) -> None:
        self._index = index
        part = self.source.parts[index]
        self._file = os.fdopen(open_regular_input(part.path), "rb")
        self._hash = hashlib.sha256()
        self._part_read = 0

    def _finish_part(self) -> None:
        assert self._file is not None
        self._file.close()
        self._file = None
        part = self.source.parts[self._index]
        if part.size is not None and self._part_read != part.size:
            raise ArchiveError(
                f"{part.path.name}: part is {self._part_read} bytes, expected {part.size} "
                "(truncated or changed while reading)"
            )
        digest = self._hash.hexdigest()
        if part.sha256 is not None:
            if digest != part.sha256:
                raise ArchiveError(f"{part.path.name}: corrupt part (sha256 mismatch)")
            self._consumer(PartDone(part.path.name, self._part_read, digest))

    def _raw_read(self, size: int) -> bytes:
        while True:
            if self._file is None:
                if self._index + 1 >= len(self.source.parts):
                    return b""
                self._open(self._index + 1)
            assert self._file is not None
            data = self._file.read(size)
            if data:
                # Hash only what a manifest lets us check (a lone tar has no checksum).
                if self.source.parts[self._index].sha256 is not None:
                    self._hash.update(data)
                if self.source.sha256 is not None:
                    self._total.update(data)
                self._part_read += len(data)
                self.bytes_read += len(data)
                return data
            self._finish_part()
            if self._index + 1 >= len(self.source.parts):
                self._finish_stream()
                return b""

    def _finish_stream(self) -> None:
        expected = self.source.sha256
        if expected is not None and self._total.hexdigest() != expected:
            raise ArchiveError(
                f"{self.source.label}: the parts do not add up to the archive "
                "(whole-stream sha256 mismatch; parts out of order?)"
            )

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (``-1``: a chunk); ``b""`` at the verified end."""
        if size is None or size < 0:
            size = READ_SIZE
        if self._pending:
            data, self._pending = self._pending[:size], self._pending[size:]
            return data
        return self._raw_read(size)

    def peek(self, size: int) -> bytes:
        """The next ``size`` bytes without consuming them (used to sniff zstd)."""
        while len(self._pending) < size:
            data = self._raw_read(size - len(self._pending))
            if not data:
                break
            self._pending += data
        return self._pending[:size]

    def drain(self) -> None:
        """Read to the end, which verifies every remaining part."""
        while self.read(READ_SIZE):
            pass

    def diagnose(self) -> None:
        """After a failure mid-stream: finish hashing the current part, and raise a
        one-line error naming it if it is corrupt (otherwise return quietly)."""
        if self._file is None:
            return
        while data := self._file.read(READ_SIZE):
            self._hash.update(data)
            self._part_read += len(data)
        self._finish_part()

    def close(self) -> None:
        """Release the open part, if any."""
        if self._file is not None:
            self._file.close()
            self._file = None


def open_regular_input(path: Path) -> int:
    """Open an archive file for reading; a FIFO or device is refused, never waited on."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ArchiveError(f"{path}: no such archive") from None
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ArchiveError(f"{path}: not a regular file (a FIFO or device is refused)")
    os.set_blocking(fd, True)
    return fd


def _check_present(part: PartSpec) -> None:
    try:
        info = part.path.stat()
    except FileNotFoundError:
        raise ArchiveError(
            f"{part.path.name}: missing part (expected in {part.path.parent})"
        ) from None
    except OSError as exc:
        raise ArchiveError(f"{part.path.name}: cannot read part: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ArchiveError(f"{part.path}: not a regular file (a FIFO or device is refused)")
    if part.size is not None and info.st_size != part.size:
        raise ArchiveError(
            f"{part.path.name}: part is {info.st_size} bytes, expected {part.size} (truncated?)"
        )


def open_stream(reader: PartsReader) -> Any:
    """A readable of the tar bytes: ``reader`` itself, or a zstd decompressor over it."""
    if reader.peek(4) == ZSTD_MAGIC:
        dctx = zstandard.ZstdDecompressor()
        source: Any = reader  # zstandard only needs read(); its stubs want IO[bytes].
        return dctx.stream_reader(source, read_size=READ_SIZE, read_across_frames=True)
    return reader

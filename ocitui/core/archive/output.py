"""Where an export's bytes go: one file, or numbered parts plus a ``.parts.json``.

Everything is written under temporary names in the target directory and renamed only
once the whole archive is complete, so a failed or interrupted export never leaves a
file that looks finished. Parts are hashed as they are written; the manifest lists each
part's name, size and sha256 and the sha256 of the whole stream.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ocitui.core.errors import ArchiveError, StorageError
from ocitui.core.events import EventSink, PartDone

PARTS_FORMAT = "ocitui.split-archive.v1"
PARTS_SUFFIX = ".parts.json"


def part_name(archive: Path, number: int) -> str:
    """``x.tar.zst`` part 1 -> ``x.tar.zst.part-0001``."""
    return f"{archive.name}.part-{number:04d}"


def manifest_path(archive: Path) -> Path:
    """``x.tar.zst`` -> ``x.tar.zst.parts.json``."""
    return archive.with_name(archive.name + PARTS_SUFFIX)


@dataclass(frozen=True)
class PartInfo:
    """One written part: its file name (no directory), byte count and sha256 hex."""

    name: str
    size: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        """The manifest form."""
        return {"name": self.name, "size": self.size, "sha256": self.sha256}


class OutputSink:
    """A write-only byte sink that becomes the archive file(s) on :meth:`finish`.

    With ``split`` set, bytes roll over into a new part every ``split`` bytes.
    """

    def __init__(
        self, path: Path, *, split: int | None, compression: str, consumer: EventSink
    ) -> None:
        self.path = path
        self.split = split
        self.compression = compression
        self.size = 0
        self.parts: list[PartInfo] = []
        self._consumer = consumer
        self._total = hashlib.sha256()
        self._temps: list[tuple[Path, Path]] = []
        self._file: BinaryIO | None = None
        self._part_hash: Any = None
        self._part_size = 0
        if not path.parent.is_dir():
            raise ArchiveError(f"{path.parent}: no such directory")
        if split is None:
            self._open_next()  # An empty export still produces a file.

    def _final_path(self, number: int) -> Path:
        if self.split is None:
            return self.path
        return self.path.with_name(part_name(self.path, number))

    def _open_next(self) -> None:
        final = self._final_path(len(self._temps) + 1)
        temp = final.with_name(f".{final.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError as exc:
            raise StorageError.of(exc, final, "create") from None
        self._file = os.fdopen(fd, "wb")
        self._temps.append((temp, final))
        self._part_hash = hashlib.sha256()
        self._part_size = 0

    def _close_part(self) -> None:
        if self._file is None:
            return
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
        except OSError as exc:
            raise StorageError.of(exc, self._temps[-1][1]) from None
        self._file = None
        info = PartInfo(self._temps[-1][1].name, self._part_size, self._part_hash.hexdigest())
        self.parts.append(info)
        if self.split is not None:
            self._consumer(PartDone(info.name, info.size, info.sha256))

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Append ``data`` (rolling over to a new part when the current one is full)."""
        view = memoryview(data).cast("B")
        written = len(view)
        while view:
            if self._file is None or (self.split is not None and self._part_size >= self.split):
                self._close_part()
                self._open_next()
            room = len(view) if self.split is None else self.split - self._part_size
            chunk = view[:room]
            assert self._file is not None
            try:
                self._file.write(chunk)
            except OSError as exc:  # Full disk, size limit: abort() drops the temp files.
                raise StorageError.of(exc, self._temps[-1][1]) from None
            self._part_hash.update(chunk)
            self._total.update(chunk)
            self._part_size += len(chunk)
            self.size += len(chunk)
            view = view[room:]
        return written

    def flush(self) -> None:
        """Nothing to do: parts are fsynced when closed (zstd's writer calls this)."""

    @property
    def sha256(self) -> str:
        """The sha256 hex of every byte written so far."""
        return str(self._total.hexdigest())

    def finish(self) -> list[PartInfo]:
        """Close, rename every temp file into place, and write the parts manifest."""
        if self._file is None and not self._temps:
            self._open_next()  # A split export of nothing still has one (empty) part.
        self._close_part()
        try:
            for temp, final in self._temps:
                os.replace(temp, final)
            if self.split is not None:
                self._write_manifest()
        except OSError as exc:
            raise StorageError.of(exc, self.path) from None
        _fsync_dir(self.path.parent)
        return list(self.parts)

    def _write_manifest(self) -> None:
        doc = {
            "format": PARTS_FORMAT,
            "archive": self.path.name,
            "compression": self.compression,
            "size": self.size,
            "sha256": self.sha256,
            "parts": [p.to_json() for p in self.parts],
        }
        target = manifest_path(self.path)
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            with temp.open("wb") as handle:
                handle.write((json.dumps(doc, indent=2) + "\n").encode())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            raise

    def abort(self) -> None:
        """Drop every temp file (used on any failure before :meth:`finish`)."""
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
        for temp, _ in self._temps:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

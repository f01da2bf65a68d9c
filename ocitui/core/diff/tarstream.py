"""Stream one layer blob as tar members: decompress, hash, never buffer.

A layer is read once, front to back: compressed bytes are hashed (checked against the
layer digest), decompressed (gzip, zstd, or plain tar; the Docker gzip type too), hashed
again (checked against the config's diff_id, when known) and parsed by :mod:`tarfile` in
stream mode. File contents are hashed in chunks and dropped. Nothing is written to disk,
so path tricks in member names cannot escape anywhere; they are only normalised.
"""

from __future__ import annotations

import gzip
import hashlib
import tarfile
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, BinaryIO, cast

import zstandard

from ocitui.core import media_types as mt
from ocitui.core.diff.data import DiffData
from ocitui.core.diff.events import DiffCancelled, check_cancel
from ocitui.core.diff.zstdframes import ZstdFrames
from ocitui.core.digest import Digest
from ocitui.core.errors import DiffError, OcituiError
from ocitui.core.events import EventSink, LayerDone, LayerProgress
from ocitui.core.models import Descriptor

CHUNK = 1024 * 1024
#: Report progress at most every this many compressed bytes.
PROGRESS_STEP = 4 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"


@dataclass(frozen=True)
class FileEntry(DiffData):
    """Metadata of one path of an image filesystem (content as its sha256, never bytes).

    ``type`` is ``file``, ``dir``, ``symlink``, ``hardlink``, ``char``, ``block`` or
    ``fifo``; ``link`` is a symlink's target or a hard link's (normalised) target path;
    ``device`` is ``major:minor`` for device nodes. A hard link carries its target's size
    and sha256 once the filesystem resolves it.
    """

    path: str
    type: str
    size: int
    mode: int
    uid: int
    gid: int
    link: str | None = None
    sha256: str | None = None
    device: str | None = None


@dataclass(frozen=True)
class Whiteout:
    """A whiteout member: ``path`` deleted, or (``opaque``) the lower contents of dir ``path``."""

    path: str
    opaque: bool = False


def normalise_path(name: str) -> str:
    """A member name as a clean relative path: no ``.``/empty parts, ``..`` clamped at root."""
    parts: list[str] = []
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


class _Tap:
    """A read-only stream wrapper that hashes and counts every byte read through it."""

    def __init__(self, inner: Any, hasher: Any = None) -> None:
        self._inner = inner
        self.hash = hasher if hasher is not None else hashlib.sha256()
        self.count = 0
        self.mode = "rb"

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._inner.read(size)
        self.hash.update(data)
        self.count += len(data)
        return data

    def drain(self) -> None:
        """Read (and hash) whatever the consumer left, so the whole stream is checked."""
        while self.read(CHUNK):
            pass


class _Prefixed:
    """Puts back the magic bytes read for sniffing in front of the rest of a stream."""

    def __init__(self, prefix: bytes, inner: _Tap) -> None:
        self._prefix = prefix
        self._inner = inner
        self.mode = "rb"

    def read(self, size: int = -1) -> bytes:
        if not self._prefix:
            return self._inner.read(size)
        if size < 0:
            head, self._prefix = self._prefix, b""
            return head + self._inner.read(-1)
        head, self._prefix = self._prefix[:size], self._prefix[size:]
        if len(head) < size:
            head += self._inner.read(size - len(head))
        return head


def _zstd(source: Any) -> Any:
    """A bounded-output zstd reader over ``source`` whose truncation is an error."""
    checked = ZstdFrames(source)
    return zstandard.ZstdDecompressor().stream_reader(cast(Any, checked), read_across_frames=True)


def _decompressed(media_type: str, raw: _Tap) -> Any:
    """A reader of the uncompressed tar stream, chosen by media type, else by magic bytes."""
    if media_type in mt.GZIP_LAYERS:
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[call-overload]
    if media_type in mt.ZSTD_LAYERS:
        return _zstd(raw)
    if media_type in mt.TAR_LAYERS:
        return raw
    head = raw.read(4)
    stream = _Prefixed(head, raw)
    if head.startswith(_GZIP_MAGIC):
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[call-overload]
    if head.startswith(_ZSTD_MAGIC):
        return zstandard.ZstdDecompressor().stream_reader(
            cast(Any, stream), read_across_frames=True
        )
    return stream


def _member(info: tarfile.TarInfo) -> FileEntry | Whiteout | None:
    path = normalise_path(info.name)
    if not path:
        return None  # the root directory itself ("./")
    parent, _, base = path.rpartition("/")
    if base.startswith(WHITEOUT_PREFIX):
        if base == OPAQUE_MARKER:
            return Whiteout(parent, opaque=True)
        if base.startswith(WHITEOUT_PREFIX + WHITEOUT_PREFIX):
            return None  # aufs bookkeeping (.wh..wh.plnk, ...), not part of the image
        return Whiteout(f"{parent}/{base[4:]}" if parent else base[4:])
    common: dict[str, Any] = {
        "path": path,
        "mode": info.mode & 0o7777,
        "uid": info.uid,
        "gid": info.gid,
    }
    if info.isdir():
        return FileEntry(type="dir", size=0, **common)
    if info.issym():
        return FileEntry(type="symlink", size=0, link=info.linkname, **common)
    if info.islnk():
        return FileEntry(type="hardlink", size=0, link=normalise_path(info.linkname), **common)
    if info.ischr() or info.isblk():
        kind = "char" if info.ischr() else "block"
        device = f"{info.devmajor}:{info.devminor}"
        return FileEntry(type=kind, size=0, device=device, **common)
    if info.isfifo():
        return FileEntry(type="fifo", size=0, **common)
    return FileEntry(type="file", size=info.size, **common)


class LayerReader:
    """Iterate the members of one layer, reporting progress and honouring ``cancel``."""

    def __init__(
        self,
        stream: BinaryIO,
        desc: Descriptor,
        *,
        side: str,
        index: int,
        diff_id: str | None = None,
        progress: EventSink | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self._stream, self._desc, self._side, self._index = stream, desc, side, index
        self._diff_id, self._progress, self._cancel = diff_id, progress, cancel
        self._raw = _Tap(stream, desc.digest.hasher())
        self._reported = 0
        self.members = 0
        self.uncompressed_size = 0
        self.diff_id: Digest | None = None

    def __iter__(self) -> Iterator[FileEntry | Whiteout]:
        try:
            yield from self._read()
        except (DiffCancelled, GeneratorExit):
            raise
        except DiffError:
            raise
        except (
            tarfile.TarError,
            EOFError,
            OSError,
            zlib.error,
            zstandard.ZstdError,
            ValueError,
            OcituiError,
        ) as exc:
            reason = str(exc) or type(exc).__name__
            raise DiffError(
                f"layer {self._desc.digest} is malformed or truncated: {reason}"
            ) from None
        finally:
            self._stream.close()

    def _tick(self, force: bool = False) -> None:
        check_cancel(self._cancel)
        done = self._raw.count
        if self._progress is not None and (force or done - self._reported >= PROGRESS_STEP):
            self._reported = done
            self._progress(
                LayerProgress(
                    self._side, self._index, self._desc.digest, done, self._desc.size, self.members
                )
            )

    def _read(self) -> Iterator[FileEntry | Whiteout]:
        plain = _Tap(_decompressed(self._desc.media_type, self._raw))
        with tarfile.open(fileobj=plain, mode="r|", bufsize=64 * 1024) as tar:  # type: ignore[call-overload]
            while (info := tar.next()) is not None:
                self.members += 1
                self._tick()
                record = _member(info)
                if isinstance(record, FileEntry) and record.type == "file":
                    record = self._hash_content(tar, info, record)
                tar.members.clear()  # stream mode keeps every TarInfo otherwise
                if record is not None:
                    yield record
        plain.drain()
        self._raw.drain()
        self._verify(plain)
        self._tick(force=True)

    def _hash_content(
        self, tar: tarfile.TarFile, info: tarfile.TarInfo, record: FileEntry
    ) -> FileEntry:
        content = tar.extractfile(info)
        digest = hashlib.sha256()
        if content is not None:
            while chunk := content.read(CHUNK):
                digest.update(chunk)
                self._tick()
        return replace(record, sha256=f"sha256:{digest.hexdigest()}")

    def _verify(self, plain: _Tap) -> None:
        digest = self._desc.digest
        if self._raw.count != self._desc.size:
            raise DiffError(
                f"layer {digest} is {self._raw.count} bytes, expected {self._desc.size}"
            )
        if self._raw.hash.hexdigest() != digest.encoded:
            raise DiffError(f"layer {digest} does not match its digest (corrupt blob)")
        diff_id = f"sha256:{plain.hash.hexdigest()}"
        if self._diff_id is not None and self._diff_id != diff_id:
            raise DiffError(
                f"layer {digest}: uncompressed content {diff_id} does not match "
                f"the config's diff_id {self._diff_id}"
            )
        self.diff_id = Digest.parse(diff_id)
        self.uncompressed_size = plain.count

    def done_event(self) -> LayerDone:
        """The :class:`LayerDone` event for this layer (after iteration finished)."""
        assert self.diff_id is not None, "the layer has not been read to its end"
        return LayerDone(
            self._side,
            self._index,
            self._desc.digest,
            self.members,
            self.uncompressed_size,
            self.diff_id,
        )

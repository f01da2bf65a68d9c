"""Small tar layers: reading ``.imgpkg`` files out of a layer by streaming it, and
building tiny deterministic ``.tar.gz`` layers (image-locations, tests).

Nothing is extracted to disk. Decompressed bytes are capped (gzip/zstd bombs) and so is
each wanted file; wanted files must be regular files.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Collection, Mapping
from typing import Any, BinaryIO

import zstandard

from ocitui.core import media_types as mt
from ocitui.core.errors import BundleError

MAX_FILE = 1024 * 1024
MAX_TOTAL = 1024 * 1024 * 1024
_CHUNK = 1024 * 1024


class _Capped:
    """A reader that refuses to produce more than ``cap`` bytes."""

    def __init__(self, inner: Any, cap: int) -> None:
        self._inner = inner
        self._cap = cap
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._inner.read(size if size >= 0 else _CHUNK)
        self.count += len(data)
        if self.count > self._cap:
            raise BundleError(f"bundle layer expands past {self._cap} bytes; refusing")
        return data


def _decompressed(raw: BinaryIO, media_type: str) -> Any:
    head = raw.read(4)
    rest: Any = _Prefixed(head, raw)
    if media_type in mt.ZSTD_LAYERS or head == b"\x28\xb5\x2f\xfd":
        return zstandard.ZstdDecompressor().stream_reader(rest, read_across_frames=True)
    if media_type in mt.GZIP_LAYERS or head[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=rest, mode="rb")
    return rest


class _Prefixed:
    def __init__(self, head: bytes, inner: BinaryIO) -> None:
        self._head = head
        self._inner = inner

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0:
                data, self._head = self._head + self._inner.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._inner.read(size)


def read_members(
    raw: BinaryIO,
    media_type: str,
    wanted: Collection[str],
    *,
    max_file: int = MAX_FILE,
    max_total: int = MAX_TOTAL,
) -> dict[str, bytes]:
    """The contents of the ``wanted`` paths found in the tar layer ``raw``."""
    found: dict[str, bytes] = {}
    source = _Capped(_decompressed(raw, media_type), max_total)
    try:
        with tarfile.open(fileobj=source, mode="r|", bufsize=_CHUNK) as tar:  # type: ignore[call-overload]
            for info in tar:
                name = info.name[2:] if info.name.startswith("./") else info.name
                name = name.lstrip("/")
                if name not in wanted:
                    continue
                if not info.isreg() or info.type == tarfile.GNUTYPE_SPARSE:
                    raise BundleError(f"{name} in the bundle layer is not a regular file")
                if info.size > max_file:
                    raise BundleError(f"{name} is {info.size} bytes, over the {max_file} limit")
                handle = tar.extractfile(info)
                if handle is None:
                    raise BundleError(f"{name} cannot be read from the bundle layer")
                found[name] = handle.read(info.size)
                if len(found) == len(wanted):
                    break
    except (tarfile.TarError, OSError, EOFError, zstandard.ZstdError) as exc:
        raise BundleError(f"bundle layer is not a readable tar: {exc}") from None
    return found


def tar_gz(files: Mapping[str, bytes]) -> tuple[bytes, bytes]:
    """A deterministic ``.tar.gz`` of ``files`` (sorted, mtime 0): ``(gzipped, tar)``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs = sorted({p.rsplit("/", i)[0] for p in files for i in range(1, p.count("/") + 1)})
        for name in dirs:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
            tar.addfile(info)
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(files[name]), 0o644, 0
            tar.addfile(info, io.BytesIO(files[name]))
    plain = buffer.getvalue()
    return gzip.compress(plain, mtime=0), plain

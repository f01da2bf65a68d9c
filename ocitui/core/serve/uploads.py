"""Blob uploads into a served layout: monolithic, streamed and chunked.

An upload session is a file ``ingest/upload-<id>.partial`` hashed while it is written
(sha256; another algorithm is hashed again at the end). Closing a session verifies
the digest and size the client names, fsyncs, and renames the file into ``blobs/``:
the same verify-then-rename rule as pull's :class:`~ocitui.core.layout.ingest.BlobWriter`,
so nothing unverified or half-written is ever visible under ``blobs/``. Sessions live
in memory; the files of sessions still open when the server stops are removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.layout.ingest import fsync_dir as _fsync_dir
from ocitui.core.serve.errors import DistributionError

#: Bytes gathered before one write+hash in a worker thread.
_BATCH = 4 * 1024 * 1024
MAX_SESSIONS = 256
#: A session untouched this long is dropped when a new one starts.
IDLE_SECONDS = 3600.0


@dataclass
class Upload:
    """One open upload session."""

    id: str
    repo: str
    path: Path
    handle: BinaryIO
    offset: int = 0
    touched: float = field(default_factory=time.monotonic)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _sha256: Any = field(default_factory=hashlib.sha256)

    def write(self, data: bytes) -> None:
        """Append and hash (runs in a worker thread)."""
        self.handle.write(data)
        self._sha256.update(data)
        self.offset += len(data)

    def hexdigest(self, algorithm: str) -> str:
        """The digest of everything written, in ``algorithm``."""
        if algorithm == "sha256":
            return str(self._sha256.hexdigest())
        self.handle.flush()
        hasher = hashlib.new(algorithm)
        with self.path.open("rb") as source:
            while chunk := source.read(1024 * 1024):
                hasher.update(chunk)
        return hasher.hexdigest()


class Uploads:
    """The open upload sessions of one served layout."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._open: dict[str, Upload] = {}

    def start(self, repo: str) -> Upload:
        """A new, empty session for ``repo``."""
        self._expire()
        if len(self._open) >= MAX_SESSIONS:
            raise DistributionError("TOOMANYREQUESTS", "too many uploads in progress")
        self.layout.ingest_dir.mkdir(parents=True, exist_ok=True)
        upload_id = secrets.token_hex(16)
        path = self.layout.ingest_dir / f"upload-{upload_id}.partial"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0))
        upload = Upload(upload_id, repo, path, os.fdopen(fd, "w+b"))
        self._open[upload_id] = upload
        return upload

    def get(self, repo: str, upload_id: str) -> Upload:
        """The session ``upload_id`` of ``repo``; BLOB_UPLOAD_UNKNOWN otherwise."""
        upload = self._open.get(upload_id)
        if upload is None or upload.repo != repo:
            raise DistributionError("BLOB_UPLOAD_UNKNOWN", f"no upload {upload_id[:40]!r}")
        upload.touched = time.monotonic()
        return upload

    async def append(
        self, upload: Upload, body: AsyncIterator[bytes], start: int | None = None
    ) -> None:
        """Stream ``body`` onto the session; ``start`` (from Content-Range) must be the end."""
        if start is not None and start != upload.offset:
            raise DistributionError(
                "BLOB_UPLOAD_INVALID",
                f"chunk starts at {start}, the upload holds {upload.offset} bytes",
                status=416,
            )
        batch: list[bytes] = []
        held = 0
        async for chunk in body:
            batch.append(chunk)
            held += len(chunk)
            if held >= _BATCH:
                await asyncio.to_thread(upload.write, b"".join(batch))
                batch, held = [], 0
        if batch:
            await asyncio.to_thread(upload.write, b"".join(batch))
        upload.touched = time.monotonic()

    async def finish(self, upload: Upload, digest: Digest) -> None:
        """Verify the session against ``digest`` and move it into ``blobs/``."""
        try:
            await asyncio.to_thread(self._commit, upload, digest)
        finally:
            self.cancel(upload)

    def _commit(self, upload: Upload, digest: Digest) -> None:
        actual = upload.hexdigest(digest.algorithm)
        if actual != digest.encoded:
            raise DistributionError(
                "DIGEST_INVALID",
                f"uploaded content is {digest.algorithm}:{actual}, not {digest}",
            )
        if self.layout.has_blob(digest, upload.offset):
            return
        upload.handle.flush()
        os.fsync(upload.handle.fileno())
        final = self.layout.blob_path(digest)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(upload.path, final)
        _fsync_dir(final.parent)

    def cancel(self, upload: Upload) -> None:
        """Forget the session and remove its file."""
        self._open.pop(upload.id, None)
        with contextlib.suppress(OSError):
            upload.handle.close()
        with contextlib.suppress(FileNotFoundError):
            upload.path.unlink()

    def close_all(self) -> None:
        """Drop every open session (server stop)."""
        for upload in list(self._open.values()):
            self.cancel(upload)

    def _expire(self) -> None:
        now = time.monotonic()
        for upload in list(self._open.values()):
            if now - upload.touched > IDLE_SECONDS and not upload.lock.locked():
                self.cancel(upload)

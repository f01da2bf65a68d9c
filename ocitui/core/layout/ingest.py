"""Streaming blob writes: ``ingest/`` -> hash while writing -> fsync -> verify -> rename.

The blob's bytes are fsynced before the rename, so a blob visible under ``blobs/`` after
a crash is complete; the directory fsync that makes the rename itself durable may be
batched (one per directory per sync), as long as it happens before ``index.json`` names
the blob.

Small in-memory blobs (manifests, signatures, configs) are stored in groups by
:func:`store_together`: all of a group is written, then fsynced together, then renamed.
Per blob the order is the same as :meth:`BlobWriter.commit` (bytes durable, then the
rename), so the guarantee is the same; the disk just flushes the group together.

A partial file survives in ``ingest/`` when the writer is left without ``commit()``, so
the next attempt can resume (an HTTP ``Range`` request from :attr:`BlobWriter.offset`).
Nothing half-written is ever visible under ``blobs/``.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ocitui.core.digest import Digest, Verifier
from ocitui.core.errors import DigestMismatch, OcituiError, StorageError

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

_RESUME_READ = 1024 * 1024

#: Bytes written between two requests to start writing them to disk (Linux
#: ``sync_file_range``). The kernel otherwise holds a fresh blob in memory until the fsync
#: before its rename, which then waits for all of it while the network sits idle.
WRITEBACK_STEP = 8 * 1024 * 1024


class BlobWriter:
    """Write one blob of known digest and size into a layout, resumably.

    Use as a context manager; call :meth:`commit` once all bytes are written.
    """

    def __init__(
        self,
        ingest_dir: Path,
        final_path: Path,
        digest: Digest,
        size: int,
        *,
        on_renamed: Callable[[Path], None] | None = None,
    ) -> None:
        """``on_renamed(directory)``, when given, takes over the directory fsync after the
        rename (see :meth:`ocitui.core.layout.Layout.ingest`)."""
        self.on_renamed = on_renamed
        self.digest = digest
        self.size = size
        self.final_path = final_path
        self.partial_path = partial_path(ingest_dir, digest)
        self._verifier = Verifier(digest, size)
        self._file: Any = None
        self._committed = False
        #: Verified and fsynced (only the rename is left).
        self._synced = False
        #: Bytes an earlier attempt had left (0 for a fresh start).
        self.resumed_from = 0
        #: Bytes already handed to :func:`start_writeback`.
        self._written_back = 0
        try:
            ingest_dir.mkdir(parents=True, exist_ok=True)
            self._open_partial()
        except OSError as exc:
            raise StorageError.of(exc, self.partial_path, "open") from None

    def _lock_partial(self) -> int:
        """Open the partial file and hold its lock; one writer per blob at a time.

        Two processes fetching the same blob must not write one file together: the
        second waits for the first, and if the first renamed the file into ``blobs/``
        meanwhile, the second starts a fresh partial rather than writing into the blob.
        """
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        while True:
            fd = os.open(self.partial_path, flags, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                if os.stat(self.partial_path).st_ino == os.fstat(fd).st_ino:
                    return fd
            except FileNotFoundError:
                pass
            os.close(fd)  # Renamed away by the writer we waited for: start over.

    def _open_partial(self) -> None:
        self._file = os.fdopen(self._lock_partial(), "r+b")
        # Re-hash what an earlier attempt left, so resumed bytes are verified too.
        held = 0
        while chunk := self._file.read(_RESUME_READ):
            if held + len(chunk) > self.size:
                chunk = chunk[: self.size - held]
            self._verifier.update(chunk)
            held += len(chunk)
            if held >= self.size:
                break
        self._file.seek(held)
        self._file.truncate(held)
        self.resumed_from = self._written_back = held

    @property
    def offset(self) -> int:
        """Bytes already held (resume from here)."""
        return self._verifier.count

    @property
    def matches(self) -> bool:
        """True when the bytes held are all there and hash to the digest (no side effect)."""
        return self._verifier.matches()

    def write(self, chunk: bytes) -> None:
        """Append ``chunk``; refuses to go past the expected size.

        A refused write (full disk, file size limit) leaves what reached the disk for a
        resume: the next writer re-hashes the partial file from its start.
        """
        self._verifier.update(chunk)
        try:
            self._file.write(chunk)
            held = self._verifier.count
            if held - self._written_back >= WRITEBACK_STEP:
                self._file.flush()
                start_writeback(self._file.fileno(), self._written_back, held - self._written_back)
                self._written_back = held
        except OSError as exc:
            raise StorageError.of(exc, self.partial_path) from None

    def restart(self) -> None:
        """Drop what is held and start again from byte 0."""
        self._synced = False
        self._file.seek(0)
        self._file.truncate(0)
        self._verifier = Verifier(self.digest, self.size)
        self.resumed_from = self._written_back = 0

    def sync(self) -> None:
        """Verify size and digest and make the bytes durable (fsync); :meth:`commit` then
        only renames. Safe to call from another thread than the one that wrote."""
        if self._synced:
            return
        try:
            self._verifier.verify()
        except DigestMismatch:
            self._discard()
            raise
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as exc:
            raise StorageError.of(exc, self.partial_path, "store") from None
        self._synced = True

    def commit(self) -> None:
        """Verify size and digest, fsync, and move the blob into place atomically."""
        self.sync()
        try:
            try:
                # Rename while still holding the lock, so a waiting writer never sees this file.
                os.replace(self.partial_path, self.final_path)
            except FileNotFoundError:
                self.final_path.parent.mkdir(parents=True, exist_ok=True)  # The first blob.
                os.replace(self.partial_path, self.final_path)
        except OSError as exc:
            raise StorageError.of(exc, self.partial_path, "store") from None
        self._file.close()
        if self.on_renamed is not None:
            self.on_renamed(self.final_path.parent)
        else:
            fsync_dir(self.final_path.parent)
        self._committed = True

    def _discard(self) -> None:
        if self._file.closed:
            return  # Discarded or committed already; the path may be another writer's now.
        with contextlib.suppress(FileNotFoundError):
            self.partial_path.unlink()  # Before closing: the lock is still ours.
        with contextlib.suppress(OSError):
            self._file.close()

    def close(self) -> None:
        """Release the file; partial bytes stay for a later resume."""
        if not self._committed and self._file is not None and not self._file.closed:
            # Buffered bytes a full disk refused are not needed: a resume re-hashes the file.
            with contextlib.suppress(OSError):
                self._file.close()

    def __enter__(self) -> BlobWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(exc, DigestMismatch):
            self._discard()  # Bad bytes are not worth resuming from.
        self.close()


def partial_path(ingest_dir: Path, digest: Digest) -> Path:
    """Where the partial download of ``digest`` is kept in ``ingest_dir``."""
    return ingest_dir / f"{digest.algorithm}-{digest.encoded}.partial"


def store_together(
    ingest_dir: Path,
    blobs: Sequence[tuple[Path, Digest, bytes]],
    on_renamed: Callable[[Path], None],
) -> list[OcituiError | None]:
    """Store small in-memory blobs ``(final path, digest, bytes)`` as one group.

    Each blob goes through its own :class:`BlobWriter` (the partial file's lock, the
    digest check, fsync before rename), in three passes: every blob is written; then all
    are fsynced at once (:data:`SYNC_THREADS` threads: fsyncs that wait together share
    one journal commit, one after the other each waits for its own); then each is
    renamed into ``blobs/``. So a blob is visible under ``blobs/`` only once its bytes are
    durable, and after a crash it is complete or absent, as with
    :meth:`BlobWriter.commit`. The renames' directory fsync is ``on_renamed``'s, which
    must happen before ``index.json`` names any of them.

    Locks are taken in digest order (two processes storing overlapping groups cannot
    wait on each other in a cycle); a digest must appear once. Returns, per blob and in
    the order given, None when it is in place or the one-line error that kept it out;
    the others still land.
    """
    errors: list[OcituiError | None] = [None] * len(blobs)
    open_writers: list[tuple[int, BlobWriter]] = []
    order = sorted(range(len(blobs)), key=lambda i: str(blobs[i][1]))
    try:
        for i in order:
            final, digest, data = blobs[i]
            try:
                writer = BlobWriter(ingest_dir, final, digest, len(data), on_renamed=on_renamed)
            except OcituiError as exc:
                errors[i] = exc
                continue
            open_writers.append((i, writer))
            try:
                writer.restart()
                writer.write(data)
            except OcituiError as exc:
                errors[i] = exc
        _sync_all([(i, w) for i, w in open_writers if errors[i] is None], errors)
        for i, writer in open_writers:
            if errors[i] is None:
                try:
                    writer.commit()
                except OcituiError as exc:
                    errors[i] = exc
    finally:
        for _, writer in open_writers:
            writer.close()  # A blob that failed leaves its partial, like any writer.
    return errors


#: Threads that fsync the blobs of a group at once (the filesystem merges fsyncs that
#: wait together into one journal commit; one after the other, each waits for its own).
SYNC_THREADS = 8


@functools.cache
def _sync_pool() -> ThreadPoolExecutor:
    # Imported here: concurrent.futures brings logging and more, which every command that
    # opens a layout (and stores no group of blobs) would otherwise load at start.
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=SYNC_THREADS, thread_name_prefix="ocitui-fsync")


def _sync_all(writers: list[tuple[int, BlobWriter]], errors: list[OcituiError | None]) -> None:
    """``sync()`` every writer, several at a time; failures go into ``errors``."""

    def one(writer: BlobWriter) -> OcituiError | None:
        try:
            writer.sync()
        except OcituiError as exc:
            return exc
        return None

    if len(writers) == 1:
        results = [one(writers[0][1])]
    else:
        results = list(_sync_pool().map(one, [w for _, w in writers]))
    for (i, _), error in zip(writers, results, strict=True):
        errors[i] = error


def start_writeback(fd: int, offset: int, length: int) -> None:
    """Ask the kernel to start writing ``[offset, offset + length)`` of ``fd`` to disk now.

    Only a hint (Linux ``sync_file_range(SYNC_FILE_RANGE_WRITE)``, which does not wait):
    durability still comes from the fsync before the rename, which then finds most of the
    blob on disk already. A no-op where the call is missing; failures are ignored.
    """
    call = _sync_file_range()
    if call is not None:
        call(fd, offset, length, _SYNC_FILE_RANGE_WRITE)


_SYNC_FILE_RANGE_WRITE = 2


@functools.cache
def _sync_file_range() -> Callable[[int, int, int, int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        function = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    function.restype = ctypes.c_int
    found: Callable[[int, int, int, int], int] = function
    return found


def fsync_dir(path: Path) -> None:
    """Make the renames into ``path`` durable (best effort where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

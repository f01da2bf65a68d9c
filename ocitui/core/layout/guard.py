"""Refuse to follow links or block on special files anywhere in a layout.

Everything that opens, lists or deletes inside a layout goes through these checks:
``blobs/``, ``blobs/<alg>/`` and ``ingest/`` must be real directories (``lstat``: a symlink
to elsewhere is refused, so gc and fsck never delete outside the layout); files are opened
with ``O_NOFOLLOW | O_NONBLOCK`` and checked to be regular before a byte is read (a FIFO
or device never blocks a command); lock files are never created through a symlink.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from ocitui.core.digest import ALGORITHMS
from ocitui.core.errors import LayoutError, LockTimeout

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
LEASE_NAME = ".ocitui.lease"


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symlink"
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    return "not a directory"


def real_dir(path: Path, what: str) -> bool:
    """True when ``path`` is a real directory, False when absent; else LayoutError."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    except NotADirectoryError:
        raise LayoutError(f"{what}: a parent is not a directory") from None
    if not stat.S_ISDIR(info.st_mode):
        raise LayoutError(f"{what} is {_kind(info.st_mode)}, not a directory; refusing it")
    return True


def check_structure(root: Path) -> None:
    """``blobs/``, ``blobs/<alg>/`` and ``ingest/`` are real directories where present."""
    if real_dir(root / "blobs", f"{root}/blobs"):
        for algorithm in ALGORITHMS:
            real_dir(root / "blobs" / algorithm, f"{root}/blobs/{algorithm}")
    real_dir(root / "ingest", f"{root}/ingest")


def open_regular(path: Path | str, what: str, flags: int = os.O_RDONLY) -> int:
    """Open ``path`` without following a symlink or blocking; refuse non-regular files.

    Raises FileNotFoundError when absent (callers decide what that means).
    """
    try:
        fd = os.open(path, flags | _NOFOLLOW | _NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LayoutError(f"{what} is a symlink; refusing to follow it") from None
        if isinstance(exc, FileNotFoundError):
            raise
        raise LayoutError(f"cannot open {what}: {exc.strerror}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise LayoutError(f"{what} is {_kind(info.st_mode)}, not a regular file")
    if _NONBLOCK:
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~_NONBLOCK)
    return fd


#: Why a lock file cannot be created in a layout one may still read.
_NOT_WRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


def open_lock_file(path: Path, *, read_only: bool = False) -> int | None:
    """Open (creating) a lock file, never through a symlink (a dangling one is refused).

    ``read_only`` (a caller that changes nothing, like ``gc --dry-run``): on a read-only
    file system or directory an existing lock file is opened for reading (``flock`` works
    on it) and a missing one is None: no lock to take, the caller proceeds without it.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _NONBLOCK, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LayoutError(f"{path} is a symlink; refusing to follow it") from None
        if not (read_only and exc.errno in _NOT_WRITABLE):
            raise LayoutError(f"cannot open {path}: {exc.strerror}") from None
        try:
            fd = open_regular(path, str(path))
        except FileNotFoundError:
            return None
        return fd
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise LayoutError(f"{path} is not a regular file")
    return fd


def _flock(fd: int, operation: int, timeout: float, busy: str) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, operation | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockTimeout(busy) from None
            time.sleep(0.02)


@contextlib.contextmanager
def lease(
    root: Path, *, exclusive: bool = False, timeout: float = 60.0, read_only: bool = False
) -> Iterator[None]:
    """Hold the layout's write lease: shared for writers, exclusive for gc.

    A pull or import holds it shared from its plan to its last ``index.json`` write, so
    the blobs it decided to reuse, and those it wrote but has not named yet, are never
    collected under it. gc takes it exclusively and does not wait for writers
    (``timeout`` 0 there): it refuses to run while one is at work. ``read_only``: see
    :func:`open_lock_file`.
    """
    fd = open_lock_file(root / LEASE_NAME, read_only=read_only)
    if fd is None:
        yield
        return
    try:
        _flock(
            fd,
            fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH,
            timeout,
            f"{root}: a pull or import is writing to this layout; gc removes nothing while "
            "one runs (run it again afterwards)"
            if exclusive
            else f"{root}: gc holds the layout",
        )
        yield
    finally:
        os.close(fd)

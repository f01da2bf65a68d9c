"""Progress events of export and import, as typed data.

Export and import report what they do with these events, passed to a consumer the caller
owns (the CLI prints lines or JSON, the TUI posts them from a thread worker). A consumer
must be quick: it is called from the streaming loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ocitui.core.digest import Digest


@dataclass(frozen=True)
class ArchiveStarted:
    """Work begins. ``total_bytes`` is known for export (blob bytes) and for import
    (archive bytes on disk); ``total_blobs`` is 0 when not known up front."""

    operation: str
    total_blobs: int
    total_bytes: int


@dataclass(frozen=True)
class BlobStarted:
    """A blob is about to be streamed."""

    digest: Digest
    size: int


@dataclass(frozen=True)
class BlobProgress:
    """Bytes of the current blob streamed so far (sent every few MiB)."""

    digest: Digest
    done: int
    size: int


@dataclass(frozen=True)
class BlobDone:
    """A blob was written and verified, or ``skipped`` because the layout already had it."""

    digest: Digest
    size: int
    skipped: bool = False


@dataclass(frozen=True)
class PartDone:
    """One part of a split archive was finished (export) or verified (import)."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ArchiveFinished:
    """Everything is written, verified and (for import) merged into ``index.json``."""

    operation: str
    blobs: int
    bytes: int


ArchiveEvent = ArchiveStarted | BlobStarted | BlobProgress | BlobDone | PartDone | ArchiveFinished
EventConsumer = Callable[[ArchiveEvent], None]


def ignore(_event: ArchiveEvent) -> None:
    """The default consumer: drop every event."""


#: How often (in bytes) a :class:`BlobProgress` is sent while streaming one blob.
PROGRESS_STEP = 8 * 1024 * 1024

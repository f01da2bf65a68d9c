"""One vocabulary of progress events for sync, export, import and the file diff.

Long work never draws anything: it hands these frozen dataclasses to an
:data:`EventSink` the caller passes (the CLI renders bars, lines or JSON lines in
:mod:`ocitui.cli.progress`; the TUI folds them into its progress view from a worker).
A sink must be quick: it is called from the streaming loop. Blob events are shared by
every operation that moves blobs; the others belong to one operation each. Cancellation
is the caller's: cancel the task (sync) or set the ``cancel`` event (file diff).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from ocitui.core.digest import Digest

if TYPE_CHECKING:
    from ocitui.core.sync.plan import Plan
    from ocitui.core.sync.report import SyncReport


@dataclass(frozen=True)
class Event:
    """Base of every progress event; ``to_json`` gives a flat, JSON-ready dict."""

    def to_json(self) -> dict[str, Any]:
        """``{"event": <ClassName>, ...fields}`` with digests as strings."""
        out: dict[str, Any] = {"event": type(self).__name__}
        for f in fields(self):
            value = getattr(self, f.name)
            if hasattr(value, "to_json"):
                value = value.to_json()
            elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
                value = str(value)
            out[f.name] = value
        return out


EventSink = Callable[[Event], None]


def ignore(_event: Event) -> None:
    """An :data:`EventSink` that drops everything."""


# -- blobs (sync, export, import) --------------------------------------------------------


@dataclass(frozen=True)
class BlobStarted(Event):
    """A blob transfer began (``offset`` > 0 when resuming a partial download)."""

    digest: str
    size: int
    offset: int = 0
    media_type: str = ""


@dataclass(frozen=True)
class BlobProgress(Event):
    """Bytes of a blob moved so far (resumed bytes included)."""

    digest: str
    done: int
    size: int


@dataclass(frozen=True)
class BlobDone(Event):
    """A blob is verified and in place. ``how``: ``downloaded``, ``uploaded``,
    ``mounted``, ``written`` (into an archive or from one), or ``exists`` (nothing moved)."""

    digest: str
    size: int
    how: str

    @property
    def skipped(self) -> bool:
        """True when the destination had it already."""
        return self.how == "exists"


# -- sync --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanReady(Event):
    """The plan is known; execution starts next (or not, on a dry run)."""

    plan: Plan


@dataclass(frozen=True)
class Skipped(Event):
    """Something already at the destination; nothing was transferred for it."""

    digest: str
    kind: str
    size: int


@dataclass(frozen=True)
class ManifestDone(Event):
    """A manifest or index was written at the destination."""

    digest: str
    media_type: str
    role: str


@dataclass(frozen=True)
class TagDone(Event):
    """A name now points at its content at the destination."""

    name: str
    digest: str


@dataclass(frozen=True)
class Failed(Event):
    """One item failed; the sync goes on with what does not depend on it."""

    digest: str
    message: str


@dataclass(frozen=True)
class Finished(Event):
    """Everything is done; ``report`` says what was copied, skipped, left behind, missing."""

    report: SyncReport


# -- registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Retrying(Event):
    """A registry request failed in a way worth another try (a 429, a 5xx, a dropped
    connection or body); it is sent again after ``delay`` seconds. Announced as it happens
    by the registry client (``on_event``), so a face can show it during the wait."""

    where: str
    reason: str
    delay: float
    #: The attempt about to be made (2 is the first retry), of ``attempts`` at most.
    attempt: int
    attempts: int

    @property
    def message(self) -> str:
        """One line: ``host: reason; retrying in 0.5 s (attempt 2 of 6)``."""
        return (
            f"{self.where}: {self.reason}; retrying in {self.delay:.1f} s "
            f"(attempt {self.attempt} of {self.attempts})"
        )


# -- archives (export, import) -----------------------------------------------------------


@dataclass(frozen=True)
class ArchiveStarted(Event):
    """Work begins. ``total_bytes`` is known for export (blob bytes) and for import
    (archive bytes on disk); ``total_blobs`` is 0 when not known up front."""

    operation: str
    total_blobs: int
    total_bytes: int


@dataclass(frozen=True)
class PartDone(Event):
    """One part of a split archive was finished (export) or verified (import)."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ArchiveFinished(Event):
    """Everything is written, verified and (for import) merged into ``index.json``."""

    operation: str
    blobs: int
    bytes: int


# -- the file diff -----------------------------------------------------------------------


@dataclass(frozen=True)
class LayerStarted(Event):
    """A layer is about to be streamed. ``side`` is ``a``, ``b`` or ``both`` (shared base)."""

    side: str
    index: int
    count: int
    digest: Digest
    size: int
    media_type: str


@dataclass(frozen=True)
class LayerProgress(Event):
    """Compressed bytes read so far from the layer (``size`` is the descriptor's)."""

    side: str
    index: int
    digest: Digest
    done: int
    size: int
    members: int


@dataclass(frozen=True)
class LayerDone(Event):
    """A layer has been read to its end and verified."""

    side: str
    index: int
    digest: Digest
    members: int
    uncompressed_size: int
    diff_id: Digest


__all__ = [
    "ArchiveFinished",
    "ArchiveStarted",
    "BlobDone",
    "BlobProgress",
    "BlobStarted",
    "Event",
    "EventSink",
    "Failed",
    "Finished",
    "LayerDone",
    "LayerProgress",
    "LayerStarted",
    "ManifestDone",
    "PartDone",
    "PlanReady",
    "Retrying",
    "Skipped",
    "TagDone",
    "ignore",
]

"""Typed progress events of a sync, and the ways to receive them.

The engine never draws anything: it hands these frozen dataclasses to an
:data:`EventSink` the caller passes (the CLI renders bars or JSON lines, the TUI posts
messages from a worker), or they are read as an async iterator with :func:`event_stream`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ocitui.core.sync.plan import Plan
    from ocitui.core.sync.report import SyncReport


@dataclass(frozen=True)
class SyncEvent:
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


@dataclass(frozen=True)
class PlanReady(SyncEvent):
    """The plan is known; execution starts next (or not, on a dry run)."""

    plan: Plan


@dataclass(frozen=True)
class BlobStarted(SyncEvent):
    """A blob transfer began (``offset`` > 0 when resuming a partial download)."""

    digest: str
    size: int
    offset: int
    media_type: str


@dataclass(frozen=True)
class BlobProgress(SyncEvent):
    """Bytes of a blob transferred so far (including resumed bytes)."""

    digest: str
    done: int
    size: int


@dataclass(frozen=True)
class BlobDone(SyncEvent):
    """A blob is verified and in place; ``how`` is downloaded/uploaded/mounted/exists."""

    digest: str
    size: int
    how: str


@dataclass(frozen=True)
class Skipped(SyncEvent):
    """Something already at the destination; nothing was transferred for it."""

    digest: str
    kind: str
    size: int


@dataclass(frozen=True)
class ManifestDone(SyncEvent):
    """A manifest or index was written at the destination."""

    digest: str
    media_type: str
    role: str


@dataclass(frozen=True)
class TagDone(SyncEvent):
    """A name now points at its content at the destination."""

    name: str
    digest: str


@dataclass(frozen=True)
class Failed(SyncEvent):
    """One item failed; the sync goes on with what does not depend on it."""

    digest: str
    message: str


@dataclass(frozen=True)
class Finished(SyncEvent):
    """Everything is done; ``report`` says what was copied, skipped, left behind, missing."""

    report: SyncReport


EventSink = Callable[[SyncEvent], None]


def ignore(_event: SyncEvent) -> None:
    """An :data:`EventSink` that drops everything."""


async def event_stream(
    start: Callable[[EventSink], Awaitable[object]],
) -> AsyncIterator[SyncEvent]:
    """Run ``start(sink)`` and yield its events as they come.

    Closing the iterator early cancels the work (partial blobs stay for resume); an
    exception of the work is raised from the iterator after the events before it.
    """
    queue: asyncio.Queue[SyncEvent | None] = asyncio.Queue()
    task = asyncio.ensure_future(start(queue.put_nowait))
    task.add_done_callback(lambda _t: queue.put_nowait(None))
    try:
        while (event := await queue.get()) is not None:
            yield event
        task.result()
    finally:
        if not task.done():
            task.cancel()
            with _suppress_cancel():
                await task


class _suppress_cancel:  # noqa: N801 - used like contextlib.suppress
    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: object, tb: object) -> bool:
        return exc_type is asyncio.CancelledError


__all__ = [
    "BlobDone",
    "BlobProgress",
    "BlobStarted",
    "EventSink",
    "Failed",
    "Finished",
    "ManifestDone",
    "PlanReady",
    "Skipped",
    "SyncEvent",
    "TagDone",
    "event_stream",
    "ignore",
]

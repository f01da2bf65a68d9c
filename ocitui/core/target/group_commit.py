"""Small blobs into a layout in groups: one worker-thread hop and one fsync pass per group.

A pull of 10,000 referrers stores 20,000 tiny blobs (a manifest and a payload each).
One at a time, each cost a hop to a worker thread and a flush of its own to the disk;
:class:`GroupCommit` gathers the blobs that arrive while the previous group is being
written (group commit) and stores them with
:func:`~ocitui.core.layout.ingest.store_together`.

What a caller of :meth:`GroupCommit.put` is promised does not change: when it returns,
the blob is verified, its bytes are durable (fsynced) and it is in place under
``blobs/`` where every reader sees it whole; only the directory fsync waits for the
target's ``commit``, before ``index.json`` names anything. An error is the blob's own
(another blob of the group still lands).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from ocitui.core.digest import Digest
from ocitui.core.errors import OcituiError

#: Stores one group: ``[(digest, bytes)]`` -> per blob None (in place) or its error.
StoreGroup = Callable[[Sequence[tuple[Digest, bytes]]], list[OcituiError | None]]

#: Blobs per group at most (each holds an open file and its lock while the group is written).
GROUP_ITEMS = 64
#: Bytes per group at most (a group is held in memory).
GROUP_BYTES = 8 * 1024 * 1024


class GroupCommit:
    """Stores small blobs through ``store`` (run in a worker thread), a group at a time."""

    def __init__(
        self, store: StoreGroup, *, items: int = GROUP_ITEMS, max_bytes: int = GROUP_BYTES
    ) -> None:
        self._store = store
        self._items = max(1, items)
        self._max_bytes = max_bytes
        self._queue: list[tuple[Digest, bytes]] = []
        #: Digest -> the future its callers wait on (queued or being written).
        self._waiting: dict[Digest, asyncio.Future[None]] = {}
        self._drainer: asyncio.Task[None] | None = None
        #: Groups written so far and the largest (for tests and measurements).
        self.groups = 0
        self.largest = 0

    async def put(self, digest: Digest, data: bytes) -> None:
        """Store ``data`` (whose digest is ``digest``, checked again before the rename);
        returns once it is in place, or raises the blob's own error.

        A digest already queued or being written is waited for, not written twice.
        Cancelling a caller does not take the blob out of its group.
        """
        future = self._waiting.get(digest)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._waiting[digest] = future
            self._queue.append((digest, data))
            if self._drainer is None or self._drainer.done():
                self._drainer = asyncio.create_task(self._drain())
        await asyncio.shield(future)

    def _next_group(self) -> list[tuple[Digest, bytes]]:
        size = 0
        taken = 0
        for _, data in self._queue:
            if taken and (taken >= self._items or size + len(data) > self._max_bytes):
                break
            taken += 1
            size += len(data)
        group, self._queue = self._queue[:taken], self._queue[taken:]
        return group

    async def _drain(self) -> None:
        """Write groups until the queue is empty (blobs put meanwhile form the next one)."""
        while self._queue:
            group = self._next_group()
            self.groups += 1
            self.largest = max(self.largest, len(group))
            try:
                errors = await asyncio.to_thread(self._store, group)
            except asyncio.CancelledError:
                # The loop is shutting down: nobody will write what is still queued.
                for digest, _ in [*group, *self._queue]:
                    self._settle(digest, cancelled=True)
                self._queue.clear()
                raise
            except Exception as exc:  # A bug in store: every blob of the group hears it.
                for digest, _ in group:
                    self._settle(digest, exc)
                continue
            for (digest, _), error in zip(group, errors, strict=True):
                self._settle(digest, error)

    def _settle(
        self, digest: Digest, error: Exception | None = None, *, cancelled: bool = False
    ) -> None:
        future = self._waiting.pop(digest, None)
        if future is None or future.done():
            return
        if cancelled:
            future.cancel()
        elif error is not None:
            future.set_exception(error)
        else:
            future.set_result(None)


__all__ = ["GROUP_BYTES", "GROUP_ITEMS", "GroupCommit", "StoreGroup"]

"""Concurrency slots a transfer can hand back before it ends.

The sync executor lets at most ``--concurrency`` transfers move bytes at once, each in a
:class:`Slot`. The last phase of an upload moves none: once the body is sent, the
registry stores the blob, fsyncs it and links it before it answers, which for a big blob
takes as long as sending several megabytes. An upload calls :func:`hand_back_slot` when
its body is sent, so the next transfer starts sending while this one waits for its
answer; the executor still waits for every answer before it writes manifests.

The slot is found through a context variable the executor sets for the task running the
transfer, so the layers in between (targets, the registry client) pass nothing along.
Outside a slot :func:`hand_back_slot` does nothing. A slot is handed back at most once:
an upload that has to send its body again (a retried request, the chunked fallback)
does so outside the limit.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar, Token

_current: ContextVar[Slot | None] = ContextVar("ocitui_transfer_slot", default=None)


class Slot:
    """One place under ``limit``, held from ``async with`` until the block ends or
    :func:`hand_back_slot` is called from inside it, whichever comes first."""

    def __init__(self, limit: asyncio.Semaphore) -> None:
        self._limit = limit
        self._held = False
        self._token: Token[Slot | None] | None = None

    @property
    def held(self) -> bool:
        """True while this slot counts against the limit."""
        return self._held

    async def __aenter__(self) -> Slot:
        await self._limit.acquire()
        self._held = True
        self._token = _current.set(self)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._token is not None:
            _current.reset(self._token)
            self._token = None
        self.release()

    def release(self) -> None:
        """Stop counting against the limit (once; later calls do nothing)."""
        if self._held:
            self._held = False
            self._limit.release()


def hand_back_slot() -> None:
    """Release the running transfer's slot early (its bytes have moved)."""
    slot = _current.get()
    if slot is not None:
        slot.release()

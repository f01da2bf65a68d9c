"""Concurrent awaits that never outlive their caller.

``asyncio.gather`` raises the first failure but leaves the other awaitables running: in
a sync walk they go on sending requests on a client the failing caller is about to
close, and asyncio prints their late ``RuntimeError`` tracebacks when the run shuts
down. :func:`gather_or_cancel` cancels them and waits for them to end first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def gather_or_cancel(*aws: Awaitable[T]) -> list[T]:
    """``asyncio.gather(*aws)``; on the first failure the rest are cancelled and awaited
    (their own outcomes dropped) before that failure is raised."""
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise

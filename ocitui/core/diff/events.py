"""Progress events of the file diff, and how it is cancelled.

The file diff streams every layer of both images; it reports what it is doing with these
typed events, passed to a callback the caller owns (the CLI draws a line or a bar, the
TUI posts them from a thread worker). Nothing here knows about screens.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from ocitui.core.digest import Digest
from ocitui.core.errors import DiffError


class DiffCancelled(DiffError):
    """The caller set the cancel event while the file diff was running."""


@dataclass(frozen=True)
class LayerStarted:
    """A layer is about to be streamed. ``side`` is ``a``, ``b`` or ``both`` (shared base)."""

    side: str
    index: int
    count: int
    digest: Digest
    size: int
    media_type: str


@dataclass(frozen=True)
class LayerProgress:
    """Compressed bytes read so far from the layer (``size`` is the descriptor's)."""

    side: str
    index: int
    digest: Digest
    done: int
    size: int
    members: int


@dataclass(frozen=True)
class LayerDone:
    """A layer has been read to its end and verified."""

    side: str
    index: int
    digest: Digest
    members: int
    uncompressed_size: int
    diff_id: Digest


DiffEvent = LayerStarted | LayerProgress | LayerDone
ProgressCallback = Callable[[DiffEvent], None]


def check_cancel(cancel: threading.Event | None) -> None:
    """Raise :class:`DiffCancelled` when ``cancel`` is set."""
    if cancel is not None and cancel.is_set():
        raise DiffCancelled("diff cancelled")

"""How the file diff is cancelled (its progress events are :mod:`ocitui.core.events`).

The file diff streams every layer of both images in a thread; the caller stops it by
setting a :class:`threading.Event`, and the diff raises :class:`DiffCancelled` at the
next chunk.
"""

from __future__ import annotations

import threading

from ocitui.core.errors import DiffError


class DiffCancelled(DiffError):
    """The caller set the cancel event while the file diff was running."""


def check_cancel(cancel: threading.Event | None) -> None:
    """Raise :class:`DiffCancelled` when ``cancel`` is set."""
    if cancel is not None and cancel.is_set():
        raise DiffCancelled("diff cancelled")

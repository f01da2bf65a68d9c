"""Building many small objects at once (``index.json`` entries, listing rows).

CPython's cyclic garbage collector runs after every few hundred allocations and, now and
then, walks every tracked object. Parsing a 100,000-entry ``index.json`` and building its
rows allocates millions of objects that form no cycles (they are freed by reference
counting), so those walks are pure overhead: about a quarter of ``ls --json`` on such a
layout. :func:`no_gc` pauses the collector for such a block.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic collector for the block (unless someone else already did).

    Nested and concurrent uses are safe: only the outermost block that found the
    collector enabled turns it back on, and cycles made meanwhile are collected later.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()

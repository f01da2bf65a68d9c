"""A JSON loader with a bounded nesting depth, for every JSON that comes from outside.

``json.loads`` recurses once per nesting level, so ``[`` repeated 100,000 times ends in
a ``RecursionError``. :func:`loads` first measures the nesting depth without recursion
(strings removed, then innermost ``[]``/``{}`` pairs peeled off one level per pass, at most
the limit's number of passes) and refuses deeper input with a
:class:`json.JSONDecodeError`, so every caller's existing "malformed JSON" handling gives
the one-line error.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ocitui.core.limits import JSON_DEPTH

_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_PAIR = re.compile(rb"\[\]|\{\}")


class JsonTooDeep(json.JSONDecodeError):
    """JSON nested deeper than the configured limit (a ``JSONDecodeError``)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"nested deeper than {limit} levels", "", 0)


def check_depth(raw: bytes | str, limit: int | None = None) -> None:
    """Raise :class:`JsonTooDeep` when ``raw`` nests more than ``limit`` levels."""
    limit = JSON_DEPTH.int_value() if limit is None else limit
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    if data.count(b"[") + data.count(b"{") <= limit:
        return
    shape = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    for _ in range(limit):
        shape, peeled = _PAIR.subn(b"", shape)
        if not shape:
            return
        if not peeled:
            # Unbalanced: a few leftovers are plain malformed JSON (the decoder names the
            # error, recursing no deeper than this), many are a bomb.
            if len(shape) > limit:
                raise JsonTooDeep(limit)
            return
    raise JsonTooDeep(limit)  # Pairs still nest after ``limit`` levels were peeled.


def loads(raw: bytes | bytearray | str, *, limit: int | None = None) -> Any:
    """``json.loads`` after :func:`check_depth`."""
    check_depth(raw if not isinstance(raw, bytearray) else bytes(raw), limit)
    return json.loads(raw)

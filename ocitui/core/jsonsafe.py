"""A JSON loader with a bounded nesting depth, for every JSON that comes from outside.

``json.loads`` recurses once per nesting level, so ``[`` repeated 100,000 times ends in
a ``RecursionError``. :func:`loads` first measures the nesting depth without recursion
(strings removed, then innermost ``[]``/``{}`` pairs peeled off one level per pass, at most
the limit's number of passes) and refuses deeper input with a
:class:`json.JSONDecodeError`, so every caller's existing "malformed JSON" handling gives
the one-line error.

Three more shapes of outside JSON end the same way rather than in an exception no caller
expects: bytes that are not UTF-8 are a :class:`NotUtf8` (a ``JSONDecodeError``); a
string holding a lone UTF-16 surrogate escape (``"\\ud800"``: valid JSON grammar, no
Unicode character, cannot be written as UTF-8 to a terminal, a file or an archive) has it
replaced by U+FFFD, as Go's ``encoding/json`` (every peer tool) decodes it; and an
integer of over 4,300 digits (CPython refuses to convert it with a plain ``ValueError``)
is a :class:`NumberTooLong`.
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


class NotUtf8(json.JSONDecodeError):
    """JSON bytes that are not UTF-8 (a ``JSONDecodeError``, so callers' handling applies)."""

    def __init__(self, exc: UnicodeDecodeError) -> None:
        super().__init__(f"not UTF-8 (byte {exc.start})", "", exc.start)


class NumberTooLong(json.JSONDecodeError):
    """A number with more digits than Python converts (a ``JSONDecodeError``).

    ``json.loads`` raises a plain ``ValueError`` for an integer of over 4,300 digits,
    which callers that handle malformed JSON did not expect (a traceback on ``ls``).
    """

    def __init__(self, detail: str) -> None:
        super().__init__("a number has too many digits", "", 0)
        self.detail = detail


#: A ``\\uD800``-``\\uDFFF`` escape: where a lone surrogate may come from.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (and keys) replaced by U+FFFD."""

    def fix(text: str) -> str:
        return _LONE_SURROGATE.sub("\ufffd", text)

    root = [value]
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            items = list(node.items())
            node.clear()
            for key, child in items:
                node[fix(key)] = fix(child) if isinstance(child, str) else child
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            for i, child in enumerate(node):
                if isinstance(child, str):
                    node[i] = fix(child)
                elif isinstance(child, (dict, list)):
                    stack.append(child)
    return root[0]


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
    """``json.loads`` after :func:`check_depth`; see the module text for UTF-8 rules."""
    data = raw if not isinstance(raw, bytearray) else bytes(raw)
    check_depth(data, limit)
    try:
        value = json.loads(data)
    except UnicodeDecodeError as exc:
        raise NotUtf8(exc) from None
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # An integer of over 4,300 digits (CPython's conversion limit).
        raise NumberTooLong(str(exc)) from None
    encoded = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if _SURROGATE_ESCAPE.search(encoded) or (
        isinstance(data, str) and _LONE_SURROGATE.search(data)
    ):
        value = _without_lone_surrogates(value)
    return value

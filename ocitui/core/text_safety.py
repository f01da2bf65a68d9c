"""Make strings from layouts, archives and registries safe to show on a terminal.

A ref name or an annotation can carry ``ESC[2J`` (clear screen), a carriage return that
overwrites the line, C1 controls or bidi overrides that reorder what is read. Text output
shows each such character as a visible escape (``\\x1b``); JSON output keeps the exact
value, written as a ``\\uXXXX`` escape that decodes to the same string.
"""

from __future__ import annotations

import math
import re

#: C0 controls except tab and newline, DEL, C1 controls, and the bidi/invisible format
#: characters that change how a line reads.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
_UNSAFE_IN_LINE = re.compile(_UNSAFE.pattern[:-1] + "\n\t]")


#: The ASCII characters neither pattern matches (what most output is made of), as bytes.
_SAFE_ASCII = bytes(c for c in range(128) if not _UNSAFE.match(chr(c)))
_SAFE_ASCII_IN_LINE = bytes(c for c in range(128) if not _UNSAFE_IN_LINE.match(chr(c)))


def _plain(text: str, safe: bytes) -> bool:
    """True when ``text`` is ASCII made only of ``safe`` characters: nothing to replace.

    A string knows whether it is ASCII without a scan, and deleting the safe bytes is a
    table lookup per byte: about a quarter of the pattern's scan over the 16 MB of a
    100,000-entry ``ls --json`` (which then needs no replacing).
    """
    return text.isascii() and not text.encode("ascii").translate(None, safe)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every terminal control shown as a visible escape (newlines kept)."""
    return text if _plain(text, _SAFE_ASCII) else _UNSAFE.sub(_visible, text)


def one_line_safe(text: str) -> str:
    """Like :func:`terminal_safe`, but newlines and tabs are escaped too (a table cell)."""
    return text if _plain(text, _SAFE_ASCII_IN_LINE) else _UNSAFE_IN_LINE.sub(_visible, text)


def json_text_safe(text: str) -> str:
    """Serialised JSON with raw control characters as ``\\uXXXX`` (same decoded value).

    Only valid on JSON text: the characters matched only ever occur inside strings there.
    """
    return text if _plain(text, _SAFE_ASCII) else _UNSAFE.sub(_json_escape, text)


#: Characters of an untrusted value quoted in a message (:func:`shown`).
SHOWN_CHARS = 80
#: Characters of a whole error line (:func:`error_text`); the middle goes past that.
ERROR_CHARS = 1000


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """An untrusted JSON value as a message may quote it: short, one line, no Python repr.

    A string is quoted, its controls escaped and cut after ``limit`` characters (saying
    how long it was); a number is written as JSON would (a huge one by its digit count);
    an object or a list is named by its kind and size, never printed.
    """
    if isinstance(value, str):
        if len(value) > limit:
            return f"'{one_line_safe(value[:limit])}...' ({len(value)} characters)"
        return f"'{one_line_safe(value)}'"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        return str(value) if abs(value) < 10**40 else "a number of over 40 digits"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "a non-finite number"
    if isinstance(value, dict):
        return f"an object of {len(value)} key{'s' if len(value) != 1 else ''}"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    return f"a {type(value).__name__}"


def error_text(message: str, limit: int = ERROR_CHARS) -> str:
    """``message`` as one safe terminal line of at most about ``limit`` characters."""
    if len(message) > limit:
        half = limit // 2
        message = f"{message[:half]} ... {message[-half:]}"
    return one_line_safe(message)

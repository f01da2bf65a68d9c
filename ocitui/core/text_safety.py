"""Make strings from layouts, archives and registries safe to show on a terminal.

A ref name or an annotation can carry ``ESC[2J`` (clear screen), a carriage return that
overwrites the line, C1 controls or bidi overrides that reorder what is read. Text output
shows each such character as a visible escape (``\\x1b``); JSON output keeps the exact
value, written as a ``\\uXXXX`` escape that decodes to the same string.
"""

from __future__ import annotations

import re

#: C0 controls except tab and newline, DEL, C1 controls, and the bidi/invisible format
#: characters that change how a line reads.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
_UNSAFE_IN_LINE = re.compile(_UNSAFE.pattern[:-1] + "\n\t]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every terminal control shown as a visible escape (newlines kept)."""
    return _UNSAFE.sub(_visible, text)


def one_line_safe(text: str) -> str:
    """Like :func:`terminal_safe`, but newlines and tabs are escaped too (a table cell)."""
    return _UNSAFE_IN_LINE.sub(_visible, text)


def json_text_safe(text: str) -> str:
    """Serialised JSON with raw control characters as ``\\uXXXX`` (same decoded value).

    Only valid on JSON text: the characters matched only ever occur inside strings there.
    """
    return _UNSAFE.sub(_json_escape, text)

"""Text formatting shared by both faces (the CLI's tables and the TUI's widgets).

One home for how a number of bytes reads, so ``ls``, ``fsck``, the Sync pane and the
detail tabs never disagree by a rounding rule; for how a command line (a config's
entrypoint or cmd) reads; and for how an entry without a name is called.
"""

from __future__ import annotations

import shlex
from typing import Any

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")

#: The name both faces give an entry without a tag (``ls -a``, ``inspect``, ``rm``, the
#: TUI's detail and its tree's group of such entries); ``-`` marks an empty field.
UNTAGGED = "(untagged)"


def human_size(size: int | None) -> str:
    """``1536`` -> ``1.5 KiB``; ``None`` (unknown) -> ``-``."""
    if size is None:
        return "-"
    value = float(size)
    for unit in _UNITS:
        if value < 1024 or unit == _UNITS[-1]:
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # Unreachable: the last unit always answers.


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 referrer``, ``3 referrers``, ``0 entries`` (``plural_form`` for irregular words)."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count} {word}"


def unnamed_label(*, subject: str | None = None, cosign_kind: str | None = None) -> str:
    """How an entry without a name reads: ``(referrer of 0123456789ab)`` for a referrer
    (``subject``: the short digest it refers to), ``(cosign save sigs)`` for what ``cosign
    save`` wrote (``cosign_kind``), else :data:`UNTAGGED`."""
    if subject:
        return f"(referrer of {subject})"
    if cosign_kind:
        return f"(cosign save {cosign_kind})"
    return UNTAGGED


def argv_text(value: Any) -> str:
    """A config's command line as a shell would read it: ``["sh", "-c", "a b"]`` ->
    ``sh -c 'a b'`` (words with spaces, and empty words, quoted); a string as it is."""
    if isinstance(value, (list, tuple)):
        return " ".join(_word(str(word)) for word in value)
    return str(value or "")


def _word(text: str) -> str:
    return shlex.quote(text) if text == "" or any(c.isspace() for c in text) else text


__all__ = ["argv_text", "human_size", "plural"]

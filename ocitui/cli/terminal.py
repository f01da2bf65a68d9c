"""Every byte the CLI writes passes the core's terminal sanitiser.

:func:`sanitised_output` swaps ``sys.stdout`` and ``sys.stderr`` for thin wrappers while a
command runs: text output shows control characters from layout, archive or registry
strings as visible escapes, ``--json`` output writes them as ``\\uXXXX`` escapes (the
decoded values stay exact). Rich progress bars draw on the real stderr
(:func:`raw_stderr`); their plan text is sanitised where it is printed.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import TextIO

from ocitui.core.text_safety import json_text_safe, terminal_safe


class _SafeStream:
    """A text stream that sanitises every ``write`` before passing it on."""

    def __init__(self, inner: TextIO, clean: Callable[[str], str]) -> None:
        self.raw = inner
        self._clean = clean

    def write(self, text: str) -> int:
        self.raw.write(self._clean(text))
        return len(text)

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> object:
        return getattr(self.raw, name)


def raw_stderr() -> TextIO:
    """The real stderr, for a live display that draws with escape sequences itself.

    Whoever writes here sanitises the strings it embeds (:mod:`ocitui.core.text_safety`).
    """
    stream = sys.stderr
    return stream.raw if isinstance(stream, _SafeStream) else stream


def raw_stdout() -> TextIO:
    """The real stdout, for output coloured by the CLI itself (text sanitised first)."""
    stream = sys.stdout
    return stream.raw if isinstance(stream, _SafeStream) else stream


@contextlib.contextmanager
def sanitised_output(json_mode: bool) -> Iterator[None]:
    """Sanitise stdout (JSON-preserving in ``json_mode``) and stderr for the block."""
    saved = sys.stdout, sys.stderr
    out_clean = json_text_safe if json_mode else terminal_safe
    sys.stdout = _SafeStream(saved[0], out_clean)
    sys.stderr = _SafeStream(saved[1], terminal_safe)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved

"""Archive references (``PATH:REF``, ``oci-archive:PATH[:REF]``), parsed without importing
the archive reader.

Every command that takes a REF asks :func:`split_archive_ref` first; most REFs name layout
content, and importing :mod:`ocitui.core.target.archive` (which pulls in the registry
client) for them would cost more than the command itself on a big layout.

``PATH:REF`` means an archive when PATH ends in ``.tar``, ``.tar.zst``, ``.tar.zstd``,
``.tzst`` or ``.parts.json`` and exists; ``oci-archive:PATH[:REF]`` does for any file name.
"""

from __future__ import annotations

import re
from pathlib import Path

_SUFFIXES = r"\.tar|\.tar\.zst|\.tar\.zstd|\.tzst|\.parts\.json"
_IMPLICIT = re.compile(rf"(?P<path>.+?(?:{_SUFFIXES}))(?::(?P<ref>.*))?", re.DOTALL)
PREFIX = "oci-archive:"


def split_archive_ref(text: str) -> tuple[Path, str] | None:
    """``(archive path, ref or "")`` when ``text`` names content in an archive, else None."""
    if text.startswith(PREFIX):
        path, _, ref = text[len(PREFIX) :].partition(":")
        return Path(path), ref
    match = _IMPLICIT.fullmatch(text)
    if match is None or not Path(match.group("path")).is_file():
        return None
    return Path(match.group("path")), match.group("ref") or ""

"""Sizes for ``--split``: ``4G``, ``700M``, ``1.5G``, ``4000MB``, ``123456``.

Units follow GNU ``split``: ``K``/``M``/``G``/``T`` (also ``KiB`` ...) are powers of 1024,
``KB``/``MB``/``GB``/``TB`` powers of 1000. FAT32 refuses files of 4 GiB and more, so a
FAT32 stick wants ``--split 4000M``, not ``4G``.
"""

from __future__ import annotations

import re

from ocitui.core.errors import ArchiveError
from ocitui.core.models import MAX_MANIFEST_SIZE

_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(i?B?)\s*", re.IGNORECASE | re.ASCII)
_POWERS = {"": 0, "K": 1, "M": 2, "G": 3, "T": 4}
#: Parts smaller than this make no sense (and keep a typo like ``--split 4`` from
#: producing millions of files).
MIN_PART_SIZE = 64 * 1024


def parse_size(text: str) -> int:
    """Parse a human size into bytes; :class:`ArchiveError` for anything else."""
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ArchiveError(f"invalid size {text!r}: expected e.g. 4G, 700M, 4000MB")
    number, unit, suffix = match.groups()
    unit = unit.upper()
    decimal = suffix.upper() == "B" and unit != ""
    base = 1000 if decimal else 1024
    value = int(float(number) * base ** _POWERS[unit])
    if value < MIN_PART_SIZE:
        raise ArchiveError(f"split size {text!r} is below the {MIN_PART_SIZE // 1024} KiB minimum")
    return value


#: How often (in bytes) export and import send a ``BlobProgress`` while streaming a blob.
PROGRESS_STEP = 8 * 1024 * 1024
#: The largest ``index.json`` an archive may carry (``import`` and reading in place).
MAX_INDEX_SIZE = MAX_MANIFEST_SIZE * 16

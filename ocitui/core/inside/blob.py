"""Any blob as something readable: pretty JSON, text, or a hex dump of its head."""

from __future__ import annotations

import json
import string
from dataclasses import dataclass

#: Bytes of a blob shown at most (the rest is counted, not read into the screen).
MAX_SHOWN = 64 * 1024
_PRINTABLE = frozenset(string.printable.encode())


@dataclass(frozen=True)
class BlobView:
    """``kind`` is ``json``, ``text`` or ``hex``; ``truncated`` when the blob is longer."""

    kind: str
    text: str
    size: int
    truncated: bool


def hexdump(data: bytes, offset: int = 0) -> str:
    """``00000000  7b 22 61 …  |{"a…|`` lines of 16 bytes."""
    lines = []
    for start in range(0, len(data), 16):
        chunk = data[start : start + 16]
        hexes = " ".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{offset + start:08x}  {hexes:<47}  |{text}|")
    return "\n".join(lines)


def blob_view(head: bytes, size: int) -> BlobView:
    """How to show a blob whose first bytes are ``head`` (at most :data:`MAX_SHOWN`)."""
    truncated = size > len(head)
    if not truncated:
        try:
            doc = json.loads(head)
        except (ValueError, UnicodeDecodeError, RecursionError):  # Shown as text instead.
            pass
        else:
            return BlobView("json", json.dumps(doc, indent=2, ensure_ascii=False), size, False)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    sample = head[:4096]
    if text and all(b in _PRINTABLE or b >= 0x80 for b in sample):
        return BlobView("text", text, size, truncated)
    return BlobView("hex", hexdump(head[:4096]), size, truncated or len(head) > 4096)


__all__ = ["MAX_SHOWN", "BlobView", "blob_view", "hexdump"]

"""``index.json`` and ``oci-layout``: validated reads, locked atomic updates.

Every update takes an exclusive ``flock`` on a lock file beside ``index.json``, re-reads
the current index, applies a pure function to its entries and writes the result through
a temp file + ``rename``, so concurrent processes never lose each other's entries.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ocitui.core import jsonsafe
from ocitui.core import media_types as mt
from ocitui.core.bulk import no_gc
from ocitui.core.errors import LayoutError, LockTimeout, ManifestError, StorageError
from ocitui.core.layout.guard import open_lock_file
from ocitui.core.limits import JSON_DEPTH
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor

LAYOUT_VERSION = "1.0.0"
LOCK_NAME = ".ocitui.lock"
LOCK_TIMEOUT = 60.0


def read_layout_header(root: Path) -> None:
    """Check ``oci-layout`` exists and is a JSON object with a known version."""
    path = root / "oci-layout"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise LayoutError(f"{root}: not an OCI layout (no oci-layout file)") from None
    except OSError as exc:
        raise LayoutError(f"{root}: cannot read oci-layout: {exc.strerror}") from None
    try:
        header = jsonsafe.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise LayoutError(f"{path}: malformed JSON") from None
    if not isinstance(header, dict) or not isinstance(header.get("imageLayoutVersion"), str):
        raise LayoutError(f"{path}: missing imageLayoutVersion")
    if not header["imageLayoutVersion"].startswith("1."):
        raise LayoutError(
            f"{path}: unsupported imageLayoutVersion {header['imageLayoutVersion']!r}"
        )


def parse_index(raw: bytes, where: Path) -> tuple[dict[str, Any], list[Descriptor]]:
    """Parse ``index.json`` bytes: the document (minus entries) and validated entries."""
    if len(raw) > MAX_MANIFEST_SIZE * 16:
        raise LayoutError(f"{where}: {len(raw)} bytes is too large for an index")
    if len(raw) <= _FAST_ABOVE:
        return _parse_checked(raw, where)
    with no_gc():
        fast = _parse_fast(raw)
        return fast if fast is not None else _parse_checked(raw, where)


#: Index files larger than this are decoded by msgspec first (see :func:`_parse_fast`).
_FAST_ABOVE = 64 * 1024
#: Nesting of an entry's own fields: the document, ``manifests``, the entry.
_ENTRY_LEVEL = 3


def _parse_fast(raw: bytes) -> tuple[dict[str, Any], list[Descriptor]] | None:
    """The result of :func:`_parse_checked` for a valid index, or ``None`` to ask it.

    msgspec decodes in C and raises ``RecursionError`` instead of overflowing the
    stack, so the byte-level depth check of :mod:`ocitui.core.jsonsafe` (most of the
    cost of a big index) is replaced by a check of the only values whose nesting the
    validation leaves open: unknown fields, an entry's ``platform``, top-level extras.
    Anything unusual (malformed JSON, ``NaN``, a BOM, UTF-16, a lone surrogate, too
    deep, an invalid entry) returns ``None``, so errors and edge cases are exactly those
    of the standard path, which reads the input again.
    """
    import msgspec

    limit = JSON_DEPTH.int_value()
    if limit < _ENTRY_LEVEL + 1:
        return None
    try:
        doc = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("schemaVersion") != 2:
        return None
    entries = doc.get("manifests")
    if not isinstance(entries, list):
        return None
    if any(key != "manifests" and _deeper(value, limit - 1) for key, value in doc.items()):
        return None
    open_budget = limit - _ENTRY_LEVEL
    known = _ENTRY_FIELDS
    for entry in entries:
        if isinstance(entry, dict) and ("platform" in entry or not entry.keys() <= known):
            for key, value in entry.items():
                if key not in _CLOSED_FIELDS and _deeper(value, open_budget):
                    return None
    try:
        return doc, [Descriptor.from_json(e) for e in entries]
    except ManifestError:
        return None


#: The descriptor fields :meth:`Descriptor.from_json` reads.
_ENTRY_FIELDS = frozenset(
    ("mediaType", "digest", "size", "annotations", "artifactType", "platform", "urls", "data")
)
#: Fields whose shape validation fixes (strings, string maps and lists, an integer).
_CLOSED_FIELDS = _ENTRY_FIELDS - {"platform"}


def _deeper(value: object, levels: int) -> bool:
    """True when ``value`` nests more than ``levels`` arrays/objects (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > levels:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _parse_checked(raw: bytes, where: Path) -> tuple[dict[str, Any], list[Descriptor]]:
    """The standard path: the bounded loader, then every entry validated."""
    try:
        doc = jsonsafe.loads(raw)
    except json.JSONDecodeError as exc:
        raise LayoutError(f"{where}: malformed JSON ({exc.msg} at line {exc.lineno})") from None
    except UnicodeDecodeError:
        raise LayoutError(f"{where}: not UTF-8 text") from None
    if not isinstance(doc, dict):
        raise LayoutError(f"{where}: must be a JSON object")
    if doc.get("schemaVersion") != 2:
        raise LayoutError(f"{where}: schemaVersion must be 2")
    entries = doc.get("manifests")
    if not isinstance(entries, list):
        raise LayoutError(f"{where}: has no manifests list")
    try:
        parsed = [
            Descriptor.from_json(e, where=f"index.json manifests[{i}]")
            for i, e in enumerate(entries)
        ]
    except ManifestError as exc:
        raise LayoutError(f"{where}: {exc}") from None
    return doc, parsed


def render_index(doc: dict[str, Any], entries: list[Descriptor]) -> bytes:
    """Serialise ``index.json`` with ``entries`` (keeps other top-level fields)."""
    out: dict[str, Any] = {"schemaVersion": 2, "mediaType": mt.OCI_INDEX}
    for key, value in doc.items():
        if key not in ("schemaVersion", "mediaType", "manifests"):
            out[key] = value
    out["manifests"] = [e.to_json() for e in entries]
    return (json.dumps(out, indent=2, ensure_ascii=False) + "\n").encode()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a fsynced temp file and a rename."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise StorageError.of(exc, path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise StorageError.of(exc, path) from None  # The old file is untouched.
        raise


@contextlib.contextmanager
def exclusive_lock(root: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the layout's exclusive lock (waits up to ``timeout`` seconds)."""
    fd = open_lock_file(root / LOCK_NAME)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockTimeout(
                        f"{root}: another ocitui process holds the layout lock"
                    ) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)


def update_index(
    root: Path, fn: Callable[[list[Descriptor]], list[Descriptor]]
) -> list[Descriptor]:
    """Apply ``fn`` to the current entries under the lock and write the result."""
    path = root / "index.json"
    with exclusive_lock(root):
        doc, entries = parse_index(path.read_bytes(), path)
        new_entries = fn(list(entries))
        rendered = render_index(doc, new_entries)
        if rendered != render_index(doc, entries):
            write_atomic(path, rendered)
        return new_entries

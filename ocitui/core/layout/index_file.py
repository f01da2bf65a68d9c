"""``index.json`` and ``oci-layout``: validated reads, locked atomic updates.

Every update takes an exclusive ``flock`` on a lock file beside ``index.json``, re-reads
the current index, applies a pure function to its entries and writes the result through
a temp file + ``rename``, so concurrent processes never lose each other's entries.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import stat
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
from ocitui.core.models import MAX_MANIFEST_SIZE, REF_NAME, Descriptor
from ocitui.core.text_safety import shown

LAYOUT_VERSION = "1.0.0"
LOCK_NAME = ".ocitui.lock"
LOCK_TIMEOUT = 60.0


#: ``oci-layout`` is one short JSON object; anything longer is not one.
MAX_LAYOUT_HEADER = 64 * 1024


def _read_small_regular(path: Path, limit: int) -> bytes:
    """The bytes of regular file ``path`` (at most ``limit``), never blocking on a FIFO.

    A FIFO, a device (``/dev/zero``), a directory or a longer file raises ``OSError``
    with a reason; a symlink to a regular file is read like the file.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        with os.fdopen(os.dup(fd), "rb") as stream:
            data = stream.read(limit + 1)
        if info.st_size > limit or len(data) > limit:
            raise OSError(errno.EFBIG, f"larger than {limit} bytes")
        return data
    finally:
        os.close(fd)


def read_layout_header(root: Path) -> None:
    """Check ``oci-layout`` exists and is a JSON object with a known version."""
    path = root / "oci-layout"
    try:
        raw = _read_small_regular(path, MAX_LAYOUT_HEADER)
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
            f"{path}: unsupported imageLayoutVersion {shown(header['imageLayoutVersion'])}"
        )


def parse_index(raw: bytes, where: Path) -> tuple[dict[str, Any], list[Descriptor]]:
    """Parse ``index.json`` bytes: the document (minus entries) and validated entries."""
    index = RawIndex.read(raw, where)
    return index.doc, index.all()


#: Index files larger than this are decoded by msgspec first (see :meth:`RawIndex.read`).
_FAST_ABOVE = 64 * 1024
#: Nesting of an entry's own fields: the document, ``manifests``, the entry.
_ENTRY_LEVEL = 3


class RawIndex:
    """``index.json`` decoded, its entries validated all at once or only those used.

    :meth:`all` gives what :func:`parse_index` always gave: every entry validated, or
    the error of the first problem. :meth:`entry` validates one entry, for commands that
    look at a few (``inspect REF``, ``referrers REF``): the entry it returns is exactly
    the one :meth:`all` would hold, and when that entry (or the nesting of its values)
    is invalid it raises the error :meth:`all` raises. Entries that are not used are
    not judged: a malformed entry elsewhere is reported by whatever reads it, by
    ``ls`` and ``fsck``, and by every ``index.json`` rewrite (which validates it all).

    Big files are decoded by msgspec, which raises ``RecursionError`` instead of
    overflowing the stack: the byte-level depth check of :mod:`ocitui.core.jsonsafe`
    (most of the cost of a big index) is replaced by a check of the only values whose
    nesting validation leaves open (unknown fields, an entry's ``platform``, top-level
    extras). Whatever msgspec cannot vouch for (malformed JSON, ``NaN``, a BOM, UTF-16,
    a lone surrogate, too deep, an invalid entry) is decided by the checked path, which
    reads the input again: results and errors are the same either way.
    """

    def __init__(
        self, raw: bytes, where: Path, doc: dict[str, Any], validated: list[Descriptor] | None
    ) -> None:
        self._raw = raw
        self.where = where
        #: The decoded document; ``doc["manifests"]`` are the undecided entries.
        self.doc = doc
        self.items: list[Any] = doc["manifests"]
        self._all = validated
        self._budget = JSON_DEPTH.int_value() - _ENTRY_LEVEL
        #: What other modules derive from the undecided entries, kept per index state.
        self.memo: dict[str, Any] = {}

    @classmethod
    def read(cls, raw: bytes, where: Path) -> RawIndex:
        """Decode ``raw`` and check the document's shape (entries are judged later)."""
        if len(raw) > MAX_MANIFEST_SIZE * 16:
            raise LayoutError(f"{where}: {len(raw)} bytes is too large for an index")
        doc = None
        if len(raw) > _FAST_ABOVE:
            with no_gc():
                doc = _decode_fast(raw)
        return cls(raw, where, doc if doc is not None else _decode_checked(raw, where), None)

    def all(self) -> list[Descriptor]:
        """Every entry, validated (or the checked path's error)."""
        if self._all is None:
            with no_gc():
                fast = self._validate_all()
                self._all = fast if fast is not None else _parse_checked(self._raw, self.where)[1]
        return self._all

    def entry(self, i: int) -> Descriptor:
        """Entry ``i``, validated as :meth:`all` would."""
        if self._all is not None:
            return self._all[i]
        item = self.items[i]
        if not (isinstance(item, dict) and self._depth_ok(item)):
            return self.all()[i]  # Raises the checked path's error.
        try:
            return Descriptor.from_json(item)
        except ManifestError:
            return self.all()[i]

    def names(self) -> list[tuple[str, int]]:
        """``(ref.name, i)`` of the entries whose annotations carry a name, in order."""
        out: list[tuple[str, int]] = []
        for i, item in enumerate(self.items):
            annotations = item.get("annotations") if isinstance(item, dict) else None
            if isinstance(annotations, dict):
                name = annotations.get(REF_NAME)
                if isinstance(name, str) and name:
                    out.append((name, i))
        return out

    def find_digest(self, digest: str) -> int | None:
        """The first entry whose ``digest`` is ``digest`` (a valid digest's text)."""
        for i, item in enumerate(self.items):
            if isinstance(item, dict) and item.get("digest") == digest:
                return i
        return None

    def _depth_ok(self, item: dict[str, Any]) -> bool:
        if "platform" not in item and item.keys() <= _ENTRY_FIELDS:
            return True
        return not any(
            key not in _CLOSED_FIELDS and _deeper(value, self._budget)
            for key, value in item.items()
        )

    def _validate_all(self) -> list[Descriptor] | None:
        if self._budget < 1:
            return None
        depth_ok = self._depth_ok
        for item in self.items:
            if isinstance(item, dict) and not depth_ok(item):
                return None
        try:
            return Descriptor.from_json_many(self.items)
        except ManifestError:
            return None


def _decode_fast(raw: bytes) -> dict[str, Any] | None:
    """msgspec's decoding of an index of the right shape, or ``None`` (ask the checked path)."""
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
    if not isinstance(doc.get("manifests"), list):
        return None
    if any(key != "manifests" and _deeper(value, limit - 1) for key, value in doc.items()):
        return None
    return doc


def _parse_fast(raw: bytes) -> tuple[dict[str, Any], list[Descriptor]] | None:
    """The result of :func:`_parse_checked` for a valid index, or ``None`` to ask it."""
    doc = _decode_fast(raw)
    if doc is None:
        return None
    entries = RawIndex(raw, Path("index.json"), doc, None)._validate_all()
    return None if entries is None else (doc, entries)


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
    doc = _decode_checked(raw, where)
    try:
        parsed = [
            Descriptor.from_json(e, where=f"index.json manifests[{i}]")
            for i, e in enumerate(doc["manifests"])
        ]
    except ManifestError as exc:
        raise LayoutError(f"{where}: {exc}") from None
    return doc, parsed


def _decode_checked(raw: bytes, where: Path) -> dict[str, Any]:
    """The bounded loader and the document's shape (entries not judged)."""
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
    if not isinstance(doc.get("manifests"), list):
        raise LayoutError(f"{where}: has no manifests list")
    return doc


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
def exclusive_lock(
    root: Path, timeout: float = LOCK_TIMEOUT, *, read_only: bool = False
) -> Iterator[None]:
    """Hold the layout's exclusive lock (waits up to ``timeout`` seconds).

    ``read_only``: see :func:`~ocitui.core.layout.guard.open_lock_file`.
    """
    fd = open_lock_file(root / LOCK_NAME, read_only=read_only)
    if fd is None:
        yield
        return
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

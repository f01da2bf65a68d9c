"""Shared building blocks of diff results: JSON conversion, JSON-path changes, keyed changes.

Every result type of the diff engine is a frozen dataclass deriving from :class:`DiffData`,
whose :meth:`DiffData.to_json` turns it (recursively) into plain JSON values, so the CLI,
the TUI and scripts all read the same data.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from ocitui.core.digest import Digest

#: What happened to a path, a key or an entry between side A and side B.
ChangeKind = Literal["added", "removed", "changed"]


def jsonable(value: Any) -> Any:
    """Convert diff data (dataclasses, digests, tuples, mappings) into plain JSON values."""
    if isinstance(value, Digest):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


class DiffData:
    """Mixin for frozen result dataclasses: ``to_json()`` gives plain JSON values."""

    def to_json(self) -> dict[str, Any]:
        """This value as a JSON object (dict of plain JSON values)."""
        out = jsonable(self)
        assert isinstance(out, dict)
        return out


@dataclasses.dataclass(frozen=True)
class JsonChange(DiffData):
    """One difference between two JSON documents at ``path`` (e.g. ``.layers[1].digest``)."""

    path: str
    kind: ChangeKind
    old: Any = None
    new: Any = None


@dataclasses.dataclass(frozen=True)
class KeyedChange(DiffData):
    """A change of one key in a mapping (an env variable, a label, an annotation)."""

    key: str
    kind: ChangeKind
    old: str | None = None
    new: str | None = None


def _key_path(path: str, key: str) -> str:
    # Plain identifiers read best dotted; anything else (dots in annotation keys) is quoted.
    if key.isidentifier():
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


def json_changes(a: Any, b: Any, path: str = "") -> list[JsonChange]:
    """Structural diff of two JSON values: every added, removed and changed path.

    Objects are compared key by key (sorted, so the output is deterministic), arrays
    position by position (extra positions are added/removed), scalars by value and type
    (``1`` and ``1.0`` and ``true`` are different JSON).
    """
    return list(_walk(a, b, path))


def _walk(a: Any, b: Any, path: str) -> Iterator[JsonChange]:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            sub = _key_path(path, key)
            if key not in b:
                yield JsonChange(sub, "removed", old=a[key])
            elif key not in a:
                yield JsonChange(sub, "added", new=b[key])
            else:
                yield from _walk(a[key], b[key], sub)
        return
    if isinstance(a, list) and isinstance(b, list):
        for i in range(max(len(a), len(b))):
            sub = f"{path}[{i}]"
            if i >= len(b):
                yield JsonChange(sub, "removed", old=a[i])
            elif i >= len(a):
                yield JsonChange(sub, "added", new=b[i])
            else:
                yield from _walk(a[i], b[i], sub)
        return
    if type(a) is not type(b) or a != b:
        yield JsonChange(path or ".", "changed", old=a, new=b)


def keyed_changes(a: Mapping[str, str], b: Mapping[str, str]) -> list[KeyedChange]:
    """Per-key differences between two string mappings, sorted by key."""
    out: list[KeyedChange] = []
    for key in sorted(set(a) | set(b)):
        if key not in b:
            out.append(KeyedChange(key, "removed", old=a[key]))
        elif key not in a:
            out.append(KeyedChange(key, "added", new=b[key]))
        elif a[key] != b[key]:
            out.append(KeyedChange(key, "changed", old=a[key], new=b[key]))
    return out


@dataclasses.dataclass(frozen=True)
class AnnotationChange(DiffData):
    """An annotation that differs, on the document itself or on one of its descriptors.

    ``where`` names the holder: ``manifest``, ``index``, ``config``, ``layer sha256:…``,
    ``entry linux/amd64``.
    """

    where: str
    key: str
    kind: ChangeKind
    old: str | None = None
    new: str | None = None


def annotation_changes(
    where: str, a: Mapping[str, str], b: Mapping[str, str]
) -> list[AnnotationChange]:
    """The annotation differences of one holder, as :class:`AnnotationChange` values."""
    return [AnnotationChange(where, c.key, c.kind, c.old, c.new) for c in keyed_changes(a, b)]

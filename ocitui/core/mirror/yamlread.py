"""Read mirror YAML the way Go's yaml.v3 hands it to skopeo: scalars stay text.

PyYAML's default loaders follow YAML 1.1 and turn ``- 1.10`` into the float ``1.1`` and
``- 3.0`` into ``3.0``; skopeo decodes tags into Go strings and sees ``1.10``. So every
scalar is read as its text here (``yaml.BaseLoader``) and typed by the caller (booleans
with :func:`as_bool`). Duplicate keys are an error, as in yaml.v3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ocitui.core.errors import OcituiError

_TRUE = {"true", "yes", "on", "y"}
_FALSE = {"false", "no", "off", "n"}
_NULL = {"", "~", "null"}


class MirrorFileError(OcituiError):
    """A mirror file that cannot be read or does not have the expected shape."""


class _Loader(yaml.BaseLoader):
    """All scalars as strings; a mapping may not repeat a key."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _value in node.value:
            key = str(key_node.value)
            if key in seen:
                raise MirrorFileError(
                    f"line {key_node.start_mark.line + 1}: mapping key {key!r} already defined"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=True)


def load_yaml(path: Path) -> Any:
    """The document in ``path`` (plain dicts, lists and strings)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MirrorFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise MirrorFileError(f"{path} is not UTF-8 text") from None
    try:
        return yaml.load(text, Loader=_Loader)  # BaseLoader builds no objects
    except MirrorFileError as exc:
        raise MirrorFileError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise MirrorFileError(f"{path} is not valid YAML{line}") from None


def is_null(value: Any) -> bool:
    """True for an absent or null scalar."""
    return value is None or (isinstance(value, str) and value.strip() in _NULL)


def as_bool(value: Any, where: str) -> bool:
    """A YAML boolean (``true``/``false``, and yaml.v3's 1.1 forms ``yes``/``no``/``on``/``off``)."""
    if isinstance(value, str) and value.strip().lower() in _TRUE:
        return True
    if isinstance(value, str) and value.strip().lower() in _FALSE:
        return False
    raise MirrorFileError(f"{where}: expected true or false, got {value!r}")


def as_str(value: Any, where: str) -> str:
    """A scalar."""
    if not isinstance(value, str):
        raise MirrorFileError(f"{where}: expected a string, got a {_kind(value)}")
    return value


def as_map(value: Any, where: str) -> dict[str, Any]:
    """A mapping (null is an empty one)."""
    if is_null(value):
        return {}
    if not isinstance(value, dict):
        raise MirrorFileError(f"{where}: expected a mapping, got a {_kind(value)}")
    return value


def as_list(value: Any, where: str) -> list[str]:
    """A list of scalars (null is an empty list)."""
    if is_null(value):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MirrorFileError(f"{where}: expected a list of strings")
    return list(value)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    return "list" if isinstance(value, list) else type(value).__name__


__all__ = ["MirrorFileError", "as_bool", "as_list", "as_map", "as_str", "is_null", "load_yaml"]

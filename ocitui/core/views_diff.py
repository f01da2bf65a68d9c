"""A readable outline of a diff result: one list of text lines per section.

Works on ``DiffResult.to_json()`` (plain JSON), so it follows the diff engine's data
without knowing each class: change records (``kind`` added/removed/changed) become
``+``/``-``/``~`` lines; nested platform pairs are walked and their lines prefixed with
the platform. The TUI's Diff pane and a plain-text CLI output can share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_SYMBOLS = {"added": "+", "removed": "-", "changed": "~"}
_LABEL_KEYS = ("path", "key", "field", "name", "artifact_type", "digest", "created_by")
_MAX_VALUE = 72


@dataclass(frozen=True)
class DiffSection:
    """One section of the outline: its name, the engine's count and the lines."""

    name: str
    count: int
    lines: list[str]


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value) if value is not None else "∅"
    if isinstance(value, str) and value.startswith("sha256:") and len(value) == 71:
        text = value[:19]
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def _empty(value: Any) -> bool:
    return value is None or value is False or value == 0 or value in ([], {}, "")


#: Keys whose lists hold records that exist on one side only.
_SIDE_KEYS = {"added": "+", "only_b": "+", "removed": "-", "only_a": "-"}


def _record_line(value: dict[str, Any], symbol: str, indent: str) -> str:
    """One line for a record: symbol, label, then old → new or a few scalar fields."""
    label = next((str(value[k]) for k in _LABEL_KEYS if value.get(k) is not None), "")
    where = f"[{value['where']}] " if value.get("where") else ""
    old, new = value.get("old"), value.get("new")
    if isinstance(old, (dict, list)) or isinstance(new, (dict, list)):
        detail = ""
    elif symbol == "~" or ("old" in value and "new" in value):
        detail = f"{_short(old)} → {_short(new)}"
    elif "old" in value or "new" in value:
        detail = _short(new if symbol == "+" else old)
    else:
        used = set(
            _LABEL_KEYS[
                : _LABEL_KEYS.index(
                    next((k for k in _LABEL_KEYS if value.get(k) is not None), "digest")
                )
                + 1
            ]
        )
        extras = [
            _short(v)
            for k, v in value.items()
            if k not in used
            and k not in ("media_type", "subject", "kind")
            and not _empty(v)
            and not isinstance(v, (dict, list))
        ]
        detail = " ".join(extras)
    detail = "" if detail in ("∅", "") else f": {detail}"
    return f"{indent}{symbol} {where}{_short(label)}{detail}"


def outline(value: Any, indent: str = "", symbol: str = "") -> list[str]:
    """Lines describing ``value`` (a JSON fragment of a diff section)."""
    if isinstance(value, list):
        if symbol:
            return [
                _record_line(item, symbol, indent)
                if isinstance(item, dict)
                else f"{indent}{symbol} {_short(item)}"
                for item in value
            ]
        return [line for item in value for line in outline(item, indent, "~")]
    if not isinstance(value, dict):
        return [f"{indent}{_short(value)}"]
    kind = value.get("kind")
    if kind in _SYMBOLS or (symbol and ("old" in value or "new" in value)):
        return [_record_line(value, _SYMBOLS.get(str(kind), symbol or "~"), indent)]
    lines: list[str] = []
    for key, item in value.items():
        if _empty(item) or key in ("a", "b", "diff", "image", "media_type_a", "media_type_b"):
            continue
        if key in _SIDE_KEYS and isinstance(item, list):
            lines.extend(outline(item, indent, _SIDE_KEYS[key]))
        elif isinstance(item, (dict, list)):
            inner = outline(item, indent + "  ")
            if inner:
                lines.append(f"{indent}{key}:")
                lines.extend(inner)
        else:
            lines.append(f"{indent}{key}: {_short(item)}")
    return lines


def _platform_pairs(node: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    platforms = node.get("platforms")
    if not isinstance(platforms, dict):
        return []
    return [
        (str(p.get("key", "?")), p["diff"])
        for p in platforms.get("common", [])
        if isinstance(p, dict) and isinstance(p.get("diff"), dict)
    ]


def _section_lines(node: dict[str, Any], name: str, prefix: str) -> list[str]:
    lines: list[str] = []
    value = node.get(name)
    if name == "platforms" and isinstance(value, dict):
        for key in ("added", "removed"):
            for entry in value.get(key) or []:
                lines.append(f"{prefix}{_SYMBOLS[key]} {entry.get('key', '?')}")
        for pair_key, pair in _platform_pairs(node):
            a, b = pair.get("a", {}), pair.get("b", {})
            same = a.get("digest") == b.get("digest")
            lines.append(f"{prefix}{'=' if same else '~'} {pair_key}")
    elif name == "manifest" and node.get("encoding_differs"):
        lines.append(f"{prefix}~ same JSON, different bytes (digest differs)")
        lines.extend(outline(value or [], prefix))
    elif not _empty(value):
        lines.extend(outline(value, prefix))
    for pair_key, pair in _platform_pairs(node):
        inner = _section_lines(pair, name, "  ") if name != "platforms" else []
        if inner:
            lines.append(f"{prefix}{pair_key}:")
            lines.extend(prefix + line for line in inner)
    return lines


def diff_sections(result: dict[str, Any]) -> list[DiffSection]:
    """Sections in the engine's order from ``DiffResult.to_json()``."""
    summary = result.get("summary") or {}
    root = result.get("root") or {}
    return [
        DiffSection(name, int(count), _section_lines(root, name, ""))
        for name, count in summary.items()
    ]

"""The text of a diff, built from the typed :class:`~ocitui.core.diff.DiffResult`.

One set of line builders per section (manifest, platforms, config, layers, files,
referrers, annotations). The CLI prints :func:`render` (a summary, then every node's
sections, platform pairs indented under ``@`` headings); the TUI's Diff pane shows
:func:`diff_sections` (the same lines, grouped by section, platform pairs prefixed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ocitui.core.diff import SECTIONS, DiffResult, FileChange, NodeDiff
from ocitui.core.media_types import friendly_artifact_type
from ocitui.core.views_text import human_size

_WIDTH = 100


@dataclass(frozen=True)
class DiffSection:
    """One section of the outline: its name, the engine's count and the lines."""

    name: str
    count: int
    lines: list[str]


def diff_sections(result: DiffResult) -> list[DiffSection]:
    """The sections in the engine's order, each with its lines for the whole tree."""
    return [
        DiffSection(name, int(count), _tree_lines(result.root, name, ""))
        for name, count in result.summary.items()
    ]


def _tree_lines(node: NodeDiff, name: str, prefix: str) -> list[str]:
    lines = [prefix + line for line in dict(node_sections(node))[name]]
    for pair in node.platforms.common if node.platforms else ():
        inner = _tree_lines(pair.diff, name, prefix + "  ")
        if inner:
            lines.append(f"{prefix}{pair.key}:")
            lines.extend(inner)
    return lines


def node_sections(node: NodeDiff) -> list[tuple[str, list[str]]]:
    """Every section's lines for one node (nested platform pairs not included)."""
    notes = [_change(n.kind, f"{n.where} {n.key}", n.old, n.new) for n in node.annotations]
    return [
        ("manifest", _manifest_lines(node)),
        ("platforms", _platform_lines(node)),
        ("config", _config_lines(node)),
        ("layers", _layer_lines(node)),
        ("files", _file_lines(node)),
        ("referrers", _referrer_lines(node)),
        ("annotations", notes),
    ]


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= _WIDTH else text[: _WIDTH - 3] + "..."


def render(result: DiffResult, ref_a: str, ref_b: str) -> Iterator[str]:
    """The text form: header, summary of counts, then details per node and section."""
    root = result.root
    yield f"A  {ref_a}  {root.a.digest}  ({root.a.kind})"
    yield f"B  {ref_b}  {root.b.digest}  ({root.b.kind})"
    total = sum(result.summary.values())
    yield "identical" if result.identical else f"different: {total} difference(s)"
    for name in SECTIONS:
        count: int | str = result.summary[name]
        if name == "files" and not result.files_compared:
            count = "not compared (use --files)"
        yield f"  {name:<12} {count}"
    if not result.identical:
        yield ""
        yield from _node(root, "", "")


def _node(node: NodeDiff, title: str, indent: str) -> Iterator[str]:
    """One node's sections; nested platform pairs follow, indented under a ``@`` heading."""
    if title:
        yield ""
        same = "identical" if not any(node.counts().values()) else "differs"
        yield f"{indent[:-2]}@ {title}: {same}  {node.a.digest[:19]} -> {node.b.digest[:19]}"
    for name, lines in node_sections(node):
        if lines:
            yield f"{indent}# {name}"
            yield from (f"{indent}  {line}" for line in lines)
    for pair in node.platforms.common if node.platforms else ():
        yield from _node(pair.diff, pair.key, indent + "  ")


def _change(kind: str, what: str, old: Any = None, new: Any = None) -> str:
    if kind == "added":
        return f"+ {what}: {_short(new)}"
    if kind == "removed":
        return f"- {what}: {_short(old)}"
    return f"~ {what}: {_short(old)} -> {_short(new)}"


def _manifest_lines(node: NodeDiff) -> list[str]:
    lines = [_change(c.kind, c.path, c.old, c.new) for c in node.manifest]
    if node.encoding_differs:
        lines.append("~ same JSON, different bytes (formatting or key order): digests differ")
    return lines


def _platform_lines(node: NodeDiff) -> list[str]:
    if node.platforms is None:
        return []
    p = node.platforms
    lines = [f"note: {p.note}"] if p.note else []
    lines += [f"+ {e.key}  {e.digest[:19]}" for e in p.added]
    lines += [f"- {e.key}  {e.digest[:19]}" for e in p.removed]
    return lines if (p.count or p.note) else []


def _config_lines(node: NodeDiff) -> list[str]:
    c = node.config
    if c is None or not c.count:
        return []
    lines = [_change("changed", f.field, f.old, f.new) for f in c.fields]
    lines += [_change(e.kind, f"env {e.key}", e.old, e.new) for e in c.env]
    lines += [_change(e.kind, f"label {e.key}", e.old, e.new) for e in c.labels]
    for label, change in (
        ("port", c.exposed_ports),
        ("volume", c.volumes),
        ("diff_id", c.diff_ids),
    ):
        lines += [f"+ {label} {v}" for v in change.added]
        lines += [f"- {label} {v}" for v in change.removed]
    for h in c.history:
        if h.kind == "changed" and h.old is not None and h.new is not None:
            old_h, new_h = h.old, h.new
            keys = sorted(k for k in {*old_h, *new_h} if old_h.get(k) != new_h.get(k))
            lines += [
                _change("changed", f"history[{h.index_b}] {k}", old_h.get(k), new_h.get(k))
                for k in keys
            ]
        else:
            where, sign = (h.index_b, "+") if h.kind == "added" else (h.index_a, "-")
            lines.append(f"{sign} history[{where}]: {_short(h.created_by)}")
    lines += [_change(o.kind, f"config{o.path}", o.old, o.new) for o in c.other]
    return lines


def _layer_lines(node: NodeDiff) -> list[str]:
    layers = node.layers
    if layers is None or not layers.count:
        return []
    lines = [f"= {len(layers.shared)} shared"]
    lines += [f"+ [{r.index}] {r.digest}  {human_size(r.size)}" for r in layers.added]
    lines += [f"- [{r.index}] {r.digest}  {human_size(r.size)}" for r in layers.removed]
    lines += [
        f"~ [{p.a.index}] recompressed {p.a.digest[:19]} -> {p.b.digest[:19]} (same diff_id)"
        for p in layers.recompressed
    ]
    lines += [
        f"~ [{p.a.index}] same blob, media type {p.a.media_type} -> {p.b.media_type}"
        for p in layers.shared
        if p.retyped
    ]
    if layers.order_changed:
        lines.append("~ the same layers are applied in another order")
    return lines


def _file_lines(node: NodeDiff) -> list[str]:
    files = node.files
    if files is None or not files.count:
        return []
    lines = [f"+ /{e.path}  {e.type}  {human_size(e.size)}" for e in files.added]
    lines += [f"- /{e.path}  {e.type}  {human_size(e.size)}" for e in files.removed]
    lines += [f"~ /{c.path}  {_attributes(c)}" for c in files.changed]
    return lines


def _attributes(change: FileChange) -> str:
    """``type file -> dir, mode 0644 -> 0755, sha256`` (content hashes only named)."""
    parts = []
    for name in change.attributes:
        old, new = getattr(change.a, name), getattr(change.b, name)
        if name == "sha256":
            parts.append("content")
        elif name == "mode":
            parts.append(f"mode {old:04o} -> {new:04o}")
        else:
            parts.append(f"{name} {old} -> {new}")
    return ", ".join(parts)


def _referrer_lines(node: NodeDiff) -> list[str]:
    refs = node.referrers
    if refs is None or not refs.count:
        return []
    lines = [f"{friendly_artifact_type(t.artifact_type)}: A {t.a}, B {t.b}" for t in refs.by_type]
    for sign, side in (("-", refs.only_a), ("+", refs.only_b)):
        lines += [
            f"{sign} {friendly_artifact_type(r.artifact_type)}  {r.digest[:19]}  (depth {r.depth})"
            for r in side
        ]
    return lines


__all__ = ["DiffSection", "diff_sections", "node_sections", "render"]

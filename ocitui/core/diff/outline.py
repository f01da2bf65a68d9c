"""The diff as labelled lines, one outline for both faces.

``ocitui diff`` prints it as text and the TUI's Diff pane shows it with colour and
collapsible sections, so the two never word a change differently. Every line has a mark
(``+`` added, ``-`` removed, ``~`` changed, ``=`` same, `` `` note) and a text; modes are
octal, sizes human, layers and platforms named.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ocitui.core.diff.engine import SECTIONS, DiffResult, NodeDiff
from ocitui.core.diff.filesystem import FileChange
from ocitui.core.media_types import friendly_artifact_type
from ocitui.core.views_text import human_size

#: Values longer than this are cut (the JSON output has them whole).
WIDTH = 100


@dataclass(frozen=True)
class Line:
    """One change: ``mark`` is ``+``, ``-``, ``~``, ``=`` or `` `` (a note)."""

    mark: str
    text: str

    def __str__(self) -> str:
        return f"{self.mark} {self.text}" if self.mark.strip() else self.text


@dataclass(frozen=True)
class Section:
    """A named section of one node's changes."""

    name: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Block:
    """One compared pair: the top level (``title`` empty) or a platform under an index."""

    title: str
    identical: bool
    digest_a: str
    digest_b: str
    depth: int
    sections: tuple[Section, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Outline:
    """Counts per section (``None``: not compared) and the blocks, depth first."""

    identical: bool
    total: int
    counts: tuple[tuple[str, int | None], ...]
    blocks: tuple[Block, ...]


def short(value: Any) -> str:
    """A value for a line: strings as they are, anything else as JSON; cut at :data:`WIDTH`."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= WIDTH else text[: WIDTH - 3] + "..."


def change(kind: str, what: str, old: Any = None, new: Any = None) -> Line:
    """``+ what: new``, ``- what: old`` or ``~ what: old -> new``."""
    if kind == "added":
        return Line("+", f"{what}: {short(new)}")
    if kind == "removed":
        return Line("-", f"{what}: {short(old)}")
    return Line("~", f"{what}: {short(old)} -> {short(new)}")


def outline(result: DiffResult) -> Outline:
    """The outline of ``result``."""
    counts: list[tuple[str, int | None]] = [
        (name, None if name == "files" and not result.files_compared else result.summary[name])
        for name in SECTIONS
    ]
    return Outline(
        result.identical,
        sum(result.summary.values()),
        tuple(counts),
        tuple(_blocks(result.root, "", 0)),
    )


def _blocks(node: NodeDiff, title: str, depth: int) -> Iterator[Block]:
    notes = tuple(change(n.kind, f"{n.where} {n.key}", n.old, n.new) for n in node.annotations)
    sections = (
        ("manifest", manifest_lines(node)),
        ("platforms", platform_lines(node)),
        ("config", config_lines(node)),
        ("layers", layer_lines(node)),
        ("files", file_lines(node)),
        ("referrers", referrer_lines(node)),
        ("annotations", notes),
    )
    yield Block(
        title,
        not any(node.counts().values()),
        node.a.digest,
        node.b.digest,
        depth,
        tuple(Section(name, tuple(lines)) for name, lines in sections if lines),
    )
    for pair in node.platforms.common if node.platforms else ():
        yield from _blocks(pair.diff, pair.key, depth + 1)


def manifest_lines(node: NodeDiff) -> tuple[Line, ...]:
    """JSON paths of the manifest that changed."""
    lines = [change(c.kind, c.path, c.old, c.new) for c in node.manifest]
    if node.encoding_differs:
        lines.append(
            Line("~", "same JSON, different bytes (formatting or key order): digests differ")
        )
    return tuple(lines)


def platform_lines(node: NodeDiff) -> tuple[Line, ...]:
    """Platforms only one side has."""
    if node.platforms is None:
        return ()
    p = node.platforms
    lines = [Line(" ", f"note: {p.note}")] if p.note else []
    lines += [Line("+", f"{e.key}  {e.digest[:19]}") for e in p.added]
    lines += [Line("-", f"{e.key}  {e.digest[:19]}") for e in p.removed]
    return tuple(lines) if (p.count or p.note) else ()


def config_lines(node: NodeDiff) -> tuple[Line, ...]:
    """Config fields, env, labels, ports, volumes, diff_ids, history, anything else."""
    c = node.config
    if c is None or not c.count:
        return ()
    lines = [change("changed", f.field, f.old, f.new) for f in c.fields]
    lines += [change(e.kind, f"env {e.key}", e.old, e.new) for e in c.env]
    lines += [change(e.kind, f"label {e.key}", e.old, e.new) for e in c.labels]
    for label, sets in (("port", c.exposed_ports), ("volume", c.volumes), ("diff_id", c.diff_ids)):
        lines += [Line("+", f"{label} {v}") for v in sets.added]
        lines += [Line("-", f"{label} {v}") for v in sets.removed]
    for h in c.history:
        if h.kind == "changed" and h.old is not None and h.new is not None:
            old_h, new_h = h.old, h.new
            keys = sorted(k for k in {*old_h, *new_h} if old_h.get(k) != new_h.get(k))
            lines += [
                change("changed", f"history[{h.index_b}] {k}", old_h.get(k), new_h.get(k))
                for k in keys
            ]
        else:
            where, sign = (h.index_b, "+") if h.kind == "added" else (h.index_a, "-")
            lines.append(Line(sign, f"history[{where}]: {short(h.created_by)}"))
    lines += [change(o.kind, f"config{o.path}", o.old, o.new) for o in c.other]
    return tuple(lines)


def layer_lines(node: NodeDiff) -> tuple[Line, ...]:
    """Shared, added, removed, recompressed and re-typed layers."""
    layers = node.layers
    if layers is None or not layers.count:
        return ()
    lines = [Line("=", f"{len(layers.shared)} shared")]
    lines += [Line("+", f"[{r.index}] {r.digest}  {human_size(r.size)}") for r in layers.added]
    lines += [Line("-", f"[{r.index}] {r.digest}  {human_size(r.size)}") for r in layers.removed]
    lines += [
        Line(
            "~", f"[{p.a.index}] recompressed {p.a.digest[:19]} -> {p.b.digest[:19]} (same diff_id)"
        )
        for p in layers.recompressed
    ]
    lines += [
        Line("~", f"[{p.a.index}] same blob, media type {p.a.media_type} -> {p.b.media_type}")
        for p in layers.shared
        if p.retyped
    ]
    if layers.order_changed:
        lines.append(Line("~", "the same layers are applied in another order"))
    return tuple(lines)


def file_lines(node: NodeDiff) -> tuple[Line, ...]:
    """Paths added, removed or changed in the final filesystem."""
    files = node.files
    if files is None or not files.count:
        return ()
    lines = [Line("+", f"/{e.path}  {e.type}  {human_size(e.size)}") for e in files.added]
    lines += [Line("-", f"/{e.path}  {e.type}  {human_size(e.size)}") for e in files.removed]
    lines += [Line("~", f"/{c.path}  {attributes(c)}") for c in files.changed]
    return tuple(lines)


def attributes(change_: FileChange) -> str:
    """``type file -> dir, mode 0644 -> 0755, content`` (content hashes only named)."""
    parts = []
    for name in change_.attributes:
        old, new = getattr(change_.a, name), getattr(change_.b, name)
        if name == "sha256":
            parts.append("content")
        elif name == "mode":
            parts.append(f"mode {old:04o} -> {new:04o}")
        elif name == "size":
            parts.append(f"size {human_size(old)} -> {human_size(new)}")
        else:
            parts.append(f"{name} {old} -> {new}")
    return ", ".join(parts)


def referrer_lines(node: NodeDiff) -> tuple[Line, ...]:
    """Referrer counts per type, then the referrers only one side has."""
    refs = node.referrers
    if refs is None or not refs.count:
        return ()
    lines = [
        Line(" ", f"{friendly_artifact_type(t.artifact_type)}: A {t.a}, B {t.b}")
        for t in refs.by_type
    ]
    for sign, side in (("-", refs.only_a), ("+", refs.only_b)):
        lines += [
            Line(
                sign,
                f"{friendly_artifact_type(r.artifact_type)}  {r.digest[:19]}  (depth {r.depth})",
            )
            for r in side
        ]
    return tuple(lines)


def render(result: DiffResult, ref_a: str, ref_b: str) -> Iterator[str]:
    """The text ``ocitui diff`` prints: header, summary of counts, then every block's
    sections (platform pairs indented under ``@`` headings). The TUI shows :func:`outline`."""
    root = result.root
    view = outline(result)
    yield f"A  {ref_a}  {root.a.digest}  ({root.a.kind})"
    yield f"B  {ref_b}  {root.b.digest}  ({root.b.kind})"
    yield "identical" if view.identical else f"different: {view.total} difference(s)"
    for name, count in view.counts:
        yield f"  {name:<12} {'not compared (use --files)' if count is None else count}"
    if view.identical:
        return
    yield ""
    for block in view.blocks:
        indent = "  " * block.depth
        if block.title:
            yield ""
            same = "identical" if block.identical else "differs"
            yield (
                f"{indent[:-2]}@ {block.title}: {same}  "
                f"{block.digest_a[:19]} -> {block.digest_b[:19]}"
            )
        for section in block.sections:
            yield f"{indent}# {section.name}"
            yield from (f"{indent}  {line}" for line in section.lines)


__all__ = ["WIDTH", "Block", "Line", "Outline", "Section", "change", "outline", "render", "short"]

"""``ocitui diff``: what differs between two manifests or indexes, section by section.

The comparison is :func:`ocitui.core.diff.diff_refs`; this module only renders it: a
summary of counts first, then the details, or the same as JSON. Exit codes follow
``diff(1)``: 0 identical, 1 different, 2 trouble.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ocitui.cli.common import human_size, open_content, print_json
from ocitui.cli.progress import layer_line
from ocitui.core.diff import SECTIONS, DiffResult, FileChange, NodeDiff, diff_refs
from ocitui.core.errors import OcituiError
from ocitui.core.layout import Layout
from ocitui.core.media_types import friendly_artifact_type
from ocitui.core.target.archive import split_archive_ref

NAME = "diff"
ORDER = 40
HELP = "compare two images: manifest, platforms, config, layers, files, referrers"
DESCRIPTION = (
    "Compare A and B (refs, short refs or digests in the layout, docker://REF in a\n"
    "registry, fetched into a scratch layout, or ARCHIVE:REF inside an export archive,\n"
    "read in place) and say what changed:\n"
    "manifest JSON paths, platforms, config fields (env, entrypoint, labels, ports, history),\n"
    "layers (shared, added, removed, recompressed), referrers (signatures, SBOMs, attestations)\n"
    "and annotations. --files also compares the final filesystems, streaming every layer.\n"
    "Exit status: 0 identical, 1 different, 2 error (like diff(1))."
)
EPILOG = """examples:
  ocitui diff app:v1 app:v2
  ocitui diff app:v1 app:v2 --files
  ocitui diff registry.example.com/app:1.0 registry.example.com/app:1.0 --layout-b /mnt/mirror
  ocitui diff app@sha256:3f1c... app:latest --json
  ocitui diff app:1.0 docker://mirror.local:5000/demo/app:1.0   # did the signature come along?
  ocitui diff /media/usb/app.tar.zst:app:1.0 app:1.0            # before importing it"""

EXIT_SAME, EXIT_DIFFERENT, EXIT_TROUBLE = 0, 1, 2
_COLOURS = {"+": "32", "-": "31", "~": "33", "#": "1", "@": "1;36"}
_WIDTH = 100


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``diff`` arguments."""
    parser.add_argument("a", metavar="A", help="first image: ref, short ref or digest")
    parser.add_argument("b", metavar="B", help="second image: ref, short ref or digest")
    parser.add_argument("--files", action="store_true", help="compare final filesystems too")
    parser.add_argument("--json", action="store_true", help="print the diff as JSON")
    parser.add_argument(
        "--layout-b",
        metavar="DIR",
        default=None,
        help="look B up in this layout instead (e.g. a mirror)",
    )
    from ocitui.cli.remote import add_remote_args

    add_remote_args(parser)


def run(args: argparse.Namespace) -> int:
    """Compare, print, and exit like diff(1)."""
    scratch = tempfile.TemporaryDirectory(prefix="ocitui-diff-")
    try:
        store_a, desc_a, store_b, desc_b = _sides(args, Path(scratch.name))
        progress = layer_line(sys.stderr) if args.files and sys.stderr.isatty() else None
        try:
            result = diff_refs(
                store_a, desc_a, store_b, desc_b, files=args.files, progress=progress
            )
        finally:
            if progress is not None:
                sys.stderr.write("\r\033[K")
    except OcituiError as exc:
        print(f"ocitui: error: {exc}", file=sys.stderr)
        return EXIT_TROUBLE
    finally:
        scratch.cleanup()
    if args.json:
        print_json({"ref_a": args.a, "ref_b": args.b, **result.to_json()})
    else:
        paint = _painter(sys.stdout)
        for line in render(result, args.a, args.b):
            print(paint(line))
    return EXIT_SAME if result.identical else EXIT_DIFFERENT


def _sides(args: argparse.Namespace, scratch: Path) -> tuple[Layout, Any, Layout, Any]:
    """Resolve A and B; ``docker://`` sides are pulled into a scratch layout first."""
    from ocitui.core.sync.stage import is_remote

    remote = [ref for ref in (args.a, args.b) if is_remote(ref)]
    staged: dict[str, Any] = {}
    temp: Layout | None = None
    if remote:
        import asyncio

        from ocitui.cli.remote import make_client
        from ocitui.core.sync.stage import stage

        temp = Layout.open(scratch / "layout", create=True)
        if sys.stderr.isatty():
            sys.stderr.write(f"fetching {', '.join(remote)} ...\r")

        async def fetch() -> list[Any]:
            async with make_client(args) as client:
                return await stage(client, temp, remote)

        staged = dict(zip(remote, asyncio.run(fetch()), strict=True))

    def local(text: str, layout_dir: str | None) -> tuple[Layout, Any]:
        if layout_dir and split_archive_ref(text) is None:
            layout = Layout.open(Path(layout_dir))
            return layout, layout.resolve(text)
        layout, name = open_content(args, text)  # The layout, or an archive read in place.
        return layout, layout.resolve(name)

    if is_remote(args.a):
        assert temp is not None
        store_a, desc_a = temp, staged[args.a]
    else:
        store_a, desc_a = local(args.a, None)
    if is_remote(args.b):
        assert temp is not None
        store_b, desc_b = temp, staged[args.b]
    else:
        store_b, desc_b = local(args.b, args.layout_b)
    return store_a, desc_a, store_b, desc_b


def _painter(stream: Any) -> Callable[[str], str]:
    """Colour by a line's leading marker, only on a terminal and never with NO_COLOR."""
    if os.environ.get("NO_COLOR") or not stream.isatty():
        return lambda line: line

    def paint(line: str) -> str:
        marker = line.lstrip()[:1]
        code = _COLOURS.get(marker)
        return f"\033[{code}m{line}\033[0m" if code else line

    return paint


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
    notes = [_change(n.kind, f"{n.where} {n.key}", n.old, n.new) for n in node.annotations]
    sections = (
        ("manifest", _manifest_lines(node)),
        ("platforms", _platform_lines(node)),
        ("config", _config_lines(node)),
        ("layers", _layer_lines(node)),
        ("files", _file_lines(node)),
        ("referrers", _referrer_lines(node)),
        ("annotations", notes),
    )
    for name, lines in sections:
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

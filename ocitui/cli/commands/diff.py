"""``ocitui diff``: what differs between two manifests or indexes, section by section.

The comparison is :func:`ocitui.core.diff.diff_refs`; this module only renders it: a
summary of counts first, then the details, or the same as JSON. Exit codes follow
``diff(1)``: 0 identical, 1 different, 2 trouble.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocitui.cli.common import open_content, print_json
from ocitui.cli.progress import layer_line
from ocitui.cli.terminal import raw_stderr, raw_stdout
from ocitui.core.archive_ref import split_archive_ref
from ocitui.core.diff import diff_refs
from ocitui.core.diff.outline import render
from ocitui.core.errors import OcituiError
from ocitui.core.layout import Layout
from ocitui.core.text_safety import one_line_safe, terminal_safe

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
        progress = layer_line(raw_stderr()) if args.files and sys.stderr.isatty() else None
        try:
            result = diff_refs(
                store_a, desc_a, store_b, desc_b, files=args.files, progress=progress
            )
        finally:
            if progress is not None:
                raw_stderr().write("\r\033[K")
    except OcituiError as exc:
        print(f"ocitui: error: {one_line_safe(str(exc))}", file=sys.stderr)
        return EXIT_TROUBLE
    finally:
        scratch.cleanup()
    if args.json:
        print_json({"ref_a": args.a, "ref_b": args.b, **result.to_json()})
    else:
        out = raw_stdout()  # Colour codes are ours; every line's text is sanitised first.
        paint = _painter(out)
        for line in render(result, args.a, args.b):
            out.write(paint(terminal_safe(line)) + "\n")
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
            raw_stderr().write(f"fetching {one_line_safe(', '.join(remote))} ...\r")

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

"""``ocitui diff``: what differs between two manifests or indexes, section by section.

The comparison is :func:`ocitui.core.diff.diff_refs`; this module only renders it: a
summary of counts first, then the details, or the same as JSON. Exit codes follow
``diff(1)``: 0 identical, 1 different, 2 trouble.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocitui.cli.common import open_content, print_json
from ocitui.cli.progress import layer_line
from ocitui.cli.terminal import raw_stderr, raw_stdout
from ocitui.core.archive_ref import split_archive_ref
from ocitui.core.diff import diff_refs
from ocitui.core.diff.outline import render
from ocitui.core.diff.store import ContentStore
from ocitui.core.errors import OcituiError
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor
from ocitui.core.reference import Reference, parse_reference
from ocitui.core.text_safety import error_text, terminal_safe

if TYPE_CHECKING:
    from ocitui.core.target import RegistryTarget

NAME = "diff"
ORDER = 40
HELP = "compare two images: manifest, platforms, config, layers, files, referrers"
DESCRIPTION = (
    "Compare A and B (refs, short refs or digests in the layout, docker://REF in a\n"
    "registry, read there without pulling, or ARCHIVE:REF inside an export archive,\n"
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
    with contextlib.ExitStack() as stack:  # A registry client lives until the diff is done.
        try:
            store_a, desc_a, store_b, desc_b = _sides(args, stack)
            progress = layer_line(raw_stderr()) if args.files and sys.stderr.isatty() else None
            try:
                result = diff_refs(
                    store_a, desc_a, store_b, desc_b, files=args.files, progress=progress
                )
            finally:
                if progress is not None:
                    raw_stderr().write("\r\033[K")
        except OcituiError as exc:
            print(f"ocitui: error: {error_text(str(exc))}", file=sys.stderr)
            return EXIT_TROUBLE
    if args.json:
        print_json({"ref_a": args.a, "ref_b": args.b, **result.to_json()})
    else:
        out = raw_stdout()  # Colour codes are ours; every line's text is sanitised first.
        paint = _painter(out)
        for line in render(result, args.a, args.b):
            out.write(paint(terminal_safe(line)) + "\n")
    return EXIT_SAME if result.identical else EXIT_DIFFERENT


def _sides(
    args: argparse.Namespace, stack: contextlib.ExitStack
) -> tuple[ContentStore, Descriptor, ContentStore, Descriptor]:
    """Resolve A and B: ``docker://`` sides are read from the registry through the Target
    door (:class:`TargetStore`, nothing staged), others from a layout or an archive."""
    opened: list[tuple[RegistryTarget, asyncio.Runner, Path]] = []

    def remote(text: str) -> tuple[ContentStore, Descriptor]:
        # Imported here: a diff of layout content never loads the registry client.
        from ocitui.core.target import RegistryTarget
        from ocitui.core.target.store import TargetStore

        if not opened:  # One client and one event loop for both sides.
            from ocitui.cli.remote import make_client

            runner = stack.enter_context(asyncio.Runner())
            client = make_client(args)
            stack.callback(runner.run, client.aclose())  # Before the runner closes.
            scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="ocitui-diff-"))
            opened.append((RegistryTarget(client), runner, Path(scratch)))
        target, runner, spool = opened[0]
        ref = parse_reference(text)
        store = TargetStore(target, Reference(ref.registry, ref.repository), runner, spool)
        return store, store.resolve(str(ref))

    def local(text: str, layout_dir: str | None) -> tuple[ContentStore, Descriptor]:
        if layout_dir and split_archive_ref(text) is None:
            layout = Layout.open(Path(layout_dir))
            return layout, layout.resolve(text)
        layout, name = open_content(args, text)  # The layout, or an archive read in place.
        return layout, layout.resolve(name)

    store_a, desc_a = remote(args.a) if _is_remote(args.a) else local(args.a, None)
    store_b, desc_b = remote(args.b) if _is_remote(args.b) else local(args.b, args.layout_b)
    return store_a, desc_a, store_b, desc_b


def _is_remote(text: str) -> bool:
    return text.startswith("docker://")


def _painter(stream: Any) -> Callable[[str], str]:
    """Colour by a line's leading marker, only on a terminal and never with NO_COLOR."""
    if os.environ.get("NO_COLOR") or not stream.isatty():
        return lambda line: line

    def paint(line: str) -> str:
        marker = line.lstrip()[:1]
        code = _COLOURS.get(marker)
        return f"\033[{code}m{line}\033[0m" if code else line

    return paint

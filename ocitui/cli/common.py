"""Helpers shared by the command modules: layout selection, JSON and table output."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ocitui.core.layout import Layout

# One formatting rule for both faces; re-exported for the command modules.
from ocitui.core.views_text import human_size


def default_layout_dir() -> Path:
    """``$OCITUI_LAYOUT``, else the user data dir's ``layouts/default`` (resolved now)."""
    env = os.environ.get("OCITUI_LAYOUT")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("ocitui")) / "layouts" / "default"


def layout_dir(args: argparse.Namespace) -> Path:
    """The layout directory chosen by ``--layout`` or the environment."""
    chosen = getattr(args, "layout", None)
    return Path(chosen) if chosen else default_layout_dir()


def open_layout(args: argparse.Namespace, *, create: bool = False) -> Layout:
    """Open (or, for writing commands and the default location, create) the layout."""
    path = layout_dir(args)
    explicit = getattr(args, "layout", None) or os.environ.get("OCITUI_LAYOUT")
    if create or not explicit:
        return Layout.open(path, create=True)
    return Layout.open(path)


def open_content(args: argparse.Namespace, ref: str) -> tuple[Layout, str]:
    """The layout a REF argument reads from, and the name inside it.

    ``ARCHIVE:REF`` (an ``export`` tar, ``.tar.zst`` or ``.parts.json`` that exists) and
    ``oci-archive:PATH[:REF]`` read the archive in place, read-only; anything else is a
    name in the chosen layout.
    """
    from ocitui.core.archive_ref import split_archive_ref

    found = split_archive_ref(ref)
    if found is None:
        return open_layout(args), ref
    from ocitui.core.target.archive import ArchiveLayout, sole_tag

    path, name = found
    archive = ArchiveLayout.open_archive(path)
    return archive, name or sole_tag(archive)


def add_json(parser: argparse.ArgumentParser) -> None:
    """Add ``--json``."""
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def print_json(data: Any, *, floatless: bool = False) -> None:
    """Write ``data`` as indented JSON to stdout.

    ``floatless``: the caller promises ``data`` holds no ``float`` (``ls`` and
    ``referrers`` rows), so msgspec's encoder may write it: the same bytes as
    ``json.dumps(indent=2, ensure_ascii=False)`` (tested), several times faster, since
    the standard encoder falls back to pure Python when indenting. (The two differ only
    in how they write float exponents.) Anything msgspec refuses (a lone surrogate, a
    key that is not a string) goes the standard way.
    """
    if floatless:
        import msgspec

        try:
            body = msgspec.json.format(msgspec.json.encode(data), indent=2)
        except (TypeError, ValueError, UnicodeEncodeError):
            pass
        else:
            sys.stdout.write(body.decode() + "\n")
            return
    # One write: json.dump would write each token to the stream separately.
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def print_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """A plain aligned text table (no colour, survives pipes and SSH)."""
    materialised: list[Sequence[str]] = [list(map(str, r)) for r in rows]
    widths = [len(h) for h in headers]
    for row in materialised:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = [headers, *materialised]
    for row in lines:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row)]
        sys.stdout.write("  ".join(cells).rstrip() + "\n")


__all__ = [
    "add_json",
    "default_layout_dir",
    "human_size",
    "layout_dir",
    "open_content",
    "open_layout",
    "print_json",
    "print_table",
]

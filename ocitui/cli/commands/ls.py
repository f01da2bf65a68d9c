"""``ocitui ls``: what the layout holds."""

from __future__ import annotations

import argparse
from pathlib import Path

from ocitui.cli.common import add_json, human_size, open_layout, print_json, print_table
from ocitui.core.bulk import no_gc
from ocitui.core.layout.refs import display_name
from ocitui.core.layout.summary import EntrySummary, list_entries
from ocitui.core.views_text import unnamed_label

NAME = "ls"
ORDER = 1
HELP = "list the images and artifacts in the layout"
DESCRIPTION = (
    "List tagged references with digest, artifact type, platforms, size and referrer count.\n"
    "Machine tags (referrers fallback, cosign .sig/.att/.sbom, imgpkg) and untagged referrers\n"
    "are shown with --all."
)
EPILOG = """examples:
  ocitui ls --layout layouts/demo
  ocitui ls --all --json | jq '.[] | select(.referrers > 0)'"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``ls`` arguments."""
    parser.add_argument(
        "--all", "-a", action="store_true", help="also list untagged entries and referrers"
    )
    add_json(parser)


def _name(row: EntrySummary, root: Path) -> str:
    if row.ref:
        return display_name(row.ref, root) or row.ref
    subject = row.subject.short if row.subject is not None else None
    return unnamed_label(subject=subject, cosign_kind=row.cosign_kind)


def run(args: argparse.Namespace) -> int:
    """List entries, with the cyclic garbage collector paused (:func:`no_gc`) until every
    row and entry is freed again: a listing makes no cycles, and a collection once the
    collector resumed would walk every object still alive (a tenth of the 100k-entry
    ``ls --json``)."""
    with no_gc():
        return _list(args)


def _list(args: argparse.Namespace) -> int:
    layout = open_layout(args)
    rows = list_entries(layout, include_all=args.all)
    if args.json:
        print_json([r.to_json() for r in rows], floatless=True)
        return 0
    if not rows:
        print(f"{layout.root}: empty layout (pull something: 'ocitui pull alpine')")
        return 0
    print_table(
        ["REF", "DIGEST", "TYPE", "PLATFORMS", "SIZE", "REFERRERS"],
        [
            [
                _name(r, layout.root),
                r.digest.short,
                r.type_label,
                ",".join(r.platforms) or "-",
                human_size(r.size),
                str(r.referrers) + (f" +{','.join(r.legacy)}" if r.legacy else ""),
            ]
            for r in rows
        ],
    )
    return 0

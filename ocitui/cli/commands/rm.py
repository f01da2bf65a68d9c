"""``ocitui rm``: remove names from the layout (blobs go with ``gc``)."""

from __future__ import annotations

import argparse

from ocitui.cli.common import open_layout
from ocitui.core.views_text import UNTAGGED

NAME = "rm"
ORDER = 12
HELP = "remove an entry from index.json (run 'ocitui gc' to free the blobs)"
EPILOG = """examples:
  ocitui rm registry.example.com/demo/app:1.1
  ocitui rm app:1.1 && ocitui gc"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``rm`` arguments."""
    parser.add_argument("refs", metavar="REF", nargs="+", help="refs, short refs or digests")


def run(args: argparse.Namespace) -> int:
    """Remove."""
    layout = open_layout(args)
    for ref in args.refs:
        for entry in layout.remove(ref):
            print(f"removed {entry.ref_name or UNTAGGED} {entry.digest}")
    return 0

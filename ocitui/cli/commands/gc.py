"""``ocitui gc``: remove blobs nothing in index.json reaches."""

from __future__ import annotations

import argparse

from ocitui.cli.common import add_json, human_size, open_layout, print_json
from ocitui.core.layout.gc import DEFAULT_GRACE_SECONDS, gc
from ocitui.core.views_manage import gc_summary

NAME = "gc"
ORDER = 51
HELP = "remove unreachable blobs (referrers count as reachable)"
EPILOG = """examples:
  ocitui gc --dry-run
  ocitui gc --grace 0 --partials"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``gc`` arguments."""
    parser.add_argument("--dry-run", "-n", action="store_true", help="only list what would go")
    parser.add_argument(
        "--grace",
        type=float,
        default=DEFAULT_GRACE_SECONDS,
        metavar="SECONDS",
        help="keep unreachable blobs younger than this, a pull may be naming them "
        f"(default {DEFAULT_GRACE_SECONDS:.0f})",
    )
    parser.add_argument(
        "--partials", action="store_true", help="also delete interrupted downloads in ingest/"
    )
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    """Collect garbage."""
    layout = open_layout(args)
    report = gc(
        layout, dry_run=args.dry_run, grace_seconds=args.grace, clean_partials=args.partials
    )
    if args.json:
        print_json({**report.to_json(), "dryRun": args.dry_run})
        return 0
    verb = "would remove" if args.dry_run else "removed"
    for digest, size in report.removed:
        print(f"{verb} {digest} ({human_size(size)})")
    for note in report.unreadable:
        print(f"cannot read {note}; kept everything it may reference")
    if report.kept_everything:
        print("removed nothing: an unreadable node could not be scanned (run 'ocitui fsck')")
    if report.partials_in_use:
        print(f"kept {report.partials_in_use} partial downloads a running pull is writing")
    print(gc_summary(report, dry_run=args.dry_run))
    return 0

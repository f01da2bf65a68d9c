"""``ocitui fsck``: verify every byte of the layout; ``--repair`` normalises it."""

from __future__ import annotations

import argparse
import sys

from ocitui.cli.common import add_json, open_layout, print_json
from ocitui.cli.terminal import raw_stderr
from ocitui.core.layout.fsck import FsckProgress, fsck
from ocitui.core.views_manage import fsck_lines, fsck_progress_line

NAME = "fsck"
ORDER = 50
HELP = "verify every blob and index entry; --repair fixes what it can"
DESCRIPTION = (
    "Hash every blob, parse every manifest, check sizes, names and referrer hints.\n"
    "--repair removes corrupt blobs and symlinks, fixes referrer hints, and turns foreign\n"
    "referrer shapes (oras untagged entries, referrers under a tag, regclient sha256-<hex>\n"
    "indexes) into ocitui's. Short tags other tools wrote (1.0) are listed; --repair\n"
    "--repository NAME renames them NAME:1.0.\n"
    "Exit 1 when an error remains."
)
EPILOG = """examples:
  ocitui fsck
  ocitui fsck --repair --json
  ocitui fsck --repair --repository registry.example.com/team/app   # 1.0 -> .../app:1.0"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``fsck`` arguments."""
    parser.add_argument("--repair", action="store_true", help="fix what can be fixed offline")
    parser.add_argument(
        "--repository",
        metavar="NAME",
        help="with --repair: put short tags other tools wrote (1.0) into NAME (NAME:1.0)",
    )
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    """Check."""
    layout = open_layout(args)
    tty = sys.stderr.isatty() and not args.json
    last = [-1]

    def show(event: FsckProgress) -> None:
        percent = event.done * 100 // max(event.total, 1)
        if tty and percent != last[0]:
            last[0] = percent
            raw_stderr().write(f"\r{fsck_progress_line(event)}")

    report = fsck(layout, repair=args.repair, repository=args.repository, progress=show)
    if tty:
        raw_stderr().write("\r\033[K")
    if args.json:
        print_json(report.to_json())
    else:
        for line in fsck_lines(report):
            print(line)
    return 0 if report.ok else 1

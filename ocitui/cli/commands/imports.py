"""``ocitui import``: verify an air-gap archive and merge it into the layout.

(The module is ``imports`` because ``import`` is a Python keyword; the command is
``import``.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ocitui.cli.common import add_json, open_layout, print_json
from ocitui.cli.progress import ArchiveLine
from ocitui.cli.terminal import raw_stderr
from ocitui.cli.verify_option import add_verify_option, explain, gate_of
from ocitui.core.archive import import_archives
from ocitui.core.archive.inputs import resolve_sources
from ocitui.core.errors import OcituiError
from ocitui.core.events import ignore
from ocitui.core.views_manage import import_summary

NAME = "import"
ORDER = 61
HELP = "verify an archive (tar, .tar.zst or split parts) and merge it into the layout"
DESCRIPTION = (
    "Read archives written by 'ocitui export' (or any OCI-layout tar: oras backup, skopeo\n"
    "oci-archive). Every part is checked (size, sha256) and every blob (digest, size) while\n"
    "streaming; member names other than oci-layout, index.json and blobs/<alg>/<hex> are\n"
    "refused. Only once everything verified are index.json entries merged, in one atomic\n"
    "update: names in the archive replace the same names in the layout, referrers are not\n"
    "duplicated. An interrupted import adds no entries; run it again and blobs already\n"
    "verified are skipped. For a split archive pass FILE.parts.json or any of its parts."
)
EPILOG = """examples:
  ocitui import /media/usb/all.tar.zst
  ocitui import /media/usb/mirror.tar.zst.parts.json
  ocitui --layout /srv/staging import app.tar bundle.tar.zst --json
  ocitui import --repository registry.example.com/team/app skopeo-oci-archive.tar
  ocitui import /media/usb/all.tar.zst --verify policy.yaml    # merges nothing unverified"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``import`` arguments."""
    parser.add_argument(
        "files",
        metavar="FILE",
        type=Path,
        nargs="+",
        help="archive, .tar.zst, FILE.parts.json or one of its parts",
    )
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="accept an archive of a sparse layout (referenced blobs absent)",
    )
    parser.add_argument(
        "--repository",
        metavar="NAME",
        help="put short tags other tools wrote (1.0) into this repository (NAME:1.0)",
    )
    add_verify_option(parser, "merge")
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    """Import."""
    resolve_sources(args.files)  # A missing file fails before a layout is created.
    gate = gate_of(args)
    layout = open_layout(args, create=True)
    progress = ArchiveLine(raw_stderr()) if sys.stderr.isatty() and not args.json else None
    try:
        report = import_archives(
            layout,
            args.files,
            allow_missing=args.allow_missing,
            repository=args.repository,
            consumer=progress or ignore,
            gate=gate,
        )
    except OcituiError:
        explain(gate)
        raise
    finally:
        if progress:
            progress.close()
    if args.json:
        print_json(report.to_json())
        return 0
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(import_summary(report))
    for ref in report.refs_added:
        print(f"  + {ref}")
    for ref in report.refs_replaced:
        print(f"  ~ {ref}")
    return 0

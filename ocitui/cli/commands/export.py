"""``ocitui export``: write the layout (or some refs) to an air-gap archive."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ocitui.cli.common import add_json, open_layout, print_json
from ocitui.cli.progress import ArchiveLine
from ocitui.cli.terminal import raw_stderr
from ocitui.cli.verify_option import add_verify_option, check_names
from ocitui.core.archive import export_archive, parse_size
from ocitui.core.errors import UsageError
from ocitui.core.events import ignore
from ocitui.core.views_manage import export_summary

NAME = "export"
ORDER = 60
HELP = "write the layout, or some refs with everything attached, to an archive"
DESCRIPTION = (
    "Write an archive that is itself an OCI image layout (oci-layout, index.json, blobs/ at\n"
    "the tar root), readable by skopeo ('oci-archive:FILE:<ref name>') and by 'ocitui import'.\n"
    "Without REF, the whole layout; with REFs, their closure: platform manifests, blobs,\n"
    "referrers (recursively), legacy cosign tags (sha256-<hex>.sig/.att/.sbom), and the\n"
    "images an imgpkg bundle locks. Output is deterministic (same content, same bytes),\n"
    "streamed in constant memory, and written under temp names renamed at the end.\n"
    "FILE ending in .zst/.zstd (or --zstd) is zstd-compressed (multi-threaded).\n"
    "--split SIZE writes FILE.part-0001, FILE.part-0002, ... and FILE.parts.json (each\n"
    "part's size and sha256, and the whole stream's) for removable media."
)
EPILOG = """examples:
  ocitui export /media/usb/all.tar.zst
  ocitui export app.tar registry.example.com/demo/app:1.0 app:1.1
  ocitui export --split 4000M /media/usb/mirror.tar.zst      # FAT32: parts < 4 GiB
  ocitui export --json bundle.tar.zst registry.example.com/demo/bundle:1.0
  skopeo inspect oci-archive:app.tar:registry.example.com/demo/app:1.0
  ocitui export --for-peers app.tar app:1.0 app:1.1    # then, in the unpacked dir D:
  oras discover --oci-layout D:1.0;  regctl artifact list ocidir://D:1.0

sizes: K, M, G, T are powers of 1024 (4G = 4 GiB); KB, MB, GB, TB powers of 1000."""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``export`` arguments."""
    # FILE is checked in run(): argparse would name the optional REF as required too.
    parser.add_argument("file", metavar="FILE", type=Path, nargs="?", help="the archive to write")
    parser.add_argument("refs", metavar="REF", nargs="*", help="refs to export (default: all)")
    parser.add_argument(
        "--zstd",
        action="store_true",
        default=None,
        help="compress with zstd whatever FILE is called",
    )
    parser.add_argument("--level", type=int, default=3, help="zstd level (default 3)")
    parser.add_argument("--split", metavar="SIZE", help="split into parts of SIZE (4G, 700M)")
    parser.add_argument(
        "--for-peers",
        action="store_true",
        help="one repository, short tags and sha256-<hex> referrers fallback indexes, so "
        "oras and regctl address every entry and its referrers, skopeo and umoci every tag "
        "(crane reads a layout only whole: see the README's 'Layouts from other tools')",
    )
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="export a sparse layout (blobs it lacks stay missing)",
    )
    add_verify_option(parser, "export")
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    """Export."""
    if args.file is None:
        raise UsageError("export needs FILE, the archive to write (REF... is optional)")
    split = parse_size(args.split) if args.split else None
    layout = open_layout(args)
    if getattr(args, "verify", None):
        from ocitui.core.verify import signable_refs

        check_names(args, layout, args.refs or signable_refs(layout))
    progress = ArchiveLine(raw_stderr()) if sys.stderr.isatty() and not args.json else None
    report = export_archive(
        layout,
        args.file,
        args.refs,
        zstd=args.zstd,
        split=split,
        level=args.level,
        allow_missing=args.allow_missing,
        peers=args.for_peers,
        consumer=progress or ignore,
    )
    if progress:
        progress.close()
    if args.json:
        print_json(report.to_json())
        return 0
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(export_summary(report))
    print(f"sha256 {report.sha256}")
    return 0

"""``ocitui copy``: registry -> registry through the layout (pull, then push)."""

from __future__ import annotations

import argparse

from ocitui.cli.commands.pull import (
    add_filters,
    add_remote,
    add_run_options,
    filter_of,
    make_remote_client,
    run_sync,
)
from ocitui.cli.commands.push import add_bundle_options, bundle_options_of
from ocitui.cli.common import open_layout
from ocitui.core.sync import EventSink, SyncReport

NAME = "copy"
ORDER = 22
HELP = "copy an image and everything attached from one registry to another, via the layout"
DESCRIPTION = (
    "Pull SRC into the layout (the staging cache: nothing already there is fetched again), "
    "then push it to DEST, mounting blobs across repositories when both are on the same "
    "registry. Referrers, legacy cosign tags and imgpkg tags come along; the destination is "
    "verified at the end. --dry-run plans registry to registry without writing anything. "
    "An imgpkg bundle is relocated with every image it locks, as push does."
)
EPILOG = """examples:
  ocitui copy registry.example.com/app:1.0 mirror.internal:5000/app:1.0
  ocitui copy registry.example.com/app:1.0 registry.example.com/prod/app:1.0   # mounts blobs
  ocitui copy ghcr.io/org/app:1.0 mirror.internal:5000/app:1.0 --exclude-artifact-type application/vnd.in-toto+json"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``copy`` arguments."""
    parser.add_argument("source", metavar="SRC", help="source reference")
    parser.add_argument("dest", metavar="DEST", help="destination reference")
    add_filters(parser, platforms=False)
    add_bundle_options(parser)
    add_run_options(parser)
    add_remote(parser)


def run(args: argparse.Namespace) -> int:
    """Copy SRC to DEST."""
    from ocitui.core import sync

    layout = open_layout(args, create=True)
    sync_filter = filter_of(args)
    bundle_options = bundle_options_of(args)

    async def work(emit: EventSink) -> SyncReport:
        async with make_remote_client(args) as client:
            return await sync.copy(
                client,
                layout,
                args.source,
                args.dest,
                sync_filter,
                dry_run=args.dry_run,
                concurrency=args.concurrency,
                emit=emit,
                bundle_options=bundle_options,
            )

    return run_sync(args, work)

"""``ocitui push``: layout -> registry, with referrers, legacy cosign tags and imgpkg tags."""

from __future__ import annotations

import argparse
import sys

from ocitui.cli.commands.pull import (
    add_filters,
    add_remote,
    add_run_options,
    filter_of,
    make_remote_client,
    run_sync,
)
from ocitui.cli.common import open_layout
from ocitui.cli.verify_option import add_verify_option, check_names
from ocitui.core.bundles import MARKINGS
from ocitui.core.errors import InvalidReference, SyncError, UsageError
from ocitui.core.layout import Layout
from ocitui.core.layout.refs import is_short_tag, tag_of, with_repository
from ocitui.core.layout.summary import is_machine_tag
from ocitui.core.reference import parse_reference
from ocitui.core.sync import EventSink, PushItem, SyncReport
from ocitui.core.sync.bundles import BundleOptions

NAME = "push"
ORDER = 21
HELP = "copy layout images and everything attached to them to a registry"
DESCRIPTION = (
    "Push a layout image with its referrers, legacy cosign tags and imgpkg tags to a registry "
    "(blobs first, children before parents, referrers after subjects, tags last), or every "
    "tagged image with --all-to, keeping repository paths under a prefix. Referrers go through "
    "the referrers API or the fallback tag (--referrers-mode). A platform-filtered (partial) "
    "index is refused unless the registry already has the missing platforms: pull every "
    "platform first, or push one platform by digest. An imgpkg bundle is relocated as imgpkg "
    "does it: every locked image (nested bundles too) by digest into the bundle's destination "
    "repository, tagged sha256-<hex>.imgpkg, with its referrers and legacy tags, then the "
    "bundle, then an image-locations record as an OCI 1.1 referrer of the bundle."
)
EPILOG = """examples:
  ocitui push registry.example.com/app:1.0 mirror.internal:5000/app:1.0
  ocitui push app:1.0 mirror.internal:5000/team/app          # keeps the tag 1.0
  ocitui push --all-to mirror.internal:5000/mirror           # every tagged image
  ocitui push app:1.0 mirror.internal:5000/app:1.0 --referrers-mode tag --dry-run
  ocitui push app@sha256:<linux/amd64 manifest> mirror.internal:5000/app:1.0-amd64
  ocitui push team/bundle:1.0 mirror.internal:5000/team/bundle:1.0 --imgpkg-compat
  ocitui push team/bundle:1.0 mirror.internal:5000/team/bundle:1.0 --bundle-marking both"""


def add_bundle_options(parser: argparse.ArgumentParser) -> None:
    """``--imgpkg-compat`` and ``--bundle-marking`` (push, copy)."""
    parser.add_argument(
        "--imgpkg-compat",
        action="store_true",
        help="also write the <alg>-<hex>.image-locations.imgpkg image imgpkg itself reads",
    )
    parser.add_argument(
        "--bundle-marking",
        choices=MARKINGS,
        default=None,
        help="mark pushed imgpkg bundles with the config label, the OCI 1.1 artifactType, "
        "or both (default: keep what the bundle has; a new marking gives the bundle a new "
        "digest, which the destination tag then names)",
    )


def bundle_options_of(args: argparse.Namespace) -> BundleOptions:
    """The :class:`BundleOptions` from the parsed options."""
    return BundleOptions(imgpkg_compat=args.imgpkg_compat, marking=args.bundle_marking)


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``push`` arguments."""
    parser.add_argument("ref", nargs="?", metavar="REF", help="the layout image to push")
    parser.add_argument(
        "dest",
        nargs="?",
        metavar="DEST",
        help="destination reference (the source tag is kept when omitted)",
    )
    parser.add_argument(
        "--all-to",
        metavar="REGISTRY[/PREFIX]",
        help="push every tagged image, repository paths kept under PREFIX",
    )
    parser.add_argument(
        "--repository",
        metavar="NAME",
        help="with --all-to: the repository for short tags other tools wrote (1.0 -> NAME:1.0)",
    )
    add_filters(parser, platforms=False)
    add_bundle_options(parser)
    add_run_options(parser)
    add_verify_option(parser, "push")
    add_remote(parser)


def all_to_items(layout: Layout, target: str, *, repository: str | None = None) -> list[PushItem]:
    """Every tagged, non-machine name, mapped to ``target/<repository>:<tag>``.

    Short tags other tools wrote (``1.0``) name no repository: they go to
    ``target/<repository>:<tag>`` when ``repository`` is given, else they are skipped
    (see :func:`skipped_short_tags`), never read as ``library/1.0:latest``.
    """
    target = target.rstrip("/")
    items: list[PushItem] = []
    for entry in layout.tagged():
        name = entry.ref_name or ""
        if is_machine_tag(name):  # Legacy/fallback/imgpkg tags go with their subject.
            continue
        full = name
        if is_short_tag(name):
            if repository is None:
                continue
            full = with_repository(name, repository)
        try:
            ref = parse_reference(full)
        except InvalidReference:
            raise SyncError(f"cannot push {name!r}: not a full reference") from None
        suffix = f":{ref.tag}" if ref.tag else f"@{ref.digest}"
        items.append((name, parse_reference(f"{target}/{ref.repository}{suffix}")))
    if not items:
        raise SyncError("the layout has no tagged images to push" + _unnamed_hint(layout))
    return items


def _unnamed_hint(layout: Layout) -> str:
    """What to do with images that have no name (``crane pull --format=oci`` records
    them so): push each by digest, or name it first."""
    from ocitui.core.layout.summary import list_entries

    unnamed = [row.digest for row in list_entries(layout) if row.ref is None]
    if not unnamed:
        return ""
    return (
        f" ({len(unnamed)} without a name: push one by digest, e.g. "
        f"'ocitui push {unnamed[0]} REGISTRY/REPOSITORY:TAG', or name it with 'ocitui tag')"
    )


def skipped_short_tags(layout: Layout) -> list[str]:
    """Short tags ``--all-to`` leaves out when no ``--repository`` is given."""
    return sorted(e.ref_name or "" for e in layout.tagged() if is_short_tag(e.ref_name))


def push_items(layout: Layout, args: argparse.Namespace) -> list[PushItem]:
    """The (layout name, destination) pairs asked for."""
    if args.all_to:
        if args.ref or args.dest:
            raise UsageError("give either REF DEST or --all-to, not both")
        if args.repository is None:
            for name in skipped_short_tags(layout):
                print(
                    f"ocitui: warning: left behind {name!r}: a short tag names no repository "
                    "(give --repository NAME)",
                    file=sys.stderr,
                )
        return all_to_items(layout, args.all_to, repository=args.repository)
    if not args.ref or not args.dest:
        raise UsageError("push needs REF and DEST (or --all-to REGISTRY[/PREFIX])")
    dest = parse_reference(args.dest, default_tag=None)
    if dest.tag is None and dest.digest is None:
        source = layout.resolve(args.ref)
        dest = dest.with_tag(tag_of(source.ref_name) or "latest")
    return [(args.ref, dest)]


def run(args: argparse.Namespace) -> int:
    """Push to the registry."""
    from ocitui.core import sync

    layout = open_layout(args)
    items = push_items(layout, args)
    check_names(args, layout, [name for name, _ in items])
    sync_filter = filter_of(args)
    bundle_options = bundle_options_of(args)

    async def work(emit: EventSink) -> SyncReport:
        async with make_remote_client(args) as client:
            return await sync.push(
                layout,
                client,
                items,
                sync_filter,
                dry_run=args.dry_run,
                concurrency=args.concurrency,
                emit=emit,
                bundle_options=bundle_options,
            )

    return run_sync(args, work)

"""``ocitui pull``: registry -> layout, with everything attached (signatures, SBOMs, ...)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from ocitui.cli.common import add_json, open_layout
from ocitui.cli.progress import make_renderer
from ocitui.cli.verify_option import add_verify_option, explain, gate_of
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import Event, EventSink, Plan, PlanReady, SyncFilter, SyncReport

NAME = "pull"
ORDER = 20
HELP = "copy images and everything attached to them from registries into the layout"
DESCRIPTION = (
    "Copy images from registries into the layout together with their referrers (recursively), "
    "cosign legacy .sig/.att/.sbom tags and imgpkg tags. Blobs already in the layout are not "
    "fetched again; interrupted downloads resume from the layout's ingest/ directory; every "
    "byte is verified. The plan lists what will be copied, what is already there, and what "
    "is left behind by the filters. An imgpkg bundle brings every image it locks (nested "
    "bundles too) with their referrers; each is named <bundle repo>:sha256-<hex>.imgpkg in "
    "the layout, and is taken from the bundle's repository when the one in images.yml cannot "
    "be reached. Exit 1 when anything failed or is missing afterwards."
)
EPILOG = """examples:
  ocitui pull registry.example.com/app:1.0
  ocitui pull registry.example.com/app:1.0 --platform linux/amd64 --platform linux/arm64
  ocitui pull ghcr.io/org/app@sha256:<digest> --no-referrers
  ocitui pull registry.example.com/app:1.0 --artifact-type application/spdx+json
  ocitui pull registry.example.com/app:1.0 --exclude-artifact-type application/vnd.in-toto+json
  ocitui pull registry.example.com/app:1.0 --dry-run --json | jq .summary
  ocitui pull registry.example.com/team/bundle:1.0 --dry-run      # lists the locked images
  ocitui pull registry.example.com/app:1.0 --verify policy.yaml   # names nothing unverified

A platform-filtered pull keeps the index's original bytes and digest; the tagged entry
records the platforms present in the annotation dev.ocitui.platforms.

Requests: a pull does not list the repository's tags. Legacy cosign tags are looked up
per manifest (three HEADs), and on a registry without the referrers API so is each
manifest's sha256-<hex> fallback tag (one GET). Once a graph needs more than 24 such
lookups in one repository (many referrers), one tag listing of at most
OCITUI_PULL_TAG_PAGES pages (default 10) answers the rest; a longer list keeps the
lookups. An imgpkg bundle's own sha256-<hex>.image-locations.imgpkg record is looked up
with one HEAD; other *.imgpkg tags of the graph come along with 'ocitui mirror', which
lists tags anyway."""


def add_remote(parser: argparse.ArgumentParser) -> None:
    """The shared remote options (``--plain-http``, ``--referrers-mode`` ...)."""
    from ocitui.cli.remote import add_remote_args

    add_remote_args(parser)


def make_remote_client(args: argparse.Namespace) -> RegistryClient:
    """A client from the remote options."""
    from ocitui.cli.remote import make_client

    return make_client(args)


def add_filters(parser: argparse.ArgumentParser, *, platforms: bool = True) -> None:
    """``--platform``, ``--no-referrers``, ``--artifact-type``, ``--exclude-artifact-type``."""
    if platforms:
        parser.add_argument(
            "--platform",
            action="append",
            default=[],
            metavar="OS/ARCH[/VARIANT]",
            help="only these platforms of an index (repeatable: N of M)",
        )
    parser.add_argument(
        "--no-referrers", action="store_true", help="leave referrers and legacy cosign tags behind"
    )
    parser.add_argument(
        "--artifact-type",
        action="append",
        default=[],
        metavar="TYPE",
        help="only referrers of this artifact type (repeatable)",
    )
    parser.add_argument(
        "--exclude-artifact-type",
        action="append",
        default=[],
        metavar="TYPE",
        help="leave referrers of this artifact type behind (repeatable)",
    )


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """``--dry-run``, ``--concurrency``, ``--json``."""
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the plan (copy / already there / left behind) and stop",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=4,
        metavar="N",
        help="blobs transferred at once (default 4)",
    )
    add_json(parser)


def filter_of(args: argparse.Namespace) -> SyncFilter:
    """The :class:`SyncFilter` from the parsed options."""
    return SyncFilter.build(
        getattr(args, "platform", []) or [],
        args.artifact_type,
        args.exclude_artifact_type,
        referrers=not args.no_referrers,
    )


def format_bundles(plan: Plan) -> str:
    """The imgpkg bundles of a plan and the images they lock, as human lines."""
    lines = []
    for bundle in plan.bundles:
        nested = f", nested in {bundle.parent.short}" if bundle.parent else ""
        lines.append(
            f"  bundle {bundle.digest.short} ({'+'.join(bundle.markings)}{nested}): "
            f"{len(bundle.images)} locked image{'' if len(bundle.images) == 1 else 's'}"
        )
        if bundle.remarked_from is not None:
            lines.append(f"    re-marked from {bundle.remarked_from.short} (a new digest)")
        for image in bundle.images:
            kind = "bundle" if image.is_bundle else "image"
            lines.append(f"    - {kind:<6} {image.image}")
            origin = "the layout" if image.source == "layout" else image.source
            lines.append(f"             from {origin}, as {image.name}")
        if bundle.locations is not None:
            lines.append(f"    image-locations record {bundle.locations.short} (a referrer)")
        if bundle.locations_tag is not None:
            lines.append(f"    image-locations for imgpkg: {bundle.locations_tag}")
    return "\n".join(lines) + "\n" if lines else ""


def run_sync(
    args: argparse.Namespace,
    work: Callable[[EventSink], Coroutine[Any, Any, SyncReport]],
) -> int:
    """Run ``work`` with a renderer; exit 0 when the report is ok, else 1."""
    renderer = make_renderer(args.json)

    def sink(event: Event) -> None:
        renderer(event)
        if isinstance(event, PlanReady) and not args.json:
            sys.stdout.write(format_bundles(event.plan))

    try:
        report = asyncio.run(work(sink))
    finally:
        renderer.close()
    return 0 if report.ok else 1


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``pull`` arguments."""
    parser.add_argument("refs", nargs="+", metavar="REF", help="image references to pull")
    add_filters(parser)
    add_run_options(parser)
    add_verify_option(parser, "name")
    add_remote(parser)


def run(args: argparse.Namespace) -> int:
    """Pull each REF into the layout."""
    from ocitui.core import sync

    if args.concurrency < 1:
        raise SystemExit("ocitui pull: --concurrency must be at least 1")
    sync_filter = filter_of(args)
    gate = gate_of(args)
    layout = open_layout(args, create=True)

    async def work(emit: EventSink) -> SyncReport:
        async with make_remote_client(args) as client:
            return await sync.pull(
                client,
                layout,
                args.refs,
                sync_filter,
                dry_run=args.dry_run,
                concurrency=args.concurrency,
                emit=emit,
                gate=gate,
            )

    code = run_sync(args, work)
    explain(gate)
    return code

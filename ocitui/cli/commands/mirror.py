"""``ocitui mirror``: stage everything a mirror file selects (skopeo sync YAML or ocitui's)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ocitui.cli.common import add_json, human_size, layout_dir, open_layout, print_json
from ocitui.cli.progress import make_renderer
from ocitui.core.layout import Layout

if TYPE_CHECKING:
    from ocitui.core.mirror import MirrorPlan, MirrorReport
    from ocitui.core.sync import Event

NAME = "mirror"
ORDER = 24
HELP = "stage every image a mirror file selects (skopeo sync YAML or ocitui's format)"
DESCRIPTION = (
    "Read a mirror file and stage everything it selects in the layout, with referrers, "
    "legacy cosign tags and imgpkg bundle images. skopeo sync's YAML works as it is "
    "(images, images-by-tag-regex, images-by-semver, tls-verify, cert-dir, credentials) and "
    "selects the tags skopeo sync would; ocitui's format (a file starting with "
    "'ocitui-mirror: v1', see the README) adds per-image platforms, referrer artifact types, "
    "legacy tags on/off, newest-N, a push destination and a verification policy (names only "
    "what satisfies it). The whole file is planned before "
    "anything moves. A re-run lists each repository's tags once, HEADs each selected tag "
    "once and downloads nothing that is already staged, but still lists the referrers of "
    "every manifest (one request each; none where the registry has no referrers API and the "
    "tag list shows no fallback tag), so new signatures of old tags arrive. One image "
    "failing does not stop the others; the exit code is then 1."
)
EPILOG = """examples:
  ocitui mirror sync.yaml --dry-run            # the plan: tags selected per image, bytes to copy
  ocitui mirror sync.yaml                      # stage into the layout
  ocitui mirror sync.yaml --json | jq '.report.images[] | {image, copied, failed}'
  ocitui mirror mirror.yaml --push             # stage, then push to each image's destination
  ocitui mirror sync.yaml --push --to mirror.internal:5000/mirror

skopeo sync's tag regexes are unanchored, as in skopeo: '1\\.2' selects 'v1.2-alpine' too."""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``mirror`` arguments."""
    from ocitui.cli.remote import add_remote_args

    parser.add_argument("file", metavar="FILE", help="the mirror file (YAML)")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the plan and stop (the layout is untouched)"
    )
    parser.add_argument(
        "--push", action="store_true", help="after staging, push each image to its destination"
    )
    parser.add_argument(
        "--to",
        metavar="REGISTRY[/PREFIX]",
        help="push destination for every image: PREFIX/<repository path> (with --push)",
    )
    parser.add_argument(
        "--jobs", type=int, default=4, metavar="N", help="images planned/pushed at once (default 4)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=4, metavar="N", help="blobs at once (default 4)"
    )
    add_json(parser)
    add_remote_args(parser)


def _layout(args: argparse.Namespace, scratch: str) -> Layout:
    """The layout; a dry run on a layout that does not exist plans against an empty one."""
    if args.dry_run and not (layout_dir(args) / "index.json").exists():
        return Layout.open(Path(scratch) / "empty", create=True)
    return open_layout(args, create=not args.dry_run)


def run(args: argparse.Namespace) -> int:
    """Plan, stage and (with ``--push``) deliver the mirror file."""
    from ocitui.cli.remote import make_client, registry_options
    from ocitui.core.mirror import Connections, load_mirror_file, mirror
    from ocitui.core.registry import DockerCredentials, RegistryClient

    for option in ("jobs", "concurrency"):
        if getattr(args, option) < 1:
            print(f"ocitui mirror: --{option} must be at least 1", file=sys.stderr)
            return 2
    if args.to and not args.push:
        print("ocitui mirror: --to needs --push", file=sys.stderr)
        return 2
    config = load_mirror_file(args.file)
    renderer = make_renderer(False) if not args.json else None
    out: dict[str, object] = {}

    def sink(event: Event) -> None:
        from ocitui.core.mirror import MirrorFinished, MirrorPlanReady

        if isinstance(event, MirrorPlanReady):
            out["plan"] = event.plan.to_json()
            if renderer is not None:
                sys.stdout.write(format_mirror_plan(event.plan))
        elif isinstance(event, MirrorFinished):
            out["report"] = event.report.to_json()
            if renderer is not None:
                renderer.close()
                sys.stdout.write(format_mirror_report(event.report))
        elif renderer is not None:
            renderer(event)

    with tempfile.TemporaryDirectory(prefix="ocitui-mirror-") as scratch:
        layout = _layout(args, scratch)

        async def work() -> bool:
            base = registry_options(args)
            fallback = DockerCredentials(registry_config=getattr(args, "registry_config", None))
            connections = Connections(
                config,
                base,
                fallback,
                lambda options, creds: RegistryClient(options, credentials=creds),
            )
            push_client = make_client(args) if args.push else None
            try:
                report = await mirror(
                    config,
                    layout,
                    connections,
                    dry_run=args.dry_run,
                    jobs=args.jobs,
                    concurrency=args.concurrency,
                    push_client=push_client,
                    push_to=args.to,
                    emit=sink,
                )
            finally:
                await connections.aclose()
                if push_client is not None:
                    await push_client.aclose()
            return report.ok

        try:
            ok = asyncio.run(work())
        finally:
            if renderer is not None:
                renderer.close()
    if args.json:
        print_json(out)
    elif args.push and args.dry_run:
        print("push: not planned in a dry run (it needs the staged content)")
    return 0 if ok else 1


def format_mirror_plan(plan: MirrorPlan) -> str:
    """The per-image part of a mirror plan as human lines."""
    lines = [f"mirror: {plan.config.path} ({plan.config.format} format) -> layout {plan.layout}"]
    lines += [f"  warning: {w}" for w in [*plan.config.warnings, *plan.warnings]]
    for image in plan.images:
        listed = f", {image.listed} listed" if image.listed is not None else ""
        lines.append(f"  {image.name}  [{len(image.tags)} selected{listed}]")
        if image.error is not None:
            lines.append(f"    FAILED: {image.error}")
        for choice in image.tags:
            detail = f"  {choice.detail}" if choice.detail else ""
            digest = f"  {choice.digest.short}" if choice.digest is not None else ""
            lines.append(f"    {choice.state:<9} {choice.tag}{digest}{detail}")
    return "\n".join(lines) + "\n"


def format_mirror_report(report: MirrorReport) -> str:
    """The per-image mirror report as human lines."""
    lines = ["mirror report:"]
    for image in report.images:
        state = "ok" if image.ok else "FAILED"
        lines.append(
            f"  {state:<6} {image.image}: {len(image.copied)} copied, {len(image.skipped)} "
            f"skipped, {len(image.covered)} covered, {len(image.left_behind)} left behind, "
            f"{image.blobs_copied} blobs ({human_size(image.bytes_copied)})"
        )
        if image.verified:
            lines.append(f"         verified: {', '.join(image.verified)}")
        if image.push is not None:
            pushed = image.push
            lines.append(
                f"         pushed to {image.pushed_to}: {pushed.blobs_copied} blobs "
                f"({human_size(pushed.bytes_copied)}), {pushed.manifests_written} manifests, "
                f"{pushed.tags_written} tags" + ("" if pushed.ok else " (incomplete)")
            )
        lines += [f"         - {problem}" for problem in image.failed]
    if report.dry_run:
        lines.append("dry run: nothing was written")
    else:
        lines.append("ok" if report.ok else "mirror incomplete: see FAILED above")
    return "\n".join(lines) + "\n"

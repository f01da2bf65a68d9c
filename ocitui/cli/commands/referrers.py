"""``ocitui referrers``: what is attached to a manifest or index."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ocitui.cli.common import add_json, human_size, open_content, print_json
from ocitui.core.inspection import descriptor_row, tree_rows
from ocitui.core.layout.referrers import ReferrerNode, entry_label
from ocitui.core.layout.refs import display_name
from ocitui.core.layout.summary import LEGACY_LABELS
from ocitui.core.media_types import friendly_artifact_type
from ocitui.core.models import CREATED, Descriptor
from ocitui.core.reference import parse_reference

NAME = "referrers"
ORDER = 3
HELP = "list the referrers (signatures, SBOMs, attestations) of a subject"
DESCRIPTION = (
    "List the OCI 1.1 referrers of REF: manifests whose subject is REF. With --tree, their\n"
    "referrers too (a signature of an SBOM shows under the SBOM). Legacy cosign tags\n"
    "(sha256-<hex>.sig/.att/.sbom) are listed after the referrers."
)
EPILOG = """examples:
  ocitui referrers registry.example.com/demo/app:1.0 --tree
  ocitui referrers app:1.0 --artifact-type application/spdx+json --json"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``referrers`` arguments."""
    parser.add_argument("ref", metavar="REF", help="subject: a ref, short ref or digest")
    parser.add_argument(
        "--artifact-type",
        "-t",
        action="append",
        default=[],
        metavar="TYPE",
        help="only referrers of this artifact type (repeatable)",
    )
    parser.add_argument("--tree", action="store_true", help="recurse into referrers' referrers")
    parser.add_argument(
        "--remote",
        action="store_true",
        help="ask the registry REF names (verified; the layout is not touched)",
    )
    add_json(parser)
    from ocitui.cli.remote import add_remote_args

    add_remote_args(parser)


def run(args: argparse.Namespace) -> int:
    """List referrers."""
    if getattr(args, "remote", False):
        return _run_remote(args)
    layout, name = open_content(args, args.ref)
    subject = layout.resolve(name)
    types: Sequence[str] = args.artifact_type
    if args.tree:
        nodes = layout.referrer_tree(subject.digest, types)
        rows: list[dict[str, Any]] = tree_rows(nodes)
    else:
        nodes = [ReferrerNode(d) for d in layout.referrers(subject.digest, types)]
        rows = [descriptor_row(n.descriptor) for n in nodes]
    legacy = [] if types else layout.legacy_attachments(subject.digest)
    return _show(args, subject, nodes, rows, legacy, root=layout.root)


def _run_remote(args: argparse.Namespace) -> int:
    """``--remote``: the same listing, from the registry (core: ocitui.core.sync.remote)."""
    import asyncio

    from ocitui.cli.remote import make_client
    from ocitui.core.sync import repository
    from ocitui.core.sync.remote import remote_document, remote_legacy, remote_referrers

    async def fetch() -> tuple[Any, list[ReferrerNode], list[Any]]:
        async with make_client(args) as client:
            subject, _ = await remote_document(client, args.ref)
            repo = repository(parse_reference(args.ref))
            nodes = await remote_referrers(
                client, repo, subject.digest, args.artifact_type, tree=args.tree
            )
            legacy = [] if args.artifact_type else await remote_legacy(client, repo, subject.digest)
            return subject, nodes, legacy

    subject, nodes, legacy = asyncio.run(fetch())
    rows = tree_rows(nodes) if args.tree else [descriptor_row(n.descriptor) for n in nodes]
    return _show(args, subject, nodes, rows, legacy, root=None)


def _show(
    args: argparse.Namespace,
    subject: Any,
    nodes: Sequence[ReferrerNode],
    rows: list[dict[str, Any]],
    legacy: Sequence[Any],
    *,
    root: Path | None,
) -> int:
    """Print (``root``: the layout whose short tags are shown as ``(local)/LAYOUT:TAG``)."""

    def name(entry: Descriptor) -> str | None:
        return display_name(entry.ref_name, root) if root is not None else entry.ref_name

    if args.json:
        print_json(rows, floatless=True)
        return 0
    print(f"{name(subject) or subject.digest}  {subject.digest.short}")
    _print_nodes(nodes, "", more=bool(legacy))
    for i, (kind, entry) in enumerate(legacy):
        glyph = "└── " if i == len(legacy) - 1 else "├── "
        print(
            f"{glyph}{LEGACY_LABELS[kind]}  {entry.digest.short}  {name(entry) or entry_label(entry)}"
        )
    if not nodes and not legacy:
        print("(no referrers)", file=sys.stderr)
    return 0


def _print_nodes(nodes: Sequence[ReferrerNode], prefix: str, *, more: bool = False) -> None:
    for i, node in enumerate(nodes):
        last = i == len(nodes) - 1 and not more
        desc = node.descriptor
        created = desc.annotations.get(CREATED, "")
        print(
            f"{prefix}{'└── ' if last else '├── '}{friendly_artifact_type(desc.artifact_type)}"
            f"  {desc.digest.short}  {human_size(desc.size)}  {created}".rstrip()
        )
        below = prefix + ("    " if last else "│   ")
        if node.truncated:
            print(f"{below}└── ... (deeper referrers not shown: graph-depth limit)")
        _print_nodes(node.children, below)

"""``ocitui inspect``: a manifest or index, its config, layers, annotations and referrers."""

from __future__ import annotations

import argparse
from typing import Any

from ocitui.cli.common import add_json, human_size, open_content, print_json
from ocitui.core.bundles import Bundle
from ocitui.core.inspection import InspectDoc, describe
from ocitui.core.layout.referrers import ReferrerNode
from ocitui.core.layout.refs import pinned_name
from ocitui.core.media_types import friendly_artifact_type
from ocitui.core.models import Descriptor, Platform
from ocitui.core.views_inspect import shown_name
from ocitui.core.views_text import argv_text

NAME = "inspect"
ORDER = 2
HELP = "show a manifest or index: config, layers, platforms, annotations, referrers"
EPILOG = """examples:
  ocitui inspect registry.example.com/demo/app:1.0
  ocitui inspect app:1.0 --platform linux/arm64
  ocitui inspect sha256:<digest> --json
  ocitui inspect app:1.0 --raw | jq .
  ocitui inspect --remote ghcr.io/org/app:v1 --json
  ocitui inspect /media/usb/app.tar.zst:app:1.0     # inside an export archive, not imported
  ocitui inspect oci-archive:/media/usb/app.tar     # its only name"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``inspect`` arguments."""
    parser.add_argument(
        "ref",
        metavar="REF",
        help="a ref, short ref or digest; ARCHIVE:REF reads an export archive in place",
    )
    parser.add_argument(
        "--platform", metavar="OS/ARCH[/VARIANT]", help="for an index: inspect this platform"
    )
    parser.add_argument("--raw", action="store_true", help="print the exact manifest bytes")
    parser.add_argument(
        "--remote",
        action="store_true",
        help="ask the registry REF names (nothing is written to the layout)",
    )
    add_json(parser)
    from ocitui.cli.remote import add_remote_args

    add_remote_args(parser)


def run(args: argparse.Namespace) -> int:
    """Inspect one entry."""
    if args.remote:
        return _run_remote(args)
    layout, name = open_content(args, args.ref)
    desc = layout.resolve(name)
    if args.platform:
        from ocitui.core.errors import NotFound
        from ocitui.core.models import Index

        wanted = Platform.parse(args.platform)
        doc = layout.get_document(desc.digest, desc.media_type)
        if not isinstance(doc, Index):
            raise NotFound(f"{args.ref} is a single manifest, not an index")
        match = [d for d in doc.manifests if d.platform and d.platform.matches(wanted)]
        if not match:
            raise NotFound(f"{args.ref} has no {wanted} manifest")
        name = _platform_name(desc, match[0]) or name
        desc = match[0]
    if args.raw:
        import sys

        sys.stdout.buffer.write(layout.read_blob(desc.digest))
        return 0
    info = describe(layout, desc, ref=desc.ref_name or pinned_name(layout, name))
    if args.json:
        print_json(info.to_json())
    else:
        _print(info)
    return 0


def _platform_name(index: Descriptor, chosen: Descriptor) -> str | None:
    """``REPOSITORY@sha256:...`` of the platform manifest ``--platform`` picked from the
    index entry ``index`` (None when the index has no full name to borrow from)."""
    from ocitui.core.errors import InvalidReference
    from ocitui.core.layout.refs import is_short_tag
    from ocitui.core.reference import parse_reference

    if not index.ref_name or is_short_tag(index.ref_name):
        return None
    try:
        return f"{parse_reference(index.ref_name).name}@{chosen.digest}"
    except InvalidReference:
        return None


def _run_remote(args: argparse.Namespace) -> int:
    """``--remote``: the same document from the registry (core: sync.inspect_remote)."""
    import asyncio

    from ocitui.cli.remote import make_client
    from ocitui.core.errors import OcituiError
    from ocitui.core.sync.inspect_remote import remote_describe

    if args.platform or args.raw:
        raise OcituiError(
            "--platform and --raw work on the layout; with --remote, name the "
            "platform manifest by digest (REPO@sha256:...)"
        )

    async def fetch() -> InspectDoc:
        async with make_client(args) as client:
            return await remote_describe(client, args.ref)

    info = asyncio.run(fetch())
    if args.json:
        print_json(info.to_json())
    else:
        _print(info)
    return 0


def _print(info: InspectDoc) -> None:
    """The text form, read from the typed document (``--json`` is its ``to_json``)."""
    doc = info.document
    print(f"Ref:           {shown_name(info)}")
    print(f"Digest:        {info.descriptor.digest}")
    print(f"Media type:    {doc.media_type}")
    print(f"Artifact type: {info.artifact_type or '-'}")
    print(f"Size:          {len(doc.raw)} B")
    if info.subject:
        print(f"Subject:       {info.subject}")
    for key, value in sorted(doc.annotations.items()):
        print(f"  {key}: {value}")
    if info.is_index:
        print("Platforms:")
        for part in info.parts:
            child = part.descriptor
            state = "  (not in layout)" if part.present is False else ""
            platform = str(child.platform) if child.platform else "-"
            print(f"  {platform:<16} {child.digest}  {human_size(child.size)}{state}")
    if info.config is not None:
        config = info.config.descriptor
        print(f"Config:        {config.digest} ({config.media_type})")
        for key, value in (info.config.summary or {}).items():
            if value not in (None, [], {}, ""):
                _print_value(key, value, "  ")
        print("Layers:")
        for part in info.parts:
            layer = part.descriptor
            state = "  (not in layout)" if part.present is False else ""
            print(f"  {layer.digest}  {human_size(layer.size):>10}  {layer.media_type}{state}")
    if info.referrers:
        print("Referrers:")
        _print_tree(info.referrers, "  ")
    if info.bundle_error is not None:
        print(f"imgpkg bundle: {info.bundle_error}")
    elif info.bundle is not None:
        _print_bundle(info.bundle, "")
    for item in info.legacy:
        print(f"Legacy .{item.kind}: {item.label}")


#: Config fields that are command lines: shown as a shell would read them.
_ARGV_FIELDS = frozenset({"entrypoint", "cmd", "shell"})


def _print_value(key: str, value: Any, indent: str) -> None:
    """A config field as people read it: lists joined, mappings one ``key: value`` a line."""
    if isinstance(value, dict):
        print(f"{indent}{key}:")
        for inner, item in sorted(value.items()):
            print(f"{indent}  {inner}: {item}")
    elif isinstance(value, (list, tuple)) and key in _ARGV_FIELDS:
        print(f"{indent}{key}: {argv_text(value)}")
    elif isinstance(value, (list, tuple)):
        print(f"{indent}{key}: {', '.join(str(v) for v in value)}")
    else:
        print(f"{indent}{key}: {value}")


def _print_tree(nodes: list[ReferrerNode], indent: str) -> None:
    for node in nodes:
        desc = node.descriptor
        print(f"{indent}{friendly_artifact_type(desc.artifact_type)}  {desc.digest}")
        _print_tree(node.children, indent + "  ")


def _print_bundle(bundle: Bundle, indent: str) -> None:
    name = bundle.metadata.name if bundle.metadata is not None else None
    print(f"{indent}imgpkg bundle {name or ''} ({', '.join(sorted(bundle.markings))}):")
    for image in bundle.images:
        state = "" if image.present else "  (not in layout)"
        print(f"{indent}  {image.image}{state}")
        if image.bundle is not None:
            _print_bundle(image.bundle, indent + "    ")

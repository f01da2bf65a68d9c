"""``ocitui attach``: make a new OCI 1.1 referrer from local files."""

from __future__ import annotations

import argparse

from ocitui.cli.common import add_json, open_layout, print_json
from ocitui.core.errors import OcituiError
from ocitui.core.layout.attach import attach, parse_file_arg

NAME = "attach"
ORDER = 10
HELP = "attach files to an image as a new referrer (SBOM, signature, report...)"
DESCRIPTION = (
    "Create an OCI 1.1 artifact manifest in the layout: empty config, the given\n"
    "artifactType, one layer per FILE (FILE:MEDIATYPE sets the layer's media type;\n"
    "default application/octet-stream), annotations (org.opencontainers.image.created is\n"
    "added), and subject = REF. Push it later with the image."
)
EPILOG = """examples:
  ocitui attach app:1.0 --artifact-type application/spdx+json sbom.json:application/spdx+json
  ocitui attach app:1.0 -t application/vnd.example.report.v1 scan.txt -A org.example.tool=scanner"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``attach`` arguments."""
    parser.add_argument("ref", metavar="REF", help="the subject")
    parser.add_argument(
        "files", metavar="FILE[:MEDIATYPE]", nargs="*", help="files to carry as layers"
    )
    parser.add_argument(
        "--artifact-type", "-t", required=True, metavar="TYPE", help="the artifact type"
    )
    parser.add_argument(
        "--annotation",
        "-A",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="manifest annotation (repeatable)",
    )
    add_json(parser)
    parser.set_defaults(intermixed="files")


def run(args: argparse.Namespace) -> int:
    """Attach."""
    annotations = {}
    for item in args.annotation:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise OcituiError(f"annotation {item!r} is not KEY=VALUE")
        annotations[key] = value
    layout = open_layout(args)
    entry = attach(
        layout,
        args.ref,
        args.artifact_type,
        [parse_file_arg(f) for f in args.files],
        annotations,
    )
    if args.json:
        print_json(
            {
                "digest": str(entry.digest),
                "mediaType": entry.media_type,
                "artifactType": entry.artifact_type,
                "size": entry.size,
                "annotations": entry.annotations,
            }
        )
    else:
        print(entry.digest)
    return 0

"""``ocitui tag``: give an entry another name."""

from __future__ import annotations

import argparse

from ocitui.cli.common import open_layout

NAME = "tag"
ORDER = 11
HELP = "name an entry (SRC) with another reference (NAME)"
EPILOG = """examples:
  ocitui tag registry.example.com/demo/app:1.0 registry.example.com/demo/app:stable
  ocitui tag sha256:<digest> myregistry.local:5000/app:v1"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``tag`` arguments."""
    parser.add_argument("src", metavar="SRC", help="an existing ref, short ref or digest")
    parser.add_argument("name", metavar="NAME", help="the new name (normalised to a full ref)")


def run(args: argparse.Namespace) -> int:
    """Tag."""
    layout = open_layout(args)
    source = layout.resolve(args.src)
    plain = source.with_changes(
        annotations={
            k: v for k, v in source.annotations.items() if k != "org.opencontainers.image.ref.name"
        }
    )
    entry = layout.set_tag(args.name, plain)
    print(f"{entry.ref_name} -> {entry.digest}")
    return 0

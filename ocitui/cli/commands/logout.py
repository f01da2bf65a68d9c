"""``ocitui logout``: forget the saved credentials of a registry."""

from __future__ import annotations

import argparse

from ocitui.cli.commands.login import registry_host
from ocitui.core.registry.credstore import config_path, erase_credentials

NAME = "logout"
ORDER = 91
HELP = "forget the saved credentials of a registry"
DESCRIPTION = (
    "Remove REGISTRY's credentials from the credential helper and from config.json\n"
    "(or from --registry-config FILE / OCITUI_REGISTRY_CONFIG)."
)
EPILOG = """examples:
  ocitui logout registry.example.com
  ocitui logout docker.io"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``logout`` arguments."""
    parser.add_argument("registry", metavar="REGISTRY", help="registry host[:port]")
    parser.add_argument(
        "--registry-config", metavar="FILE", help="the credentials file to edit instead"
    )


def run(args: argparse.Namespace) -> int:
    """Erase."""
    registry = registry_host(args.registry)
    if erase_credentials(registry, config_path(args.registry_config)):
        print(f"Removed login credentials for {registry}")
    else:
        print(f"Not logged in to {registry}")
    return 0

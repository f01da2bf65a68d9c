"""Remote options shared by every command that talks to a registry.

``add_remote_args(parser)`` adds ``--plain-http``, ``--insecure``, ``--ca-file``,
``--registry-config`` and ``--referrers-mode``; ``registry_options(args)`` and
``make_client(args)`` turn them into a :class:`~ocitui.core.registry.RegistryOptions` and a
:class:`~ocitui.core.registry.RegistryClient`. Registry warnings and retry notices go to
stderr. ``OCITUI_CERTS_DIRS`` (paths separated by ``:``) replaces the ``certs.d`` roots.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # httpx and the registry client load only when a command talks to one.
    from ocitui.core.registry import RegistryClient, RegistryOptions


def _has(parser: argparse.ArgumentParser, option: str) -> bool:
    """True when a command already defines ``option`` itself (no argparse conflict)."""
    return any(option in action.option_strings for action in parser._actions)


def add_remote_args(parser: argparse.ArgumentParser) -> None:
    """Add the remote options (those the command does not define itself)."""
    group = parser.add_argument_group("registry options")
    if not _has(parser, "--plain-http"):
        group.add_argument(
            "--plain-http",
            action="store_true",
            help="talk plain HTTP to the registry (a loopback registry falls back to it "
            "when its TLS handshake fails)",
        )
    if not _has(parser, "--insecure"):
        group.add_argument(
            "--insecure", action="store_true", help="skip TLS certificate verification"
        )
    if not _has(parser, "--ca-file"):
        group.add_argument("--ca-file", metavar="FILE", help="extra CA certificates (PEM)")
    if not _has(parser, "--registry-config"):
        group.add_argument(
            "--registry-config",
            metavar="FILE",
            help="credentials file in docker config.json shape, tried before docker's own "
            "(env OCITUI_REGISTRY_CONFIG)",
        )
    if not _has(parser, "--referrers-mode"):
        group.add_argument(
            "--referrers-mode",
            choices=("auto", "api", "tag"),
            default="auto",
            help="referrers API, fallback tag, or auto-detect per repository (default: auto)",
        )


def registry_options(args: argparse.Namespace, **overrides: Any) -> RegistryOptions:
    """Options from the parsed remote arguments (missing ones keep their defaults)."""
    from ocitui.core.registry import RegistryOptions

    certs = os.environ.get("OCITUI_CERTS_DIRS")
    options = RegistryOptions(
        plain_http=bool(getattr(args, "plain_http", False)),
        insecure=bool(getattr(args, "insecure", False)),
        ca_file=getattr(args, "ca_file", None),
        referrers_mode=getattr(args, "referrers_mode", None) or "auto",
        certs_dirs=tuple(p for p in certs.split(os.pathsep) if p) if certs is not None else None,
    )
    return replace(options, **overrides) if overrides else options


def _warn(text: str) -> None:
    print(f"ocitui: registry warning: {text}", file=sys.stderr)


def _notice(text: str) -> None:
    print(f"ocitui: {text}", file=sys.stderr, flush=True)


def make_client(
    args: argparse.Namespace,
    *,
    on_warning: Callable[[str], None] | None = _warn,
    **overrides: Any,
) -> RegistryClient:
    """A client for the parsed arguments; ``overrides`` replace option fields.

    Registry warnings and retry notices go to stderr, or to ``on_warning`` (the TUI, which
    owns the screen, passes None: no stray text over it, and no notices either).
    """
    from ocitui.core.registry import DockerCredentials, RegistryClient

    credentials = DockerCredentials(registry_config=getattr(args, "registry_config", None))
    return RegistryClient(
        registry_options(args, **overrides),
        credentials=credentials,
        on_warning=on_warning,
        on_notice=_notice if on_warning is not None else None,
    )


def client_factory(args: argparse.Namespace) -> Callable[[], RegistryClient]:
    """New clients with the parsed options, for a face that opens several (the TUI)."""
    return lambda: make_client(args, on_warning=None)

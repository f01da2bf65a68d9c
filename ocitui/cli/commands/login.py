"""``ocitui login``: check credentials against a registry, then save them."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from ocitui.cli.remote import add_remote_args, registry_options
from ocitui.core.errors import AuthError, InvalidReference
from ocitui.core.reference import DOCKER_HUB, is_valid_registry
from ocitui.core.registry import Credential, RegistryClient, StaticCredentials
from ocitui.core.registry.credstore import config_path, store_credentials

NAME = "login"
ORDER = 90
HELP = "log in to a registry (credentials are checked before they are saved)"
DESCRIPTION = (
    "Check a username and password (or token) against REGISTRY, then save them: through\n"
    "the credential helper configured in docker's config.json (credsStore/credHelpers) if\n"
    "there is one, else into config.json itself (mode 0600, base64 - not encrypted).\n"
    "With --registry-config FILE (or OCITUI_REGISTRY_CONFIG) that file is used instead."
)
EPILOG = """examples:
  ocitui login registry.example.com -u alice
  echo "$TOKEN" | ocitui login ghcr.io -u alice --password-stdin
  ocitui login localhost:5000 -u admin --password-stdin < pw.txt
  ocitui login docker.io -u alice --registry-config ./ci-auth.json --password-stdin"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``login`` arguments."""
    parser.add_argument("registry", metavar="REGISTRY", help="registry host[:port]")
    parser.add_argument("-u", "--username", help="user name (prompted on a terminal)")
    parser.add_argument(
        "--password-stdin", action="store_true", help="read the password or token from stdin"
    )
    add_remote_args(parser)


def registry_host(text: str) -> str:
    """``https://Registry.example.com/v2/`` -> ``registry.example.com``; Hub -> docker.io."""
    host = text.strip()
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0]
    if host in ("index.docker.io", "registry-1.docker.io", "docker.io"):
        return DOCKER_HUB
    if not host or not is_valid_registry(host):
        raise InvalidReference(f"invalid registry {text!r}: expected host[:port]")
    return host.lower()


def _read_secret(args: argparse.Namespace) -> tuple[str, str]:
    username = args.username
    if args.password_stdin:
        if not username:
            raise AuthError("--password-stdin needs --username")
        secret = sys.stdin.read().rstrip("\r\n")
    else:
        if not sys.stdin.isatty():
            raise AuthError("no terminal to prompt on: use --username and --password-stdin")
        username = username or input("Username: ").strip()
        secret = getpass.getpass("Password: ")
    if not username or not secret:
        raise AuthError("username and password must not be empty")
    return username, secret


async def verify(registry: str, credential: Credential, args: argparse.Namespace) -> None:
    """Ping the registry with ``credential``; AuthError when it refuses them."""
    credentials = StaticCredentials({registry: credential})
    async with RegistryClient(registry_options(args), credentials=credentials) as client:
        try:
            await client.ping(registry)
        except AuthError as exc:
            if exc.status != 401:
                raise
            # Not the generic "check 'ocitui login'" hint: this is that login.
            raise AuthError(
                f"{registry}: login refused (HTTP 401): wrong username or password?",
                status=401,
                code=exc.code,
            ) from None


def run(args: argparse.Namespace) -> int:
    """Verify, then store."""
    registry = registry_host(args.registry)
    username, secret = _read_secret(args)
    asyncio.run(verify(registry, Credential(username, secret), args))
    stored = store_credentials(registry, username, secret, config_path(args.registry_config))
    if stored.plaintext:
        print(
            f"ocitui: warning: credentials are stored unencrypted in {stored.path}; "
            "configure a credential helper (credsStore) to avoid this",
            file=sys.stderr,
        )
    else:
        print(f"Credentials stored with docker-credential-{stored.helper}.", file=sys.stderr)
    print("Login Succeeded")
    return 0

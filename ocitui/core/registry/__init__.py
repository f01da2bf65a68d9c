"""Async registry client on httpx: auth, manifests, blobs, tags, referrers.

The public surface: :class:`RegistryClient`, :class:`RegistryOptions`, the
:class:`BlobSink` protocol downloads write into, the result types, and the credential
providers.
"""

import sys

if "httpx" not in sys.modules:
    # httpx's package __init__ imports its command-line entry point, which imports rich
    # (and click, pygments) whenever they are installed - and rich is, through textual.
    # The core must not import rich; httpx falls back to a stub ``main`` when that one
    # import fails, and nothing here needs httpx's CLI.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


from ocitui.core.registry.base import BlobSink, FetchedManifest, PushedManifest
from ocitui.core.registry.client import RegistryClient
from ocitui.core.registry.credentials import (
    Credential,
    CredentialProvider,
    DockerCredentials,
    StaticCredentials,
)
from ocitui.core.registry.options import ReferrersMode, RegistryOptions, is_loopback

__all__ = [
    "BlobSink",
    "Credential",
    "CredentialProvider",
    "DockerCredentials",
    "FetchedManifest",
    "PushedManifest",
    "ReferrersMode",
    "RegistryClient",
    "RegistryOptions",
    "StaticCredentials",
    "is_loopback",
]

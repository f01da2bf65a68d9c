"""Async registry client on httpx: auth, manifests, blobs, tags, referrers.

The public surface: :class:`RegistryClient`, :class:`RegistryOptions`, the
:class:`BlobSink` protocol downloads write into, the result types, and the credential
providers.
"""

import sys as _sys

if "httpx" not in _sys.modules:
    # httpx's package __init__ imports its command-line entry point (``httpx._main``),
    # which imports rich, click and pygments whenever they are installed (rich is, through
    # textual). The core never draws: that one submodule is blocked for the duration of
    # this import only; httpx then keeps a stub ``main``, and nothing here needs its CLI.
    _blocked = "httpx._main" not in _sys.modules
    if _blocked:
        _sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx  # noqa: F401
    finally:
        if _blocked:
            del _sys.modules["httpx._main"]

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

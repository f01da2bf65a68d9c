"""Async registry client on httpx: auth, manifests, blobs, tags, referrers.

The public surface: :class:`RegistryClient`, :class:`RegistryOptions`, the
:class:`BlobSink` protocol downloads write into, the result types, and the credential
providers.
"""

import sys as _sys

if "httpx" not in _sys.modules:
    # Two optional imports are blocked for the duration of this import only:
    # - httpx's package __init__ imports its command-line entry point (``httpx._main``),
    #   which imports rich, click and pygments whenever they are installed (rich is,
    #   through textual). The core never draws; httpx then keeps a stub ``main``.
    # - httpcore imports trio whenever it is installed (to support running under trio):
    #   ~40 ms of start-up, a tenth of a small pull. ocitui runs on asyncio only; httpcore
    #   in this process then refuses to run under trio, which nothing here does.
    _blocked = [name for name in ("httpx._main", "trio") if name not in _sys.modules]
    for _name in _blocked:
        _sys.modules[_name] = None  # type: ignore[assignment]
    try:
        import httpcore  # noqa: F401  (httpx imports it lazily, at the first client)
        import httpx  # noqa: F401
    finally:
        for _name in _blocked:
            del _sys.modules[_name]

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

"""Async registry client on httpx: auth, manifests, blobs, tags, referrers.

The public surface: :class:`RegistryClient`, :class:`RegistryOptions`, the
:class:`BlobSink` protocol downloads write into, the result types, and the credential
providers.
"""

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

"""Registry clients for a mirror file: one per distinct TLS setting, file credentials first.

skopeo applies ``tls-verify``, ``cert-dir`` and ``credentials`` per registry key. A
:class:`RegistryClient` has one set of options, so :class:`Connections` keeps one client per
distinct (``tls-verify``, ``cert-dir``) pair, all sharing one credential provider that
answers with the file's credentials for their registry and falls back to docker's.
``tls-verify: false`` skips certificate verification (loopback registries speak plain
HTTP anyway); ``cert-dir`` supplies the CA (``*.crt``); client certificates (``*.cert`` +
``*.key``) are not supported yet and are refused by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ocitui.core.errors import InvalidReference, OcituiError
from ocitui.core.mirror.config import MirrorConfig, RegistrySettings
from ocitui.core.reference import parse_reference
from ocitui.core.registry import (
    Credential,
    CredentialProvider,
    RegistryClient,
    RegistryOptions,
)

ClientFactory = Callable[[RegistryOptions, CredentialProvider], RegistryClient]


class FileCredentials:
    """The mirror file's credentials by registry host, then another provider."""

    def __init__(self, entries: dict[str, Credential], fallback: CredentialProvider) -> None:
        self._entries = entries
        self._fallback = fallback

    def get(self, registry: str) -> Credential | None:
        """The file's credential for ``registry``, else the fallback's."""
        return self._entries.get(registry) or self._fallback.get(registry)

    def __repr__(self) -> str:
        return f"FileCredentials({sorted(self._entries)})"


def registry_host(key: str) -> str:
    """The registry host of a file key (``host``, ``host:port`` or ``host/path``)."""
    try:
        return parse_reference(f"{key.rstrip('/')}/x", default_tag=None).registry
    except InvalidReference:
        return key


def ca_file_of(cert_dir: str) -> str | None:
    """The one ``*.crt`` CA file in ``cert_dir`` (None when there is none)."""
    path = Path(cert_dir)
    try:
        names = sorted(p.name for p in path.iterdir())
    except OSError as exc:
        raise OcituiError(f"cert-dir {cert_dir}: {exc.strerror or exc}") from None
    if any(n.endswith((".cert", ".key")) for n in names):
        raise OcituiError(
            f"cert-dir {cert_dir}: client certificates (*.cert/*.key) are not supported yet"
        )
    cas = [n for n in names if n.endswith(".crt")]
    if len(cas) > 1:
        raise OcituiError(f"cert-dir {cert_dir}: several CA files ({', '.join(cas)}); keep one")
    return str(path / cas[0]) if cas else None


class Connections:
    """Clients for the registries of one mirror file (close with :meth:`aclose`)."""

    def __init__(
        self,
        config: MirrorConfig,
        base: RegistryOptions,
        fallback: CredentialProvider,
        factory: ClientFactory,
    ) -> None:
        entries = {}
        for entry in config.entries:
            creds = entry.settings.credentials
            if creds is not None:
                entries[registry_host(entry.settings.key)] = Credential(
                    creds.username, creds.password, identity_token=creds.identity_token
                )
        self.base = base
        self.credentials = FileCredentials(entries, fallback)
        self._factory = factory
        self._clients: dict[tuple[bool | None, str | None], RegistryClient] = {}

    def options_for(self, settings: RegistrySettings) -> RegistryOptions:
        """The base options with the registry's TLS settings applied."""
        options = self.base
        if settings.tls_verify is False:
            options = replace(options, insecure=True)
        if settings.cert_dir:
            ca = ca_file_of(settings.cert_dir)
            if ca is not None:
                options = replace(options, ca_file=ca)
        return options

    def client(self, settings: RegistrySettings) -> RegistryClient:
        """The (shared) client for a registry's settings."""
        key = (settings.tls_verify, settings.cert_dir)
        if key not in self._clients:
            options = self.options_for(settings)
            self._clients[key] = self._factory(options, self.credentials)
        return self._clients[key]

    def key(self, settings: RegistrySettings) -> tuple[bool | None, str | None]:
        """Which client a registry's settings use (images with one key share a client)."""
        return (settings.tls_verify, settings.cert_dir)

    async def aclose(self) -> None:
        """Close every client."""
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


__all__ = ["ClientFactory", "Connections", "FileCredentials", "ca_file_of", "registry_host"]

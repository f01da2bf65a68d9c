"""Client options, and which scheme (http or https) a registry is spoken to with.

HTTPS first, everywhere. Loopback registries (``localhost``, ``127.0.0.0/8``, ``::1``) fall
back to plain HTTP when the TLS handshake fails because the server speaks HTTP, as docker
and containerd do (a TLS registry behind ``kubectl port-forward`` stays on HTTPS); any other
host speaks HTTP only with ``plain_http``, and HTTPS is never downgraded on its own.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

from ocitui import __version__
from ocitui.core.models import MAX_MANIFEST_SIZE

ReferrersMode = Literal["auto", "api", "tag"]


@dataclass(frozen=True)
class RegistryOptions:
    """How to talk to registries: transport security, limits, retries, referrers mode."""

    plain_http: bool = False
    insecure: bool = False
    ca_file: str | None = None
    timeout: float = 60.0
    retries: int = 5
    max_manifest_size: int = MAX_MANIFEST_SIZE
    referrers_mode: ReferrersMode = "auto"
    user_agent: str = f"ocitui/{__version__}"
    #: Cap of the exponential backoff between retries, in seconds.
    max_backoff: float = 8.0
    #: ``certs.d`` roots (None: docker's, containers' and podman-rootless' defaults).
    certs_dirs: tuple[str, ...] | None = None


def split_host(registry: str) -> tuple[str, int | None]:
    """``host[:port]`` (IPv6 in brackets) -> ``(host, port)``."""
    if registry.startswith("["):
        host, _, rest = registry[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port = registry.partition(":")
    return host, int(port) if port.isdigit() else None


def is_loopback(host_or_registry: str) -> bool:
    """True for ``localhost``, ``127.0.0.0/8`` and ``::1`` (with or without a port)."""
    host, _ = split_host(host_or_registry)
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def scheme_for(api_host: str, options: RegistryOptions) -> str:
    """``http`` with ``plain_http``, else ``https`` (a loopback host may fall back later)."""
    return "http" if options.plain_http else "https"


def may_send_secrets(url_scheme: str, host: str, options: RegistryOptions) -> bool:
    """Whether credentials may travel to ``host`` over ``url_scheme``.

    Plain http is allowed only to loopback hosts or when the user asked for plain http.
    """
    return url_scheme == "https" or is_loopback(host) or options.plain_http

"""TLS as registries are really run: per-host ``certs.d``, and what a failed connect means.

**certs.d.** docker, containerd, podman and skopeo share one convention: a directory per
registry, ``<root>/<host>[:<port>]/``, holding extra CA certificates (``*.crt``) and client
certificates for mutual TLS (``*.cert`` with the ``*.key`` of the same name, e.g.
``client.cert`` / ``client.key``). The roots read are ``/etc/docker/certs.d``,
``/etc/containers/certs.d`` and ``~/.config/containers/certs.d`` (podman rootless), or
:attr:`RegistryOptions.certs_dirs` when set (tests, ``OCITUI_CERTS_DIRS``).

**Failed connects** are classified so the session can act on them: a certificate problem is
reported with its two ways out (``--ca-file``, ``--insecure``); a TLS handshake that fails
because the server speaks plain HTTP lets a loopback registry fall back to ``http``; a
refused connection and an unresolvable name are not worth retrying.
"""

from __future__ import annotations

import socket
import ssl
from pathlib import Path
from typing import Literal

from ocitui.core.errors import RegistryError
from ocitui.core.registry.options import RegistryOptions

ConnectFailure = Literal["certificate", "handshake", "refused", "unresolvable", "other"]


def certs_roots(options: RegistryOptions) -> list[Path]:
    """The ``certs.d`` roots to read (resolved now, so a test's home is honoured)."""
    if options.certs_dirs is not None:
        return [Path(p) for p in options.certs_dirs]
    return [
        Path("/etc/docker/certs.d"),
        Path("/etc/containers/certs.d"),
        Path.home() / ".config" / "containers" / "certs.d",
    ]


def host_dirs(host: str, options: RegistryOptions) -> list[Path]:
    """The ``certs.d`` directories for ``host`` (``host:port`` as written in the reference)."""
    return [root / host for root in certs_roots(options) if (root / host).is_dir()]


def ssl_context(host: str, options: RegistryOptions) -> ssl.SSLContext | bool:
    """What ``httpx`` verifies ``host`` with: system roots + ``--ca-file`` + ``certs.d``
    CAs, and a client certificate from ``certs.d`` (``False`` with ``--insecure``)."""
    dirs = host_dirs(host, options)
    if options.insecure and not dirs:
        return False
    context = ssl.create_default_context()
    if options.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        if options.ca_file:
            context.load_verify_locations(cafile=options.ca_file)
        for folder in dirs:
            for ca in sorted(folder.glob("*.crt")):
                context.load_verify_locations(cafile=str(ca))
            for cert in sorted(folder.glob("*.cert")):
                key = cert.with_suffix(".key")
                if not key.is_file():
                    raise RegistryError(f"{cert}: client certificate without {key.name}")
                context.load_cert_chain(str(cert), str(key))
    except (OSError, ssl.SSLError) as exc:
        raise RegistryError(f"TLS setup for {host}: {exc}") from None
    return context


def _causes(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(found) < 10:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def classify(exc: BaseException) -> tuple[ConnectFailure, str]:
    """What a transport error was, and its reason in words."""
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "certificate", cause.verify_message or str(cause.reason or cause)
        if isinstance(cause, ssl.SSLError):
            return "handshake", str(cause.reason or cause)
        if isinstance(cause, ConnectionRefusedError):
            return "refused", "connection refused"
        if isinstance(cause, socket.gaierror):
            return "unresolvable", f"cannot resolve the name ({cause.strerror})"
    return "other", type(exc).__name__


def certificate_error(where: str, host: str, reason: str) -> RegistryError:
    """The one-line error for a certificate ``host`` presented that is not trusted."""
    return RegistryError(
        f"{where}: TLS certificate of {host} not trusted ({reason}); pass its CA with "
        f"--ca-file FILE (or put it in certs.d/{host}/ca.crt), or skip verification with "
        "--insecure"
    )

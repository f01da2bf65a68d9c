"""Run the distribution API over a layout until Ctrl-C or SIGTERM.

The address defaults to loopback; TLS is used when a certificate and key are given. The
caller is told the bound address once listening (port 0 picks a free port) and gets an
:class:`~ocitui.core.serve.app.AccessRecord` per request; the faces render both.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import signal
import ssl
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from ocitui.core.errors import OcituiError
from ocitui.core.layout import Layout
from ocitui.core.serve.app import AccessLog, AccessRecord, DistributionApp
from ocitui.core.serve.content import LayoutContent
from ocitui.core.serve.names import DEFAULT_BARE_REPO, DEFAULT_PUSH_REGISTRY
from ocitui.core.serve.writes import LayoutWriter
from ocitui.core.text_safety import one_line_safe

DEFAULT_ADDR = "127.0.0.1:5000"
#: Seconds in-flight requests get to finish after a stop signal.
SHUTDOWN_GRACE = 5.0


class _OneLineErrors(logging.Handler):
    """aiohttp's error log as one line per record on stderr, never a traceback.

    aiohttp logs a request it refuses before routing (a malformed request line, control
    bytes in the path: answered 400, and in the access log) with the parser exception's
    traceback; a client must not be able to fill the server's terminal that way.
    """

    def emit(self, record: logging.LogRecord) -> None:
        reason = ""
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
            reason = f": {type(exc).__name__}: {' '.join(lines[:2])}"
        message = one_line_safe(f"{record.getMessage()}{reason}")[:300]
        sys.stderr.write(f"ocitui serve: {message}\n")


def _error_logger() -> logging.Logger:
    logger = logging.getLogger("ocitui.serve.http")
    if not any(isinstance(h, _OneLineErrors) for h in logger.handlers):
        logger.addHandler(_OneLineErrors())
    logger.propagate = False
    return logger


@dataclass(frozen=True)
class ServeOptions:
    """How to serve a layout."""

    host: str = "127.0.0.1"
    port: int = 5000
    read_write: bool = False
    tls_cert: Path | None = None
    tls_key: Path | None = None
    prefer: tuple[str, ...] = ()
    bare_repo: str = DEFAULT_BARE_REPO
    push_registry: str = DEFAULT_PUSH_REGISTRY


@dataclass(frozen=True)
class ServerInfo:
    """Where the server listens, once it does."""

    url: str
    host: str
    port: int
    layout: str
    read_write: bool
    tls: bool
    loopback: bool
    repositories: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """The ``--json`` startup line."""
        return {
            "event": "listening",
            "url": self.url,
            "host": self.host,
            "port": self.port,
            "layout": self.layout,
            "readWrite": self.read_write,
            "tls": self.tls,
            "loopback": self.loopback,
            "repositories": self.repositories,
        }


def parse_addr(text: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[v6]:PORT`` or ``:PORT`` (loopback) -> ``(host, port)``."""
    value = text.strip()
    if value.startswith("["):
        host, sep, port_text = value[1:].partition("]:")
    else:
        host, sep, port_text = value.rpartition(":")
    if not sep or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise OcituiError(f"invalid --addr {text!r}: expected HOST:PORT, e.g. 127.0.0.1:5000")
    return host or "127.0.0.1", int(port_text)


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _tls_context(options: ServeOptions) -> ssl.SSLContext | None:
    if options.tls_cert is None and options.tls_key is None:
        return None
    if options.tls_cert is None or options.tls_key is None:
        raise OcituiError("--tls-cert and --tls-key go together")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(options.tls_cert, options.tls_key)
    except (OSError, ssl.SSLError) as exc:
        raise OcituiError(f"cannot load TLS certificate/key: {exc}") from None
    return context


async def serve(
    layout: Layout,
    options: ServeOptions,
    *,
    on_ready: Callable[[ServerInfo], None],
    on_request: Callable[[AccessRecord], None] | None = None,
    stop: asyncio.Event | None = None,
    signals: Sequence[signal.Signals] = (signal.SIGINT, signal.SIGTERM),
) -> None:
    """Serve ``layout`` until ``stop`` is set or one of ``signals`` arrives."""
    context = _tls_context(options)
    content = LayoutContent(layout, bare_repo=options.bare_repo, prefer=options.prefer)
    writer = LayoutWriter(content, options.push_registry)
    app = DistributionApp(content, writer, options.read_write).build()
    runner = web.AppRunner(
        app,
        access_log_class=AccessLog.calling(on_request),
        logger=_error_logger(),
        handle_signals=False,
        shutdown_timeout=SHUTDOWN_GRACE,
    )
    await runner.setup()
    site = web.TCPSite(runner, options.host, options.port, ssl_context=context)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise OcituiError(
            f"cannot listen on {options.host}:{options.port}: {exc.strerror}"
        ) from None
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        on_ready(_info(layout, options, runner, content, context is not None))
        await stop.wait()
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
        await runner.cleanup()


def _info(
    layout: Layout, options: ServeOptions, runner: web.AppRunner, content: LayoutContent, tls: bool
) -> ServerInfo:
    port = options.port
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            port = int(address[1])
            break
    host = options.host
    shown = f"[{host}]" if ":" in host else host
    scheme = "https" if tls else "http"
    return ServerInfo(
        url=f"{scheme}://{shown}:{port}",
        host=host,
        port=port,
        layout=str(layout.root),
        read_write=options.read_write,
        tls=tls,
        loopback=is_loopback(host),
        repositories=content.names().catalog(),
    )

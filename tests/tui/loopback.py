"""Registry clients for TUI tests: every request goes to a loopback fake registry.

:class:`Loopback` rewrites the host of each request to the fake's ``127.0.0.1:<port>``,
so screens and snapshots can name a stable registry (``registry.test``) whatever port the
fake got. A ``gate`` holds a matching response after its first chunk until the event is
set: a transfer that is reliably in flight when a test presses ``escape``. It holds after
:data:`HOLD_AFTER` bytes, past the 1 MiB at which the engine reports progress and writes a
batch into ``ingest/``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable

import httpx

from ocitui.core.registry import RegistryClient, RegistryOptions, StaticCredentials

REGISTRY = "registry.test"
HOLD_AFTER = 3 * 1024 * 1024 // 2


class _GatedStream(httpx.AsyncByteStream):
    """Yields :data:`HOLD_AFTER` bytes, then waits for ``gate`` before the rest."""

    def __init__(self, inner: httpx.AsyncByteStream, gate: asyncio.Event) -> None:
        self._inner, self._gate = inner, gate

    async def __aiter__(self) -> AsyncIterator[bytes]:
        passed = 0
        async for chunk in self._inner:
            yield chunk
            if passed < HOLD_AFTER <= passed + len(chunk):
                await self._gate.wait()
            passed += len(chunk)

    async def aclose(self) -> None:
        await self._inner.aclose()


class Loopback(httpx.AsyncBaseTransport):
    """Send everything to ``target`` (``host:port``); hold responses matching ``gate``."""

    def __init__(self, target: str, gate: tuple[str, asyncio.Event] | None = None) -> None:
        host, port = target.rsplit(":", 1)
        self._host, self._port = host, int(port)
        self._gate = gate
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(host=self._host, port=self._port)
        response = await self._inner.handle_async_request(request)
        if self._gate is not None and re.search(self._gate[0], request.url.path):
            assert isinstance(response.stream, httpx.AsyncByteStream)
            return httpx.Response(
                response.status_code,
                headers=response.headers,
                stream=_GatedStream(response.stream, self._gate[1]),
                extensions=response.extensions,
            )
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def loopback_factory(
    target: str, gate: tuple[str, asyncio.Event] | None = None
) -> Callable[[], RegistryClient]:
    """A ``registry_factory`` for the app: plain HTTP, no credentials from any config."""

    def factory() -> RegistryClient:
        return RegistryClient(
            RegistryOptions(plain_http=True),
            credentials=StaticCredentials({}),
            transport=Loopback(target, gate),
        )

    return factory

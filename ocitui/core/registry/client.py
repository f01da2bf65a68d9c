"""The registry client: one object, used as an async context manager.

>>> async with RegistryClient(RegistryOptions()) as client:
...     fetched = await client.get_manifest(parse_reference("alpine:3.20"))

Everything from outside is injectable: the HTTP transport (tests use a mock or a loopback
registry), the credential provider, the sleep used between retries, where registry
warnings go, and where retries are announced as they happen (``on_event``, or later
:meth:`RegistryClient.listen`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType

import httpx

from ocitui.core.events import EventSink
from ocitui.core.registry.blobs import BlobOps
from ocitui.core.registry.credentials import CredentialProvider, DockerCredentials
from ocitui.core.registry.listing import ListingOps
from ocitui.core.registry.options import RegistryOptions
from ocitui.core.registry.referrers import ReferrerOps
from ocitui.core.registry.session import Session, Sleep


class RegistryClient(ReferrerOps, BlobOps, ListingOps):
    """Async client for OCI distribution registries (manifests, blobs, tags, referrers)."""

    def __init__(
        self,
        options: RegistryOptions | None = None,
        *,
        credentials: CredentialProvider | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        on_warning: Callable[[str], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
        on_event: EventSink | None = None,
    ) -> None:
        self.options = options or RegistryOptions()
        self._session = Session(
            self.options,
            credentials if credentials is not None else DockerCredentials(),
            transport=transport,
            sleep=sleep,
            on_warning=on_warning,
            on_notice=on_notice,
            on_event=on_event,
        )
        self._api_support = {}
        self._fallback_locks = {}

    async def __aenter__(self) -> RegistryClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def listen(self, sink: EventSink | None) -> None:
        """Send :class:`~ocitui.core.events.Retrying` events to ``sink`` as they happen
        (the TUI sets this on every client it opens; ``None``: back to notices)."""
        self._session.on_event = sink

    async def aclose(self) -> None:
        """Close connections."""
        await self._session.aclose()

    def __repr__(self) -> str:
        return f"RegistryClient({self.options!r})"

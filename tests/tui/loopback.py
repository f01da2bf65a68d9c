"""Registry clients for TUI tests: every request goes to a loopback fake registry.

:class:`Loopback` rewrites the host of each request to the fake's ``127.0.0.1:<port>``,
so screens and snapshots can name a stable registry (``registry.test``) whatever port the
fake got. A ``gate`` holds a matching response after its first chunk until the event is
set: a transfer that is reliably in flight when a test presses ``escape``. It holds after
:data:`HOLD_AFTER` bytes, past the 1 MiB at which the engine reports progress and writes a
batch into ``ingest/``.

The setup the remote TUI tests share: :func:`push_to` and :func:`seed` put content in the
fake registry through a loopback client, :func:`plant_stray_referrer` makes a referrer lie
about its subject, and :class:`RegistryRig` (the ``registry_rig`` fixture of
``conftest.py``) holds one fake registry and builds apps whose every client reaches it.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from ocitui.core.layout import Layout
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient, RegistryOptions, StaticCredentials
from ocitui.core.sync import SyncFilter, push
from ocitui.tui.app import OcituiApp
from tests.support.fake_registry import OCI_INDEX, FakeRegistry
from tests.tui.sample import build_sample

REGISTRY = "registry.test"
#: Where :func:`seed` pushes the sample's app (as ``REPO:1.0``).
REPO = f"{REGISTRY}/demo/app"
#: The sample layout's image that :func:`seed` pushes.
SAMPLE_APP = "registry.example.com/demo/app:1.0"
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
    target: str,
    gate: tuple[str, asyncio.Event] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Callable[[], RegistryClient]:
    """A ``registry_factory`` for the app: plain HTTP, no credentials from any config;
    ``sleep`` is what the clients wait with before a retry."""

    def factory() -> RegistryClient:
        return RegistryClient(
            RegistryOptions(plain_http=True),
            credentials=StaticCredentials({}),
            transport=Loopback(target, gate),
            sleep=sleep,
        )

    return factory


class HeldRetries:
    """A ``sleep`` for registry clients that records each retry's delay and waits until
    :meth:`release`: a test sees the screen *while* a retry waits, on any machine load."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self._released = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await self._released.wait()

    def release(self) -> None:
        """Let every waiting and later retry go at once."""
        self._released.set()


async def push_to(registry: FakeRegistry, source: Layout, name: str, destination: str) -> None:
    """Push ``name`` of ``source`` (with its referrers) to ``destination`` in ``registry``."""
    async with loopback_factory(registry.host)() as client:
        report = await push(source, client, [(name, parse_reference(destination))], SyncFilter())
    assert report.ok


async def seed(registry: FakeRegistry, tmp_path: Path, extra_tags: Sequence[str]) -> str:
    """Push the sample's app:1.0 (referrers and legacy .sig too) as ``REPO:1.0``, then
    point ``extra_tags`` at the same index; returns its digest."""
    source = build_sample(tmp_path / "source")
    await push_to(registry, source, SAMPLE_APP, f"{REPO}:1.0")
    digest = str(source.resolve(SAMPLE_APP).digest)
    for tag in extra_tags:
        registry.state.repo("demo/app").tags[tag] = digest
    return digest


def plant_stray_referrer(registry: FakeRegistry, digest: str) -> tuple[str, str]:
    """List the SBOM's own signature (whose subject is the SBOM) in ``digest``'s fallback
    tag index too, as a careless or hostile writer could; ``(stray, sbom)`` digests.
    Needs a registry without the referrers API (the fallback tag is then the listing)."""
    repo = registry.state.repo("demo/app")
    fallback = f"sha256-{digest[7:]}"
    index = json.loads(repo.manifests[repo.tags[fallback]][0])
    sbom = next(d for d in index["manifests"] if "spdx" in d.get("artifactType", ""))
    below = json.loads(repo.manifests[repo.tags[f"sha256-{sbom['digest'][7:]}"]][0])
    stray = below["manifests"][0]
    index["manifests"].append(stray)
    registry.state.put_manifest("demo/app", json.dumps(index).encode(), OCI_INDEX, fallback)
    return str(stray["digest"]), str(sbom["digest"])


@dataclass
class RegistryRig:
    """One fake registry, and apps whose registry clients all reach it (as ``REGISTRY``)."""

    registry: FakeRegistry
    tmp_path: Path
    make_app: Callable[..., OcituiApp]

    async def seed(self, extra_tags: Sequence[str] = ()) -> str:
        """:func:`seed` into this rig's registry; the pushed index's digest."""
        return await seed(self.registry, self.tmp_path, extra_tags)

    def app(
        self,
        layout: Layout,
        gate: tuple[str, asyncio.Event] | None = None,
        retries: HeldRetries | None = None,
    ) -> OcituiApp:
        """The test app on ``layout``, its ``registry_factory`` the loopback (``gate``d;
        retries held by ``retries`` until it releases them)."""
        app = self.make_app(layout)
        sleep = retries if retries is not None else asyncio.sleep
        app.registry_factory = loopback_factory(self.registry.host, gate, sleep)
        return app

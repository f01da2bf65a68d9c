"""The aiohttp-backed transport under the session behaves as httpx's own did.

Each test talks to a tiny loopback server that answers with exact bytes, so what goes on
the wire (request headers), what is accepted (long header lines), how a connection is
reused or dropped, and which httpx error a failure becomes are all checked directly.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from ocitui.core.errors import RegistryError
from ocitui.core.registry import session as session_module
from ocitui.core.registry.credentials import Credential, StaticCredentials
from ocitui.core.registry.options import RegistryOptions
from ocitui.core.registry.redirects import MAX_REDIRECTS
from ocitui.core.registry.session import Session
from ocitui.core.registry.tls import classify
from ocitui.core.registry.transport import MAX_HEADER_LINE, FastTransport

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Server:
    """A loopback server: each connection is handed to ``handler``; counts connections."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests: list[bytes] = []
        self.port = 0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def head(self, reader: asyncio.StreamReader) -> bytes:
        """Read one request head (no request bodies here)."""
        data = await reader.readuntil(b"\r\n\r\n")
        self.requests.append(data)
        return data

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@asynccontextmanager
async def serving(make: Callable[[Server], Handler]) -> AsyncIterator[Server]:
    server = Server(lambda r, w: asyncio.sleep(0))
    server.handler = make(server)
    listener = await asyncio.start_server(server._serve, "127.0.0.1", 0)
    server.port = listener.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        listener.close()


def answer(status: str, body: bytes, *extra: str) -> bytes:
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def keep_answering(body: bytes, *extra: str) -> Callable[[Server], Handler]:
    """Answer every request on a connection with ``body`` (keep-alive)."""

    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while True:
                length = fields_of(await server.head(reader)).get("content-length", "0")
                await reader.readexactly(int(length))
                writer.write(answer("200 OK", body, *extra))
                await writer.drain()

        return handler

    return make


def transport(timeout: float = 5.0) -> FastTransport:
    return FastTransport(verify=False, timeout=timeout, connect=timeout)


async def get(t: FastTransport, url: str, **headers: str) -> httpx.Response:
    return await t.handle_async_request(httpx.Request("GET", url, headers=headers))


def clear_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


async def get_n(session: Session, server: Server, count: int, method: str = "GET") -> None:
    """``count`` requests to ``server`` through ``session``, each read to its end."""
    host = f"127.0.0.1:{server.port}"
    for n in range(count):
        body = b"{}" if method in ("PUT", "POST") else None
        response = await session.request(
            method, f"{server.url}/v2/a/{n}", registry=host, scopes=[], where="t", body=body
        )
        await session.read(response, 1024, "t")


async def test_a_host_moves_to_the_lean_transport_after_enough_bodyless_requests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clear_proxies(monkeypatch)
    monkeypatch.setattr(session_module, "LEAN_AFTER", 3)
    async with serving(keep_answering(b"ok")) as server:
        session = Session(RegistryOptions(plain_http=True), StaticCredentials())
        try:
            await get_n(session, server, 2, "PUT")  # Requests with a body never count.
            await get_n(session, server, 3)
            assert session._fast == {}  # httpx's pool: one kept-alive connection.
            assert server.connections == 1
            await get_n(session, server, 3)  # The fourth GET on goes through aiohttp's pool.
            assert list(session._fast) == [f"127.0.0.1:{server.port}"]
            assert server.connections == 2
            await get_n(session, server, 1, "PUT")  # Uploads stay on httpx's connection.
            assert server.connections == 2
        finally:
            await session.aclose()
    assert [r.split(b" ")[0] for r in server.requests] == [b"PUT"] * 2 + [b"GET"] * 6 + [b"PUT"]


async def test_with_a_proxy_in_the_environment_the_lean_transport_is_never_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clear_proxies(monkeypatch)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")  # http:// URLs: not used.
    monkeypatch.setattr(session_module, "LEAN_AFTER", 1)
    async with serving(keep_answering(b"ok")) as server:
        session = Session(RegistryOptions(plain_http=True), StaticCredentials())
        try:
            await get_n(session, server, 4)
            assert session._fast == {}
            assert server.connections == 1
        finally:
            await session.aclose()


@pytest.fixture(params=["httpx", "lean"])
def either_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a session test over httpx's transport and over the lean one (from the start)."""
    clear_proxies(monkeypatch)
    monkeypatch.setattr(session_module, "LEAN_AFTER", 10_000 if request.param == "httpx" else 0)
    return str(request.param)


async def session_get(
    server: Server, path: str, creds: StaticCredentials | None = None, **kwargs: Any
) -> tuple[httpx.Response, bytes]:
    """GET ``path`` from ``server`` through a fresh session; the response and its body."""
    host = f"127.0.0.1:{server.port}"
    session = Session(RegistryOptions(plain_http=True), creds or StaticCredentials())
    try:
        response = await session.request(
            "GET", server.url + path, registry=host, scopes=[], where="t", **kwargs
        )
        return response, await session.read(response, 64 * 1024, "t")
    finally:
        await session.aclose()


def fields_of(head: bytes) -> dict[str, str]:
    """The header fields of a request head, by lower-case name."""
    lines = head.decode().split("\r\n")[1:]
    return {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines if x)}


async def test_the_request_on_the_wire_carries_only_the_sessions_headers(either_path: str) -> None:
    async with serving(keep_answering(b"{}", "Content-Type: application/json")) as server:
        accept = {"Accept": "application/vnd.oci.image.manifest.v1+json"}
        _, body = await session_get(server, "/v2/a/manifests/x?n=1&last=a%2Bb", headers=accept)
        assert body == b"{}"
    host = f"127.0.0.1:{server.port}"
    first_line = server.requests[0].decode().split("\r\n")[0]
    assert first_line == "GET /v2/a/manifests/x?n=1&last=a%2Bb HTTP/1.1"  # Not re-quoted.
    fields = fields_of(server.requests[0])
    assert fields["host"] == host
    assert fields["accept"] == "application/vnd.oci.image.manifest.v1+json"
    assert fields["user-agent"].startswith("ocitui/")
    assert "authorization" not in fields and "cookie" not in fields
    assert "aiohttp" not in server.requests[0].decode().lower()


async def test_a_body_read_to_its_end_keeps_the_connection_a_partial_one_drops_it() -> None:
    big = b"x" * (1024 * 1024)
    async with serving(keep_answering(big)) as server:
        t = transport()
        try:
            for _ in range(3):
                response = await get(t, server.url + "/full")
                assert len(await response.aread()) == len(big)
                await response.aclose()
            assert server.connections == 1
            response = await get(t, server.url + "/partial")
            async for chunk in response.aiter_raw():
                assert chunk
                break
            await response.aclose()  # Bytes still unread: this connection cannot be reused.
            response = await get(t, server.url + "/after")
            assert await response.aread() == big  # A clean answer on a new connection.
            await response.aclose()
            assert server.connections == 2
        finally:
            await t.aclose()


async def test_long_header_lines_are_accepted_overlong_ones_are_a_protocol_error() -> None:
    link = "</v2/a/tags/list?last=" + "t" * 20_000 + '>; rel="next"'
    huge = "X-Filler: " + "f" * (MAX_HEADER_LINE + 10)
    async with (
        serving(keep_answering(b"ok", f"Link: {link}")) as fine,
        serving(keep_answering(b"ok", huge)) as hostile,
    ):
        t = transport()
        try:
            response = await get(t, fine.url + "/")
            assert response.headers["link"] == link
            await response.aclose()
            with pytest.raises(httpx.RemoteProtocolError):
                await get(t, hostile.url + "/")
        finally:
            await t.aclose()


async def test_content_encoding_is_still_decoded_by_httpx() -> None:
    packed = gzip.compress(b'{"tags":[]}')
    async with serving(keep_answering(packed, "Content-Encoding: gzip")) as server:
        t = transport()
        try:
            response = await get(t, server.url + "/")
            assert await response.aread() == b'{"tags":[]}'
            await response.aclose()
        finally:
            await t.aclose()


def stalling(after: bytes) -> Callable[[Server], Handler]:
    """Send ``after`` and then nothing (the connection stays open)."""

    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await server.head(reader)
            writer.write(after)
            await writer.drain()
            await asyncio.sleep(30)

        return handler

    return make


def truncating(server: Server) -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await server.head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b")
        await writer.drain()

    return handler


async def test_failures_become_the_httpx_errors_callers_handle() -> None:
    t = transport(timeout=0.3)
    try:
        async with serving(stalling(b"")) as silent:
            with pytest.raises(httpx.ReadTimeout):
                await get(t, silent.url + "/")
        async with serving(stalling(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab")) as drip:
            response = await get(t, drip.url + "/")
            with pytest.raises(httpx.ReadTimeout):
                await response.aread()
            await response.aclose()
        async with serving(truncating) as short:
            response = await get(t, short.url + "/")
            with pytest.raises(httpx.TransportError):
                await response.aread()
            await response.aclose()
        async with serving(keep_answering(b"")) as gone:
            port = gone.port
        with pytest.raises(httpx.ConnectError) as refused:
            await get(t, f"http://127.0.0.1:{port}/")
        assert classify(refused.value)[0] == "refused"
    finally:
        await t.aclose()


def speaks_http(server: Server) -> Handler:
    """What an HTTP server says to a TLS ClientHello: a 400, then it closes."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        writer.write(b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to HTTPS")
        await writer.drain()

    return handler


async def test_tls_to_a_plain_http_server_is_a_handshake_failure() -> None:
    async with serving(speaks_http) as plain:
        t = FastTransport(verify=True, timeout=5.0, connect=5.0)
        try:
            with pytest.raises(httpx.ConnectError) as failed:
                await get(t, f"https://127.0.0.1:{plain.port}/v2/")
        finally:
            await t.aclose()
    assert classify(failed.value)[0] == "handshake"


Route = Callable[[str, dict[str, str]], tuple[str, list[str], bytes]]


def routed(route: Route) -> Callable[[Server], Handler]:
    """Answer each request (keep-alive) with ``route(path, headers)``."""

    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while True:
                head = await server.head(reader)
                path = head.decode().split(" ")[1]
                status, extra, body = route(path, fields_of(head))
                writer.write(answer(status, body, *extra))
                await writer.drain()

        return handler

    return make


async def test_redirects_keep_authorization_on_the_origin_and_drop_it_elsewhere(
    either_path: str,
) -> None:
    seen: list[tuple[str, dict[str, str]]] = []

    def cdn(path: str, headers: dict[str, str]) -> tuple[str, list[str], bytes]:
        seen.append(("cdn" + path, headers))
        return "200 OK", [], b"blob bytes"

    async with serving(routed(cdn)) as other:

        def registry(path: str, headers: dict[str, str]) -> tuple[str, list[str], bytes]:
            seen.append((path, headers))
            if "authorization" not in headers:
                return "401 Unauthorized", ['WWW-Authenticate: Basic realm="r"'], b""
            if path == "/v2/a/blobs/x":
                return "307 Temporary Redirect", ["Location: /v2/a/moved"], b""
            return "307 Temporary Redirect", [f"Location: {other.url}/b?sig=1"], b""

        async with serving(routed(registry)) as server:
            creds = StaticCredentials({f"127.0.0.1:{server.port}": Credential("user", "secret")})
            response, body = await session_get(
                server, "/v2/a/blobs/x", creds, follow_redirects=True
            )
    assert body == b"blob bytes"
    assert str(response.request.url) == f"{other.url}/b?sig=1"
    assert [path for path, _ in seen] == [
        "/v2/a/blobs/x",
        "/v2/a/blobs/x",
        "/v2/a/moved",
        "cdn/b?sig=1",
    ]
    assert "authorization" in seen[2][1]  # Same origin (a relative Location): kept.
    assert "authorization" not in seen[3][1]  # Another port is another origin: dropped.
    assert seen[3][1]["host"] == f"127.0.0.1:{other.port}"


async def test_a_redirect_loop_ends_in_a_one_line_error_after_the_bound(either_path: str) -> None:
    hits: list[str] = []

    def loop(path: str, headers: dict[str, str]) -> tuple[str, list[str], bytes]:
        hits.append(path)
        return "302 Found", [f"Location: /v2/a/blobs/{len(hits)}"], b"<a>moved</a>" * 100

    async with serving(routed(loop)) as server:
        with pytest.raises(RegistryError, match=f"t: more than {MAX_REDIRECTS} redirects"):
            await session_get(server, "/v2/a/blobs/0", follow_redirects=True)
        not_followed, _ = await session_get(server, "/v2/a/blobs/0")
        assert not_followed.status_code == 302
    assert len(hits) == MAX_REDIRECTS + 2
    assert server.connections == 2  # One per session: the whole chain on one connection.

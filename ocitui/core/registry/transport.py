"""A leaner HTTP/1.1 transport for body-less requests (GET, HEAD), over aiohttp.

httpx's own transport (httpcore + h11, pure Python) costs about 1 ms of CPU per small
request on loopback; a pull with 10,000 referrers makes 20,000 of them. aiohttp (already a
dependency, for ``serve``) parses responses with its C parser (llhttp) at about a quarter
of that. :class:`FastTransport` is an :class:`httpx.AsyncBaseTransport`, so everything
above it is unchanged: the session still builds :class:`httpx.Request` objects and hands
out :class:`httpx.Response` objects (headers, content decoding, redirects and their
credential stripping all stay the session's); only the bytes on the wire move through
aiohttp.

Importing aiohttp costs about 0.1 s (it loads the system CA store twice at import), so
this module is imported only when a session has made enough requests to one host for the
lean path to pay (:data:`~ocitui.core.registry.session.LEAN_AFTER`); a push of a few big
blobs never imports it. Requests with a body (uploads) never come here: httpx bounds each
write with its timeout, aiohttp does not. Failures are raised as the httpx exceptions
callers already handle, with the original error chained (``__cause__``), so TLS failures
are classified as before.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator

import aiohttp
import httpx
import yarl

#: Longest response line or header field accepted. httpcore allows a 100 KiB header block
#: in all; aiohttp's default (8190 bytes per line) would refuse long ``Link`` or
#: ``WWW-Authenticate`` values that work today.
MAX_HEADER_LINE = 100 * 1024
#: Connections kept per transport, and how long an idle one is kept (httpx's defaults).
POOL_SIZE = 100
KEEPALIVE_SECONDS = 5.0
#: Bytes read from a connection at a time (as ``HTTP_READ_SIZE`` in the session).
READ_SIZE = 256 * 1024
_BODYLESS = frozenset({"GET", "HEAD"})
#: aiohttp adds these unless told not to; httpx has already set what it sends.
_SKIP_AUTO = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")


class FastTransport(httpx.AsyncBaseTransport):
    """GET and HEAD over aiohttp's pool (the session sends everything else elsewhere)."""

    def __init__(self, *, verify: ssl.SSLContext | bool, timeout: float, connect: float) -> None:
        self._verify = verify
        self._timeout = aiohttp.ClientTimeout(total=None, connect=connect, sock_read=timeout)
        self._aio: aiohttp.ClientSession | None = None

    def _session(self) -> aiohttp.ClientSession:
        if self._aio is None:
            connector = aiohttp.TCPConnector(limit=POOL_SIZE, keepalive_timeout=KEEPALIVE_SECONDS)
            self._aio = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,  # httpx.Response decodes, as it always did.
                skip_auto_headers=_SKIP_AUTO,
                timeout=self._timeout,
                read_bufsize=READ_SIZE,
                max_line_size=MAX_HEADER_LINE,
                max_field_size=MAX_HEADER_LINE,
            )
            # aiohttp resends a GET once, silently, when a reused connection turns out to be
            # closed. The session retries itself, announcing each retry and counting it
            # against its bounds; keep that the only retry (a guarded private switch: an
            # aiohttp without it keeps its own behaviour).
            if hasattr(self._aio, "_retry_connection"):
                self._aio._retry_connection = False
        return self._aio

    @staticmethod
    def takes(request: httpx.Request) -> bool:
        """Whether :meth:`send` may be used for ``request`` (no body: GET or HEAD)."""
        return request.method in _BODYLESS

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` (GET or HEAD); the response body streams from the connection."""
        if request.method not in _BODYLESS:
            raise ValueError(f"FastTransport sends GET and HEAD only, not {request.method}")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        try:
            response = await self._session().request(
                request.method,
                yarl.URL(str(request.url), encoded=True),
                headers=headers,
                allow_redirects=False,
                ssl=self._verify,
            )
        except aiohttp.ConnectionTimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc) or "connect timed out", request=request) from exc
        except aiohttp.ServerTimeoutError as exc:  # No answer within the read timeout.
            raise httpx.ReadTimeout(str(exc) or "read timed out", request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            # Chained from the socket's or TLS's own error (what ``tls.classify`` reads).
            raise httpx.ConnectError(str(exc), request=request) from exc.os_error
        except aiohttp.ClientResponseError as exc:  # A malformed answer (llhttp refused it).
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            stream=_Body(response, request),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": _reason(response)},
        )

    async def aclose(self) -> None:
        """Close the pool."""
        if self._aio is not None:
            await self._aio.close()
            self._aio = None


def _reason(response: aiohttp.ClientResponse) -> bytes:
    return (response.reason or "").encode("latin-1", "replace")


class _Body(httpx.AsyncByteStream):
    """A response body read from aiohttp, failures raised as httpx's read errors."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        content = self._response.content
        try:
            while True:
                chunk = await content.readany()
                if not chunk:
                    return
                yield chunk
        except aiohttp.ServerTimeoutError as exc:
            raise httpx.ReadTimeout(str(exc) or "read timed out", request=self._request) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=self._request) from exc

    async def aclose(self) -> None:
        """Give the connection back to the pool if the body was read to its end, else close
        it (aiohttp's ``release`` does exactly that)."""
        self._response.release()

"""One HTTP session to registries: auth, retries with backoff, warnings, error mapping.

Every request goes through :meth:`Session.request`, which attaches credentials only to the
registry's own origin, answers one 401 challenge, retries 429 (honouring ``Retry-After``),
5xx and dropped connections with capped exponential backoff (each retry announced as a
:class:`~ocitui.core.events.Retrying` event through ``on_event``, else as text through
``on_notice``), reports ``Warning: 299`` headers once each, and hands back a *streaming*
response the caller must close.

Failed connects are not all alike (:func:`~ocitui.core.registry.tls.classify`): an
untrusted certificate, an unresolvable name and a refused loopback port fail at once; a
loopback registry whose TLS handshake fails because it speaks HTTP is spoken to over HTTP
from then on. Each host gets its own TLS context (``--ca-file``, ``certs.d``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from ocitui.core.errors import AuthError, RegistryError
from ocitui.core.events import EventSink, Retrying
from ocitui.core.limits import REQUEST_DEADLINE, SYNC_DEADLINE
from ocitui.core.reference import DOCKER_HUB, DOCKER_HUB_API
from ocitui.core.registry.auth import Authenticator
from ocitui.core.registry.bodies import ACCEPT, BadEncoding, decoded_chunks
from ocitui.core.registry.connections import release
from ocitui.core.registry.credentials import CredentialProvider
from ocitui.core.registry.httputil import error_detail, retry_after, warnings_of
from ocitui.core.registry.options import RegistryOptions, is_loopback, scheme_for
from ocitui.core.registry.redirects import MAX_REDIRECTS, REDIRECTABLE, redirect_request
from ocitui.core.registry.tls import certificate_error, classify, ssl_context

if TYPE_CHECKING:  # Imported when first used: aiohttp costs ~0.1 s to import.
    from ocitui.core.registry.transport import FastTransport

log = logging.getLogger("ocitui.registry")

Body = bytes | Callable[[], bytes | AsyncIterator[bytes]] | None
Sleep = Callable[[float], Awaitable[None]]
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Body-less requests (GET, HEAD) a host gets through httpx's own transport before the
#: session switches that host to the lean one (:mod:`~ocitui.core.registry.transport`).
#: The switch imports aiohttp (~0.1 s of CPU, two loads of the system CA store), which
#: pays back at ~0.5 ms per request after about 200; a push of a few big images makes a
#: few dozen, a pull of hundreds of small blobs or referrers makes hundreds or thousands.
LEAN_AFTER = 64

#: Socket read size for HTTP/1.1 bodies. httpcore reads 64 KiB at a time, and each read
#: costs a round of Python-level event handling; blobs are large, and 256 KiB reads made
#: pulls ~15% faster (bench/sync_vs_skopeo.py: ratio 1.15 -> 1.00 against skopeo).
HTTP_READ_SIZE = 256 * 1024


def _tune_httpcore() -> None:
    """Raise httpcore's per-read size (a class attribute, read at each receive)."""
    try:
        from httpcore._async.http11 import AsyncHTTP11Connection
    except ImportError:  # A future httpcore without it: keep its default.
        return
    if getattr(AsyncHTTP11Connection, "READ_NUM_BYTES", 0) < HTTP_READ_SIZE:
        AsyncHTTP11Connection.READ_NUM_BYTES = HTTP_READ_SIZE


def _cache_readable_socket() -> None:
    """Make httpcore's idle-connection check cost one ``poll`` instead of three syscalls.

    Before every request is placed, and again when each response closes, httpcore's pool
    asks each idle connection ``get_extra_info("is_readable")``. On asyncio that goes
    through anyio's attribute table, rebuilt on every call with a ``getpeername``
    syscall, to reach a socket that never changes for the stream's lifetime. Here the
    socket is looked up once per stream and the same readability test is applied to it
    (a closed socket still reads as readable: fileno -1), which is about 6% of a pull's
    CPU with thousands of small requests (``bench/referrers_10k.py``).
    """
    try:
        from httpcore._backends.anyio import AnyIOStream
        from httpcore._utils import is_socket_readable
    except ImportError:  # A future httpcore laid out differently: keep its own check.
        return
    original = AnyIOStream.get_extra_info
    if getattr(original, "ocitui_cached", False):
        return

    def get_extra_info(self: AnyIOStream, info: str) -> Any:
        if info != "is_readable":
            return original(self, info)
        sock = self.__dict__.get("_ocitui_socket")
        if sock is None:
            sock = original(self, "socket")
            self.__dict__["_ocitui_socket"] = sock
        return is_socket_readable(sock)

    get_extra_info.ocitui_cached = True  # type: ignore[attr-defined]
    AnyIOStream.get_extra_info = get_extra_info  # type: ignore[method-assign]


_tune_httpcore()
_cache_readable_socket()
_ERROR_BODY_CAP = 64 * 1024


def _proxied() -> bool:
    """Whether the environment names a proxy (``HTTPS_PROXY``, ...): httpx then keeps its
    own transport, which honours it (and ``NO_PROXY``) as it always did."""
    return any(scheme in ("http", "https", "all") for scheme in urllib.request.getproxies())


class DroppedBody(RegistryError):
    """The connection broke while a response body was being read (worth a retry)."""


class _BuildOnly(httpx.AsyncBaseTransport):
    """The transport of the session's request builder, which never sends.

    Giving the builder a transport of its own keeps httpx from creating one with a TLS
    context (a load of certifi's CA bundle, ~20 ms at start) that nothing would use.
    """

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise RuntimeError("the session's request builder does not send requests")


class Session:
    """The shared HTTP machinery behind :class:`~ocitui.core.registry.RegistryClient`."""

    def __init__(
        self,
        options: RegistryOptions,
        credentials: CredentialProvider,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        on_warning: Callable[[str], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
        on_event: EventSink | None = None,
    ) -> None:
        self.options = options
        self._transport = transport
        #: One client per host: each has its own TLS context (certs.d, client certificate).
        self._clients: dict[str, httpx.AsyncClient] = {}
        #: Loopback hosts whose TLS handshake failed: they speak plain HTTP.
        self._plain_hosts: set[str] = set()
        #: Host -> its lean transport, used directly for GET and HEAD (no client machinery),
        #: once the host has had :data:`LEAN_AFTER` of them (``_bodyless`` counts them).
        self._fast: dict[str, FastTransport] = {}
        self._bodyless: dict[str, int] = {}
        #: Host -> what its TLS is verified with (shared by both transports).
        self._verify: dict[str, ssl.SSLContext | bool] = {}
        self._lean_allowed = transport is None and not _proxied()
        #: Cookies set by responses, sent again only along a redirect chain (as the httpx
        #: client did: the session builds each new request without cookies).
        self._cookies = httpx.Cookies()
        #: Base URL -> (scheme, host, port), so a request parses only its own URL.
        self._origins: dict[str, tuple[str, str, int | None]] = {}
        #: Builds every request; sends them too when a transport was injected (tests).
        self.http = httpx.AsyncClient(
            transport=transport if transport is not None else _BuildOnly(),
            timeout=httpx.Timeout(options.timeout, connect=min(options.timeout, 30.0)),
            headers={"User-Agent": options.user_agent, "Accept-Encoding": ACCEPT},
            follow_redirects=False,
            trust_env=False,
        )
        self.auth = Authenticator(credentials, options, self._send_plain)
        self._sleep = sleep
        self._on_warning = on_warning
        self._on_notice = on_notice
        #: Where :class:`Retrying` events go as they happen (a face's status line).
        self.on_event = on_event
        self._warned: set[str] = set()
        self._deadline = time.monotonic() + SYNC_DEADLINE.value()

    def _client_for(self, netloc: str) -> httpx.AsyncClient:
        """The httpx client that sends to ``netloc`` (the injected transport's, if any)."""
        if self._transport is not None:
            return self.http
        client = self._clients.get(netloc)
        if client is None:
            client = self._clients[netloc] = httpx.AsyncClient(
                timeout=self.http.timeout,
                verify=self._verify_for(netloc),
                headers={"User-Agent": self.options.user_agent, "Accept-Encoding": ACCEPT},
                follow_redirects=False,
            )
        return client

    def _verify_for(self, netloc: str) -> ssl.SSLContext | bool:
        verify = self._verify.get(netloc)
        if verify is None:
            verify = self._verify[netloc] = ssl_context(netloc, self.options)
        return verify

    def _lean_for(self, request: httpx.Request, netloc: str) -> FastTransport | None:
        """The lean transport for a body-less ``request``, once its host has earned one."""
        fast = self._fast.get(netloc)
        if fast is not None or not self._lean_allowed:
            return fast
        if request.method not in REDIRECTABLE:
            return None
        count = self._bodyless[netloc] = self._bodyless.get(netloc, 0) + 1
        if count <= LEAN_AFTER:
            return None
        from ocitui.core.registry.transport import FastTransport

        timeout = self.http.timeout
        fast = self._fast[netloc] = FastTransport(
            verify=self._verify_for(netloc),
            timeout=self.options.timeout,
            connect=timeout.connect if timeout.connect is not None else self.options.timeout,
        )
        return fast

    async def _send_once(self, request: httpx.Request) -> httpx.Response:
        """One request, no redirect followed; the response streams."""
        netloc = request.url.netloc.decode("ascii")
        fast = self._lean_for(request, netloc)
        if fast is not None and fast.takes(request):
            response = await fast.handle_async_request(request)
            response.request = request
            return response
        return await self._client_for(netloc).send(request, stream=True)

    async def _send(self, request: httpx.Request, follow_redirects: bool = False) -> httpx.Response:
        """Send ``request``, following redirects if asked (GET and HEAD only, by the rules
        of :func:`~ocitui.core.registry.redirects.redirect_request`, whatever the
        transport); the response streams (the caller closes it)."""
        if follow_redirects and request.method not in REDIRECTABLE:
            raise ValueError(f"a {request.method} request does not follow redirects")
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._send_once(request)
            if "set-cookie" in response.headers:
                self._cookies.extract_cookies(response)
            if not (follow_redirects and response.has_redirect_location):
                return response
            try:
                following = redirect_request(request, response)
            finally:
                await release(response)
            if self._cookies:
                self._cookies.set_cookie_header(following)
            request = following
        raise httpx.TooManyRedirects("Exceeded maximum allowed redirects.", request=request)

    async def aclose(self) -> None:
        """Close the connection pools."""
        for fast in self._fast.values():
            await fast.aclose()
        for client in self._clients.values():
            await client.aclose()
        await self.http.aclose()

    def base_url(self, registry: str) -> str:
        """``scheme://api-host`` for a registry name (Docker Hub has its own API host)."""
        host = DOCKER_HUB_API if registry == DOCKER_HUB else registry
        scheme = "http" if host in self._plain_hosts else scheme_for(host, self.options)
        return f"{scheme}://{host}"

    def _origin(self, registry: str) -> tuple[str, str, int | None]:
        """``(scheme, host, port)`` of ``registry``'s API, parsed once per base URL.

        Credentials go only to this origin; every request compares its target with it.
        """
        base = self.base_url(registry)
        origin = self._origins.get(base)
        if origin is None:
            parsed = httpx.URL(base)
            origin = self._origins[base] = (parsed.scheme, parsed.host, parsed.port)
        return origin

    def notice(self, text: str) -> None:
        """Tell the user what the session is doing about a fault (a retry, a fallback)."""
        if self._on_notice is not None:
            self._on_notice(text)
        else:
            log.info("%s", text)

    async def _connect_failed(
        self, exc: httpx.TransportError, target: httpx.URL, where: str, attempt: int
    ) -> httpx.URL | None:
        """Decide on a failed send: the URL to try at once (plain-HTTP fallback), None to
        retry after a backoff, or raise when retrying cannot help."""
        kind, reason = classify(exc)
        host = target.netloc.decode("ascii")
        failed = _failed_url(exc)
        if failed is not None and failed.netloc != target.netloc:
            # A redirect led elsewhere (a blob's storage): name where the failure was.
            at = failed
            named = f"{failed.netloc.decode('ascii')} (redirected from {host})"
        else:
            at, named = target, host
            if kind == "handshake" and target.scheme == "https" and is_loopback(target.host):
                self._plain_hosts.add(host)
                # Silent, as docker's: a local registry on HTTP is the common case, not a fault.
                log.info("%s: TLS handshake failed (%s); using plain HTTP", host, reason)
                return target.copy_with(scheme="http")
        at_host = at.netloc.decode("ascii")
        if kind == "certificate":
            raise certificate_error(where, at_host, reason)
        fatal = kind == "unresolvable" or (kind == "refused" and is_loopback(at.host))
        if fatal or attempt >= self.options.retries:
            raise RegistryError(f"{where}: cannot reach {named}: {reason}")
        await self.retrying(at_host, reason, attempt)
        return None

    def url(self, registry: str, path: str) -> str:
        """The absolute URL of an API ``path`` (``/v2/...``) on ``registry``."""
        return self.base_url(registry) + path

    def warn(self, text: str) -> None:
        """Report a registry warning once (never acted upon)."""
        if text in self._warned:
            return
        self._warned.add(text)
        if self._on_warning is not None:
            self._on_warning(text)
        else:
            log.warning("registry warning: %s", text)

    def delay(self, attempt: int) -> float:
        """Seconds before retry ``attempt`` (0-based): capped 2^n."""
        return float(min(0.25 * 2**attempt, self.options.max_backoff))

    async def backoff(self, attempt: int, hint: float | None = None) -> None:
        """Wait before retry ``attempt`` (0-based): ``Retry-After`` or capped 2^n."""
        await self._sleep(hint if hint is not None else self.delay(attempt))

    async def retrying(
        self, where: str, reason: str, attempt: int, hint: float | None = None
    ) -> None:
        """Announce retry ``attempt`` (0-based) of ``where`` (a :class:`Retrying` event to
        ``on_event``, else a notice), then wait for it."""
        delay = hint if hint is not None else self.delay(attempt)
        event = Retrying(where, reason, delay, attempt + 2, self.options.retries + 1)
        if self.on_event is not None:
            self.on_event(event)
        else:
            self.notice(event.message)
        await self.backoff(attempt, hint)

    async def _send_plain(self, request: httpx.Request) -> httpx.Response:
        """Send without registry auth (token service), with the usual retries."""
        for attempt in range(self.options.retries + 1):
            try:
                response = await self._send(request)
            except httpx.TransportError as exc:
                where = f"token service {request.url.host}"
                await self._connect_failed(exc, request.url, where, attempt)
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.options.retries:
                await release(response)
                hint = retry_after(response.headers.get("retry-after"))
                where = f"token service {request.url.host}"
                await self.retrying(where, f"HTTP {response.status_code}", attempt, hint)
                continue
            return response
        raise AssertionError("unreachable")

    async def request(
        self,
        method: str,
        url: str,
        *,
        registry: str,
        scopes: Sequence[str],
        where: str,
        headers: dict[str, str] | None = None,
        body: Body = None,
        follow_redirects: bool = False,
        retry: bool = True,
    ) -> httpx.Response:
        """Send with auth and retries; return the (streaming) response, whatever its status.

        ``body`` may be a factory so that a retried request sends its content again.
        """
        if time.monotonic() > self._deadline:
            raise RegistryError(
                f"{where}: gave up after {SYNC_DEADLINE.value():g} s (OCITUI_SYNC_DEADLINE)"
            )
        authenticated_retry = False
        attempt = 0
        own_origin = self._origin(registry)
        target = httpx.URL(url)
        while True:
            all_headers = dict(headers or {})
            if (target.scheme, target.host, target.port) == own_origin:
                value = await self.auth.header(target, registry, scopes)
                if value is not None:
                    all_headers["Authorization"] = value
            content: Any = body() if callable(body) else body
            request = self.http.build_request(method, target, headers=all_headers, content=content)
            try:
                response = await self._send(request, follow_redirects=follow_redirects)
            except httpx.TooManyRedirects:
                raise RegistryError(f"{where}: more than {MAX_REDIRECTS} redirects") from None
            except httpx.TransportError as exc:
                tries = attempt if retry else self.options.retries  # No retry: decide now.
                switched = await self._connect_failed(exc, target, where, tries)
                if switched is not None:
                    target = switched
                    own_origin = self._origin(registry)
                else:
                    attempt += 1
                continue
            for text in warnings_of(response.headers):
                self.warn(f"{registry}: {text}")
            if response.status_code == 401 and not authenticated_retry:
                await release(response)
                if self.auth.learn(response, scopes):
                    authenticated_retry = True
                    continue
                return response
            if response.status_code in RETRY_STATUSES and retry and attempt < self.options.retries:
                await release(response)
                hint = retry_after(response.headers.get("retry-after"))
                await self.retrying(where, f"HTTP {response.status_code}", attempt, hint)
                attempt += 1
                continue
            return response

    async def read(self, response: httpx.Response, cap: int, what: str) -> bytes:
        """Read a whole (small) body, refusing more than ``cap`` bytes, and close."""
        from ocitui.core.errors import ManifestError

        try:
            length = response.headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > cap:
                raise ManifestError(f"{what}: response of {length} bytes is over the {cap} limit")
            data = bytearray()
            async with body_deadline(what):
                async for chunk in decoded_chunks(response, what):
                    data += chunk
                    if len(data) > cap:
                        raise ManifestError(f"{what}: response is over the {cap}-byte limit")
            return bytes(data)
        except httpx.TransportError as exc:
            raise DroppedBody(f"{what}: connection dropped ({type(exc).__name__})") from None
        finally:
            await response.aclose()

    async def fail(self, response: httpx.Response, where: str, action: str) -> RegistryError:
        """Build (not raise) the one-line error for an unexpected response; closes it."""
        try:
            body = b""
            if response.request.method != "HEAD":
                async for chunk in decoded_chunks(response, where):
                    body += chunk
                    if len(body) > _ERROR_BODY_CAP:
                        break
        except (httpx.TransportError, httpx.StreamError, BadEncoding):
            # StreamError: the body was drained already (a 401 read to its end before the
            # authenticated retry, answered 401 again); the status still says what failed.
            body = b""
        finally:
            await response.aclose()
        return error_for(response.status_code, body, where, action)


def _failed_url(exc: httpx.TransportError) -> httpx.URL | None:
    """The URL of the request that failed (after redirects), when httpx recorded it."""
    try:
        return exc.request.url
    except RuntimeError:  # No request attached.
        return None


@contextlib.asynccontextmanager
async def body_deadline(what: str) -> AsyncIterator[None]:
    """Cut off a response body that takes longer than the request deadline in total.

    The HTTP read timeout only bounds the wait for *each* chunk; a server that drip-feeds
    one byte every few seconds would keep a transfer alive forever without this.
    """
    limit = REQUEST_DEADLINE.value()
    try:
        async with asyncio.timeout(limit):
            yield
    except TimeoutError:
        raise RegistryError(
            f"{what}: response body took longer than {limit:g} s (OCITUI_REQUEST_DEADLINE)"
        ) from None


def error_for(status: int, body: bytes, where: str, action: str) -> RegistryError:
    """Map a status + OCI error body to RegistryError/AuthError with a one-line message."""
    code, message = error_detail(body)
    if code is None:
        code = {401: "UNAUTHORIZED", 403: "DENIED", 429: "TOOMANYREQUESTS"}.get(status)
    text = f"{where}: {action} failed: HTTP {status}"
    if code:
        text += f" {code}"
    if message:
        text += f" ({message})"
    if status in (401, 403):
        hint = " - check 'ocitui login'" if status == 401 else ""
        return AuthError(text + hint, status=status, code=code)
    return RegistryError(text, status=status, code=code)

"""How a GET or HEAD follows a redirect: one set of rules for every transport.

The session follows redirects itself (:meth:`~ocitui.core.registry.session.Session._send`),
whichever transport carries the bytes (httpx's own, the lean aiohttp one, or one a test
injects), so these are the only redirect rules in the client. They are httpx's: at most
:data:`MAX_REDIRECTS` hops; the target is resolved against the request URL; leaving the
origin drops ``Authorization``. Requests with a body are never redirected (no caller asks).
"""

from __future__ import annotations

import httpx

#: Redirects followed for one request (httpx's default).
MAX_REDIRECTS = 20
#: Methods whose requests may follow a redirect (they have no body to send again).
REDIRECTABLE = frozenset({"GET", "HEAD"})


def redirect_request(request: httpx.Request, response: httpx.Response) -> httpx.Request:
    """The GET or HEAD that follows ``response``'s ``Location`` (httpx's rules).

    The target is resolved against the request URL (a relative ``Location``, or one
    without a host, stays on the same host; the fragment is kept). Leaving the origin
    (scheme, host, port) drops ``Authorization`` (except an http -> https upgrade of the
    same host on the default ports) and sets ``Host`` to the new one; a ``Cookie`` header
    is never carried over (the caller adds what belongs to the new URL).
    """
    try:
        url = httpx.URL(response.headers["location"])
    except httpx.InvalidURL as exc:
        raise httpx.RemoteProtocolError(
            f"Invalid URL in location header: {exc}.", request=request
        ) from None
    if url.scheme and not url.host:
        url = url.copy_with(host=request.url.host)
    if url.is_relative_url:
        url = request.url.join(url)
    if request.url.fragment and not url.fragment:
        url = url.copy_with(fragment=request.url.fragment)
    if url.scheme not in ("http", "https"):
        raise httpx.UnsupportedProtocol(
            f"Request URL has an unsupported protocol '{url.scheme}://'.", request=request
        )
    headers = httpx.Headers(request.headers)
    if not _same_origin(url, request.url):
        if not _https_upgrade(request.url, url):
            headers.pop("Authorization", None)
        headers["Host"] = url.netloc.decode("ascii")
    headers.pop("Cookie", None)
    return httpx.Request(request.method, url, headers=headers, extensions=request.extensions)


def _port(url: httpx.URL) -> int | None:
    return url.port if url.port is not None else {"http": 80, "https": 443}.get(url.scheme)


def _same_origin(url: httpx.URL, other: httpx.URL) -> bool:
    return url.scheme == other.scheme and url.host == other.host and _port(url) == _port(other)


def _https_upgrade(url: httpx.URL, location: httpx.URL) -> bool:
    return (
        url.host == location.host
        and url.scheme == "http"
        and _port(url) == 80
        and location.scheme == "https"
        and _port(location) == 443
    )

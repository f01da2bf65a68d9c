"""Keeping pooled connections alive: how a response that is not read is let go."""

from __future__ import annotations

import httpx

#: A body of at most this many bytes (by ``Content-Length``) is read to its end before a
#: response is let go, so its connection goes back to the pool instead of being closed.
DRAIN_LIMIT = 64 * 1024


async def release(response: httpx.Response) -> None:
    """Let go of a response whose body is not wanted, keeping the connection when cheap.

    httpx closes a connection whose response was closed before its end was read (even a
    ``HEAD``'s, or a ``202`` with no body); every later request then pays a new TCP (and
    TLS) handshake. Reading what is left of a small body first returns the connection to
    the pool. Large or unsized bodies are not read: the connection is closed instead.
    """
    try:
        if not response.is_stream_consumed and _small_body(response):
            async for _ in response.aiter_raw():
                pass
    except (httpx.TransportError, httpx.StreamError):
        pass  # Nothing to keep: closing drops the connection.
    finally:
        await response.aclose()


def _small_body(response: httpx.Response) -> bool:
    if response.request.method == "HEAD" or response.status_code in (204, 304):
        return True
    length = response.headers.get("content-length", "")
    return length.isdigit() and int(length) <= DRAIN_LIMIT


__all__ = ["DRAIN_LIMIT", "release"]

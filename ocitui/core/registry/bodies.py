"""Read a small response body (a manifest, a listing, a token, an error) with bounded memory.

httpx decodes ``Content-Encoding`` by itself, one received chunk at a time and without an
output limit: a registry answering with 32 KiB of ``Content-Encoding: zstd`` made one
``decompress`` call return 1 GiB (2.1 GB peak RSS) before any size cap could look at it,
and a body labelled ``gzip`` that is not gzip ended in an ``httpx.DecodingError``
traceback. Here the raw bytes are read and decoded by us:

- no encoding, or ``identity``: the bytes as they came;
- ``gzip`` (``x-gzip``), the only encoding the session asks for (as Go's HTTP client
  does): decoded at most :data:`STEP` bytes per call, so the caller's size cap stops a
  bomb after a few hundred KiB; a body that is not gzip is :class:`BadEncoding`;
- anything else (``zstd``, ``br``, ``deflate``, a list of encodings) was not asked for and
  is refused as :class:`BadEncoding`, rather than passed on as bytes nobody can read.

Blob bodies are not read here: their digest is of the raw bytes (``blobs.py`` reads
them raw and asks for ``identity``).
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

import httpx

from ocitui.core.errors import RegistryError

#: The ``Accept-Encoding`` sent with every request whose body is decoded here.
ACCEPT = "gzip"
#: Most bytes one decode step produces.
STEP = 256 * 1024
_GZIP = frozenset({"gzip", "x-gzip"})


class BadEncoding(RegistryError):
    """A body whose ``Content-Encoding`` was not asked for, or does not decode."""


def _encoding(response: httpx.Response) -> str:
    return ",".join(response.headers.get_list("content-encoding")).strip().lower()


async def decoded_chunks(response: httpx.Response, what: str) -> AsyncIterator[bytes]:
    """The body of ``response`` decoded, in chunks of at most :data:`STEP` decoded bytes.

    Raises :class:`BadEncoding` for an encoding not asked for or a corrupt gzip body.
    Transport errors propagate as httpx raises them.
    """
    encoding = _encoding(response)
    if response.is_stream_consumed:  # Read already (mock transports): httpx decoded it.
        yield response.content
        return
    if encoding in ("", "identity"):
        async for chunk in response.aiter_raw():
            yield chunk
        return
    if encoding not in _GZIP:
        raise BadEncoding(
            f"{what}: response uses Content-Encoding {encoding[:40]!r}, not asked for"
        )
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    started = False
    try:
        async for raw in response.aiter_raw():
            data = raw
            while data:
                started = True
                piece = decoder.decompress(data, STEP)
                if piece:
                    yield piece
                data = decoder.unconsumed_tail
                if decoder.eof:  # One gzip member ended; another may follow (RFC 1952).
                    data = decoder.unused_data + data
                    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    started = False
        if started and not decoder.eof:
            raise BadEncoding(f"{what}: gzip response body ends early")
    except zlib.error:
        raise BadEncoding(f"{what}: response body is labelled gzip but does not decode") from None

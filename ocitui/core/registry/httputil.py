"""Small pure helpers for the registry HTTP dialect.

Link headers, ``Range``/``Content-Range`` values, upload ``Location`` resolution, the
OCI error body, ``Warning: 299`` headers and ``Retry-After``. No I/O here, so every edge case
is a plain unit test.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin

import httpx

from ocitui.core import jsonsafe

_LINK_PART = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
_RANGE = re.compile(r"\s*(?:bytes[ =])?\s*(\d+)-(\d+)\s*(?:/\s*(\d+|\*))?\s*")
_WARNING = re.compile(r'\s*(\d{3})\s+\S+\s+"((?:[^"\\]|\\.)*)"')


def next_link(header: str | None, base: str) -> str | None:
    """The absolute URL of the ``rel="next"`` entry of an RFC 8288 ``Link`` header."""
    if not header:
        return None
    for match in _LINK_PART.finditer(header):
        target, params = match.group(1), match.group(2)
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "rel" and "next" in value.strip().strip('"').split():
                return str(urljoin(base, target.strip()))
    return None


def parse_range(value: str | None) -> tuple[int, int] | None:
    """Parse ``0-1023`` / ``bytes=0-1023`` / ``bytes 0-1023/2048`` into ``(start, end)``.

    distribution answers ``0-0`` for an empty upload as well as for one byte; callers that
    care use :func:`upload_offset` with the session's own knowledge.
    """
    if not value:
        return None
    match = _RANGE.fullmatch(value)
    if match is None:
        return None
    start, end = int(match.group(1)), int(match.group(2))
    if end < start:
        return None
    return start, end


def upload_offset(value: str | None, *, sent: int | None = None) -> int:
    """The next byte the registry expects, from an upload ``Range`` header.

    ``0-0`` is ambiguous (empty, or one byte): when we know we sent nothing yet (``sent`` is
    0 or unknown) it means empty.
    """
    parsed = parse_range(value)
    if parsed is None:
        return 0
    start, end = parsed
    if start == 0 and end == 0 and not sent:
        return 0
    return end + 1


def content_range_start(value: str | None) -> int | None:
    """The first byte offset of a ``Content-Range: bytes <start>-<end>/<total>`` answer."""
    parsed = parse_range(value)
    return None if parsed is None else parsed[0]


def resolve_location(request_url: str | httpx.URL, location: str | None) -> str:
    """Resolve an upload ``Location`` (absolute or relative) against the request URL.

    An answer that opens an upload without saying where it continues is the registry's
    fault: a :class:`RegistryError` (it was a bare ``ValueError``, a traceback).
    """
    if not location or not location.strip():
        from ocitui.core.errors import RegistryError

        url = httpx.URL(str(request_url))
        raise RegistryError(f"{url.netloc.decode()}: upload answer has no Location header")
    return urljoin(str(request_url), location.strip())


def with_query(url: str, key: str, value: str) -> str:
    """Append ``key=value`` keeping any query the registry put there (``&`` or ``?``)."""
    encoded = f"{quote(key, safe='')}={quote(value, safe='')}"
    base, hash_mark, fragment = url.partition("#")
    if "?" in base:
        joined = base + ("" if base.endswith(("?", "&")) else "&") + encoded
    else:
        joined = base + "?" + encoded
    return joined + (hash_mark + fragment if hash_mark else "")


def error_detail(body: bytes) -> tuple[str | None, str | None]:
    """``(code, message)`` of the first entry of an OCI error body, if it is one."""
    try:
        doc = jsonsafe.loads(body[:65536])
    except (ValueError, UnicodeDecodeError):
        return None, None
    errors = doc.get("errors") if isinstance(doc, dict) else None
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return None, None
    code, message = errors[0].get("code"), errors[0].get("message")
    code = code if isinstance(code, str) and re.fullmatch(r"[A-Z0-9_]{1,64}", code) else None
    return code, one_line(message) if isinstance(message, str) and message else None


def one_line(text: str, limit: int = 200) -> str:
    """Collapse whitespace and cut ``text`` so it fits in a one-line error."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def warnings_of(headers: httpx.Headers) -> list[str]:
    """The texts of ``Warning: 299 - "..."`` headers (other codes are not for us)."""
    out: list[str] = []
    for value in headers.get_list("warning"):
        for match in _WARNING.finditer(value):
            if match.group(1) == "299":
                out.append(one_line(match.group(2).replace('\\"', '"'), 4096))
    return out


def retry_after(value: str | None, *, cap: float = 60.0) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds only; dates fall back)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(0.0, min(seconds, cap))

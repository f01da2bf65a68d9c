"""Pure helpers: Link, Range, Location, warnings, error bodies, Retry-After, challenges."""

from __future__ import annotations

import httpx
import pytest

from ocitui.core.errors import RegistryError
from ocitui.core.registry.challenge import merge_scopes, parse_challenges, pick, split_scope
from ocitui.core.registry.httputil import (
    error_detail,
    next_link,
    parse_range,
    resolve_location,
    retry_after,
    upload_offset,
    warnings_of,
    with_query,
)
from ocitui.core.registry.options import RegistryOptions, is_loopback, scheme_for

BASE = "http://r.example/v2/app/tags/list"


def test_link_relative_and_absolute() -> None:
    assert next_link('</v2/app/tags/list?n=2&last=b>; rel="next"', BASE) == (
        "http://r.example/v2/app/tags/list?n=2&last=b"
    )
    assert next_link("<https://other/x?y=1>; rel=next", BASE) == "https://other/x?y=1"
    assert next_link('</a>; rel="prev", </b>; rel="next"', BASE) == "http://r.example/b"
    assert next_link('</a>; rel="prev"', BASE) is None
    assert next_link(None, BASE) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0-0", (0, 0)),
        ("bytes=0-1023", (0, 1023)),
        ("bytes 5-9/10", (5, 9)),
        ("0-1023", (0, 1023)),
        ("garbage", None),
        ("9-5", None),
        ("", None),
    ],
)
def test_parse_range(value: str, expected: tuple[int, int] | None) -> None:
    assert parse_range(value) == expected


def test_upload_offset_zero_zero_is_empty_before_sending() -> None:
    assert upload_offset("0-0", sent=0) == 0
    assert upload_offset("0-0", sent=1) == 1
    assert upload_offset("bytes=0-99", sent=100) == 100
    assert upload_offset(None) == 0


def test_location_resolution_and_digest_query() -> None:
    req = "http://r.example:5000/v2/app/blobs/uploads/"
    rel = resolve_location(req, "/v2/app/blobs/uploads/u1?_state=abc")
    assert rel == "http://r.example:5000/v2/app/blobs/uploads/u1?_state=abc"
    assert resolve_location(req, "u2") == "http://r.example:5000/v2/app/blobs/uploads/u2"
    assert resolve_location(req, "https://cdn.example/up/1") == "https://cdn.example/up/1"
    assert with_query(rel, "digest", "sha256:ab") == rel + "&digest=sha256%3Aab"
    assert with_query("http://h/u", "digest", "sha256:ab") == "http://h/u?digest=sha256%3Aab"
    assert with_query("http://h/u?", "digest", "x") == "http://h/u?digest=x"
    for missing in (None, "", "  "):
        with pytest.raises(RegistryError, match=r"r\.example:5000: upload answer has no Location"):
            resolve_location(req, missing)


def test_warnings_and_errors() -> None:
    headers = httpx.Headers(
        [("Warning", '299 - "deprecated \\"thing\\""'), ("Warning", '199 - "ignored"')]
    )
    assert warnings_of(headers) == ['deprecated "thing"']
    assert error_detail(b'{"errors":[{"code":"NAME_UNKNOWN","message":"no\\nrepo"}]}') == (
        "NAME_UNKNOWN",
        "no repo",
    )
    assert error_detail(b"<html>") == (None, None)
    assert error_detail(b'{"errors":[{"code":"lower; rm -rf"}]}') == (None, None)
    assert retry_after("3") == 3.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None
    assert retry_after("100000") == 60.0


def test_challenge_parsing() -> None:
    header = (
        'Bearer realm="https://auth.example/token",service="reg",'
        'scope="repository:a/b:pull,push",error="insufficient_scope", Basic realm="x, y"'
    )
    bearer, basic = parse_challenges(header)
    assert bearer.scheme == "bearer" and bearer.realm == "https://auth.example/token"
    assert bearer.scopes == ("repository:a/b:pull,push",)
    assert bearer.params["error"] == "insufficient_scope"
    assert basic.scheme == "basic" and basic.realm == "x, y"
    assert pick(parse_challenges(["Negotiate abc==", 'Basic realm="r"'])) is not None
    assert pick(parse_challenges("Negotiate abc==")) is None
    assert parse_challenges('Basic realm="a \\"q\\""')[0].realm == 'a "q"'


def test_scopes() -> None:
    assert split_scope("repository:localhost:5000/a:pull,push") == (
        "repository",
        "localhost:5000/a",
        ("pull", "push"),
    )
    assert merge_scopes(["repository:a:push", "repository:a:pull", "repository:b:pull"]) == (
        "repository:a:pull,push",
        "repository:b:pull",
    )


def test_loopback_and_scheme() -> None:
    opts = RegistryOptions()
    assert is_loopback("localhost:5000") and is_loopback("127.3.4.5") and is_loopback("[::1]:80")
    assert not is_loopback("registry.example") and not is_loopback("10.0.0.1:5000")
    assert scheme_for("127.0.0.1", opts) == "https"  # HTTP only after a failed handshake
    assert scheme_for("registry.example", opts) == "https"
    assert scheme_for("registry.example", RegistryOptions(plain_http=True)) == "http"

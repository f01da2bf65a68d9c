"""Client edge cases against httpx.MockTransport: lying servers, caps, auth, retries."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import AuthError, DigestMismatch, ManifestError, RegistryError
from ocitui.core.registry import Credential, RegistryClient, RegistryOptions, StaticCredentials
from tests.registry.helpers import MemorySink, blob_desc, dumps, image, ref

HOST = "reg.example"
Handler = Callable[[httpx.Request], httpx.Response]


def client(
    handler: Handler,
    *,
    creds: dict[str, Credential] | None = None,
    sleeps: list[float] | None = None,
    warnings: list[str] | None = None,
    **options: object,
) -> RegistryClient:
    async def sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)

    return RegistryClient(
        RegistryOptions(**options),  # type: ignore[arg-type]
        credentials=StaticCredentials(creds or {}),
        transport=httpx.MockTransport(handler),
        sleep=sleep,
        on_warning=None if warnings is None else warnings.append,
    )


RAW, _ = image()


def serve_manifest(
    raw: bytes = RAW, content_type: str = mt.OCI_MANIFEST, headers: dict[str, str] | None = None
) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=raw, headers={"Content-Type": content_type, **(headers or {})}
        )

    return handler


async def test_https_by_default_and_accept_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return serve_manifest()(request)

    async with client(handler) as c:
        fetched = await c.get_manifest(ref(HOST, "app:v1"))
    assert seen[0].url == "https://reg.example/v2/app/manifests/v1"
    for wanted in mt.MANIFEST_LIKE:
        assert wanted in seen[0].headers["accept"]
    assert fetched.raw == RAW and fetched.digest == Digest.of(RAW)
    assert fetched.media_type == mt.OCI_MANIFEST


async def test_type_confusion_is_refused() -> None:
    async with client(serve_manifest(content_type=mt.OCI_INDEX)) as c:
        with pytest.raises(ManifestError, match="declares mediaType"):
            await c.get_manifest(ref(HOST, "app:v1"))


async def test_oversize_manifest_by_length_and_by_stream() -> None:
    big = b"{" + b" " * 5000 + b"}"
    async with client(serve_manifest(big), max_manifest_size=1000) as c:
        with pytest.raises(ManifestError, match="limit"):
            await c.get_manifest(ref(HOST, "app:v1"))

    async def chunks():  # no Content-Length: the cap applies while reading
        for _ in range(10):
            yield b" " * 500

    def streaming(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks(), headers={"Content-Type": mt.OCI_MANIFEST})

    async with client(streaming, max_manifest_size=1000) as c:
        with pytest.raises(ManifestError, match="limit"):
            await c.get_manifest(ref(HOST, "app:v1"))


async def test_lying_server_digest_mismatch() -> None:
    wanted = Digest.of(b"something else")
    async with client(serve_manifest()) as c:
        with pytest.raises(DigestMismatch):
            await c.get_manifest(ref(HOST, f"app@{wanted}"))
    lie = {"Docker-Content-Digest": str(Digest.of(b"x"))}
    async with client(serve_manifest(headers=lie)) as c:
        with pytest.raises(DigestMismatch, match="Docker-Content-Digest"):
            await c.get_manifest(ref(HOST, "app:v1"))


async def test_blob_more_bytes_than_promised() -> None:
    data = b"0123456789"
    desc = blob_desc(data)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=data + b"extra")

    async with client(handler) as c:
        with pytest.raises(DigestMismatch):
            await c.fetch_blob(ref(HOST, "app"), desc, MemorySink())


async def test_retry_429_with_retry_after_then_success() -> None:
    calls: list[int] = []
    sleeps: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            return httpx.Response(429, headers={"Retry-After": "2"})
        return serve_manifest()(request)

    async with client(handler, sleeps=sleeps) as c:
        await c.get_manifest(ref(HOST, "app:v1"))
    assert sleeps == [2.0, 2.0] and len(calls) == 3


async def test_retries_give_up_with_one_line_error() -> None:
    sleeps: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"errors": [{"code": "UNAVAILABLE", "message": "busy"}]})

    async with client(handler, sleeps=sleeps, retries=3) as c:
        with pytest.raises(RegistryError) as info:
            await c.get_manifest(ref(HOST, "team/app:v1"))
    assert len(sleeps) == 3 and sleeps == sorted(sleeps)
    text = str(info.value)
    assert "\n" not in text and "reg.example/team/app" in text and "503" in text
    assert info.value.status == 503


async def test_connection_errors_are_retried() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        return serve_manifest()(request)

    async with client(handler, sleeps=[]) as c:
        await c.get_manifest(ref(HOST, "app:v1"))
    assert len(calls) == 2


async def test_error_codes_and_credentials_never_in_messages() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "authorization" not in request.headers:
            return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="r"'})
        return httpx.Response(403, json={"errors": [{"code": "DENIED", "message": "nope"}]})

    creds = {HOST: Credential("alice", "s3cr3t-pw")}
    async with client(handler, creds=creds) as c:
        with pytest.raises(AuthError) as info:
            await c.get_manifest(ref(HOST, "app:v1"))
    text = f"{info.value} {info.value!r} {info.value.args}"
    assert "s3cr3t-pw" not in text and "DENIED" in text and info.value.status == 403


async def test_basic_never_over_plain_http_to_remote_host() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="r"'})

    creds = {"10.1.2.3:5000": Credential("alice", "pw")}
    # https: allowed; the 401 twice ends as AuthError but the creds were offered
    async with client(handler, creds=creds) as c:
        with pytest.raises(AuthError):
            await c.get_manifest(ref("10.1.2.3:5000", "app:v1"))
    assert "authorization" in seen[-1].headers and seen[-1].url.scheme == "https"
    # loopback: https first (plain http only after a failed TLS handshake), creds allowed
    seen.clear()
    async with client(handler, creds={"127.0.0.1:5000": Credential("a", "b")}) as c:
        with pytest.raises(AuthError):
            await c.get_manifest(ref("127.0.0.1:5000", "app:v1"))
    assert seen[0].url.scheme == "https" and "authorization" in seen[-1].headers


async def test_bearer_token_flow_clamps_expiry_and_caches() -> None:
    token_calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "auth.example":
            token_calls.append(request)
            return httpx.Response(200, json={"access_token": "tok", "expires_in": 1})
        if request.headers.get("authorization") != "Bearer tok":
            return httpx.Response(
                401,
                headers={
                    "WWW-Authenticate": 'Bearer realm="https://auth.example/token",service="svc",scope="x"'
                },
            )
        return serve_manifest()(request)

    async with client(handler, creds={HOST: Credential("u", "p")}) as c:
        await c.get_manifest(ref(HOST, "app:v1"))
        await c.get_manifest(ref(HOST, "app:v2"))
    assert len(token_calls) == 1  # expires_in 1 is clamped to 60 s: the token is reused
    params = token_calls[0].url.params
    assert params["service"] == "svc"
    assert params.get_list("scope") == ["repository:app:pull"]
    assert token_calls[0].headers["authorization"].startswith("Basic ")


async def test_refresh_token_post_falls_back_to_get_on_404() -> None:
    methods: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "auth.example":
            methods.append(request.method)
            if request.method == "POST":
                assert b"grant_type=refresh_token" in request.content
                return httpx.Response(404)
            return httpx.Response(200, json={"token": "tok"})
        if request.headers.get("authorization") != "Bearer tok":
            return httpx.Response(
                401,
                headers={
                    "WWW-Authenticate": 'Bearer realm="https://auth.example/token",service="svc"'
                },
            )
        return serve_manifest()(request)

    async with client(handler, creds={HOST: Credential(identity_token="refresh")}) as c:
        await c.get_manifest(ref(HOST, "app:v1"))
    assert methods == ["POST", "GET"]


async def test_plain_http_realm_refused_for_remote_registry() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401,
            headers={"WWW-Authenticate": 'Bearer realm="http://auth.example/token",service="svc"'},
        )

    async with client(handler) as c:
        with pytest.raises(AuthError, match="plain-http token service"):
            await c.get_manifest(ref(HOST, "app:v1"))


async def test_warnings_reported_once_never_acted_on() -> None:
    warnings: list[str] = []
    handler = serve_manifest(headers={"Warning": '299 - "this registry is deprecated"'})
    async with client(handler, warnings=warnings) as c:
        await c.get_manifest(ref(HOST, "app:v1"))
        await c.get_manifest(ref(HOST, "app:v1"))
    assert warnings == ["reg.example: this registry is deprecated"]


async def test_head_manifest_falls_back_to_get_without_digest() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "HEAD":
            return httpx.Response(200, headers={"Content-Type": mt.OCI_MANIFEST})
        return serve_manifest()(request)

    async with client(handler) as c:
        desc = await c.head_manifest(ref(HOST, "app:v1"))
    assert desc is not None and desc.digest == Digest.of(RAW) and desc.size == len(RAW)


async def test_put_manifest_digest_mismatch_from_registry() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, headers={"Docker-Content-Digest": str(Digest.of(b"no"))})

    async with client(handler) as c:
        with pytest.raises(DigestMismatch):
            await c.put_manifest(ref(HOST, "app:v1"), RAW, mt.OCI_MANIFEST)
        with pytest.raises(ManifestError):
            await c.put_manifest(ref(HOST, "app:v1"), RAW, mt.OCI_INDEX)


async def test_tags_null_and_pagination() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "last" not in request.url.params:
            return httpx.Response(
                200,
                json={"name": "app", "tags": ["a", "b"]},
                headers={"Link": '</v2/app/tags/list?last=b>; rel="next"'},
            )
        return httpx.Response(200, json={"name": "app", "tags": None})

    async with client(handler) as c:
        assert await c.list_tags(ref(HOST, "app")) == ["a", "b"]


async def test_upload_location_keeps_query_and_cross_origin_gets_no_auth() -> None:
    data = b"blob-data"
    desc = blob_desc(data)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "HEAD":
            return httpx.Response(404)
        if request.method == "POST":
            return httpx.Response(
                202, headers={"Location": "https://uploads.example/u/1?sig=abc&_state=xyz"}
            )
        body = request.read()
        assert body == data
        return httpx.Response(201, headers={"Docker-Content-Digest": str(desc.digest)})

    creds = {HOST: Credential(registry_token="regtok")}
    async with client(handler, creds=creds) as c:
        assert (
            await c.push_blob(ref(HOST, "app"), desc, lambda: __import__("io").BytesIO(data))
            == "uploaded"
        )
    put = seen[-1]
    assert put.method == "PUT" and put.url.host == "uploads.example"
    assert put.url.params["sig"] == "abc" and put.url.params["_state"] == "xyz"
    assert put.url.params["digest"] == str(desc.digest)
    assert "authorization" not in put.headers


async def test_referrers_fallback_tag_not_an_index_means_none() -> None:
    subject = Digest.of(b"subject")

    def handler(request: httpx.Request) -> httpx.Response:
        if "/referrers/" in request.url.path:
            return httpx.Response(404, text="404 page not found")
        return serve_manifest()(request)  # an image manifest where an index should be

    warnings: list[str] = []
    async with client(handler, warnings=warnings) as c:
        assert await c.referrers(ref(HOST, "app"), subject) == []
    assert warnings and "not an OCI index" in warnings[0]
    assert json.loads(dumps({"a": 1})) == {"a": 1}


async def test_blob_redirect_drops_authorization_across_origins() -> None:
    data = b"redirected blob"
    desc = blob_desc(data)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "cdn.example":
            return httpx.Response(200, content=data)
        if "authorization" not in request.headers:
            return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="r"'})
        return httpx.Response(307, headers={"Location": "https://cdn.example/b?sig=1"})

    async with client(handler, creds={HOST: Credential("u", "pw")}) as c:
        sink = MemorySink(desc.size)
        await c.fetch_blob(ref(HOST, "app"), desc, sink)
    assert bytes(sink.data) == data
    assert seen[-1].url.host == "cdn.example" and "authorization" not in seen[-1].headers
    assert "authorization" in seen[-2].headers

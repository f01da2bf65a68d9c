"""Integration tests against the spec-faithful fake registry (real loopback HTTP)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import AuthError, RegistryError
from ocitui.core.events import Retrying
from ocitui.core.models import Descriptor
from ocitui.core.registry import Credential, RegistryClient, RegistryOptions, StaticCredentials
from tests.registry.helpers import MemorySink, blob_desc, image, opener, ref
from tests.support.fake_registry import FakeRegistry

Factory = Callable[..., FakeRegistry]


def make_client(reg: FakeRegistry, **options: object) -> RegistryClient:
    async def no_sleep(_: float) -> None:
        return None

    creds = StaticCredentials({reg.host: Credential("user", "pass")})
    return RegistryClient(
        RegistryOptions(**options),
        credentials=creds,  # type: ignore[arg-type]
        sleep=no_sleep,
    )


async def push_image(c: RegistryClient, target: str, host: str, **kw: object) -> Descriptor:
    raw, blobs = image(**kw)  # type: ignore[arg-type]
    r = ref(host, target)
    for desc, data in blobs:
        await c.push_blob(r, desc, opener(data))
    pushed = await c.put_manifest(r, raw, mt.OCI_MANIFEST)
    return pushed.descriptor()


@pytest.mark.parametrize("auth", [None, "basic", "bearer"])
async def test_round_trip(fake_registry: Factory, auth: str | None) -> None:
    reg = fake_registry(auth=auth)
    raw, blobs = image(layer=b"L" * 3000)
    r = ref(reg.host, "team/app:v1")
    async with make_client(reg) as c:
        assert [await c.push_blob(r, d, opener(b)) for d, b in blobs] == ["uploaded"] * 2
        assert await c.push_blob(r, *blobs[0][:1], opener(blobs[0][1])) == "exists"
        pushed = await c.put_manifest(r, raw, mt.OCI_MANIFEST)
        assert pushed.digest == Digest.of(raw) and pushed.referrers_via is None
        fetched = await c.get_manifest(r)
        assert fetched.raw == raw and fetched.media_type == mt.OCI_MANIFEST
        by_digest = await c.get_manifest(r.with_digest(pushed.digest))
        assert by_digest.raw == raw
        head = await c.head_manifest(r)
        assert head == pushed.descriptor()
        assert await c.head_manifest(ref(reg.host, "team/app:nope")) is None
        for desc, data in blobs:
            sink = MemorySink(desc.size)
            await c.fetch_blob(r, desc, sink)
            assert bytes(sink.data) == data
        assert await c.list_tags(r) == ["v1"]
        assert await c.catalog(reg.host) == ["team/app"]


async def test_bearer_wrong_password_is_auth_error(fake_registry: Factory) -> None:
    reg = fake_registry(auth="bearer")
    creds = StaticCredentials({reg.host: Credential("user", "WRONG-pw")})
    async with RegistryClient(credentials=creds) as c:
        with pytest.raises(AuthError) as info:
            await c.list_tags(ref(reg.host, "app"))
    assert "WRONG-pw" not in str(info.value) and reg.host in str(info.value)


async def test_bearer_anonymous_pull_push_needs_credentials(fake_registry: Factory) -> None:
    reg = fake_registry(auth="bearer", anonymous_pull=True)
    reg.state.put_blob("app", b"x")
    async with RegistryClient(credentials=StaticCredentials()) as c:
        assert await c.blob_exists(ref(reg.host, "app"), Digest.of(b"x"))
        with pytest.raises(AuthError):
            await c.push_blob(ref(reg.host, "app"), blob_desc(b"y"), opener(b"y"))


async def test_refresh_token_grant(fake_registry: Factory) -> None:
    reg = fake_registry(auth="bearer")
    reg.state.refresh_tokens["refresh-1"] = "user"
    reg.state.put_blob("app", b"x")
    creds = StaticCredentials({reg.host: Credential(identity_token="refresh-1")})
    async with RegistryClient(credentials=creds) as c:
        assert await c.blob_exists(ref(reg.host, "app"), Digest.of(b"x"))
    posts = reg.state.requests_matching("POST", r"^/token")
    assert len(posts) == 1


@pytest.mark.parametrize("absolute", [False, True])
async def test_chunked_upload(fake_registry: Factory, absolute: bool) -> None:
    reg = fake_registry(absolute_locations=absolute, chunk_min_length=1000)
    data = bytes(range(256)) * 20
    desc = blob_desc(data)
    r = ref(reg.host, "app")
    progress: list[int] = []
    async with make_client(reg) as c:
        result = await c.push_blob(
            r, desc, opener(data), chunk_size=700, on_progress=progress.append
        )
        assert result == "uploaded"
        sink = MemorySink()
        await c.fetch_blob(r, desc, sink)
    assert bytes(sink.data) == data and sum(progress) == len(data)
    patches = reg.state.requests_matching("PATCH")
    # the registry's minimum (1000) wins over our 700
    assert [p.headers["Content-Range"] for p in patches][:2] == ["0-999", "1000-1999"]
    assert all("_state=" in p.path for p in patches)


@pytest.mark.parametrize("first", [True, False])
async def test_chunk_refused_with_416_recovers_from_upload_status(
    fake_registry: Factory, first: bool
) -> None:
    reg = fake_registry()
    data = b"abcdefghij" * 50
    desc = blob_desc(data)
    # the first (or third) PATCH is refused as out of order
    reg.inject(r"/blobs/uploads/.+", "416", method="PATCH", skip=0 if first else 2)
    async with make_client(reg) as c:
        assert await c.push_blob(ref(reg.host, "app"), desc, opener(data), chunk_size=100) == (
            "uploaded"
        )
    assert reg.state.blobs[str(desc.digest)] == data
    statuses = [r.status for r in reg.state.requests_matching("PATCH")]
    assert statuses.count(202) == 5
    assert statuses[0 if first else 2] == 416
    assert [r.status for r in reg.state.requests_matching("GET", r"/uploads/")] == [204]


async def test_chunk_500_is_retried(fake_registry: Factory) -> None:
    reg = fake_registry()
    data = b"0123456789" * 30
    desc = blob_desc(data)
    reg.inject(r"/blobs/uploads/.+", "500", times=1, method="PATCH")
    async with make_client(reg) as c:
        assert await c.push_blob(ref(reg.host, "app"), desc, opener(data), chunk_size=100) == (
            "uploaded"
        )
    assert reg.state.blobs[str(desc.digest)] == data


async def test_mount_from_other_repo(fake_registry: Factory) -> None:
    reg = fake_registry(auth="bearer")
    data = b"shared layer"
    desc = blob_desc(data)
    async with make_client(reg) as c:
        await c.push_blob(ref(reg.host, "source"), desc, opener(data))
        result = await c.push_blob(
            ref(reg.host, "dest"), desc, opener(data), mount_from=ref(reg.host, "source")
        )
        assert result == "mounted"
        assert await c.blob_exists(ref(reg.host, "dest"), desc.digest)
        # a mount whose source lacks the blob falls back to a normal upload
        other = blob_desc(b"other")
        assert (
            await c.push_blob(
                ref(reg.host, "dest2"), other, opener(b"other"), mount_from=ref(reg.host, "source")
            )
            == "uploaded"
        )
    mounts = reg.state.requests_matching("POST", r"mount=")
    assert len(mounts) >= 2 and "from=source" in mounts[0].path


async def test_tags_and_catalog_pagination(fake_registry: Factory) -> None:
    reg = fake_registry(tag_page_size=3)
    for i in range(8):
        reg.state.put_manifest("app", b"{}", mt.OCI_MANIFEST, f"t{i}")
    for name in ("a", "b", "c", "d"):
        reg.state.put_blob(name, b"x")
    async with make_client(reg) as c:
        assert await c.list_tags(ref(reg.host, "app")) == [f"t{i}" for i in range(8)]
        assert await c.catalog(reg.host) == ["a", "app", "b", "c", "d"]
        assert await c.list_tags(ref(reg.host, "missing")) == []
    assert len(reg.state.requests_matching("GET", r"/tags/list")) >= 3


async def test_referrers_api_filter_and_pagination(fake_registry: Factory) -> None:
    reg = fake_registry(referrers_page_size=2)
    async with make_client(reg) as c:
        subject = await push_image(c, "app:v1", reg.host)
        for i, kind in enumerate(["sig", "sbom", "sig", "att", "sig"]):
            pushed = await push_image(
                c,
                "app",
                reg.host,
                layer=f"{kind}{i}".encode(),
                subject=subject,
                artifact_type=f"application/vnd.test.{kind}",
                annotations={"n": str(i)},
            )
            assert pushed is not None
        assert await c.supports_referrers_api(ref(reg.host, "app"))
        everything = await c.referrers(ref(reg.host, "app"), subject.digest)
        sigs = await c.referrers(ref(reg.host, "app"), subject.digest, ["application/vnd.test.sig"])
        two = await c.referrers(
            ref(reg.host, "app"),
            subject.digest,
            ["application/vnd.test.sig", "application/vnd.test.att"],
        )
    assert len(everything) == 5 and len(sigs) == 3 and len(two) == 4
    assert {d.annotations["n"] for d in sigs} == {"0", "2", "4"}
    assert not reg.state.requests_matching("PUT", r"/manifests/sha256-")  # no fallback tag


async def test_referrers_fallback_tag_on_registry_without_api(fake_registry: Factory) -> None:
    reg = fake_registry(referrers_api=False)
    async with make_client(reg) as c:
        subject = await push_image(c, "app:v1", reg.host)
        for i in range(3):
            await push_image(
                c,
                "app",
                reg.host,
                layer=f"sig{i}".encode(),
                subject=subject,
                artifact_type="application/vnd.test.sig",
            )
        assert not await c.supports_referrers_api(ref(reg.host, "app"))
        found = await c.referrers(ref(reg.host, "app"), subject.digest)
        assert len(found) == 3 and all(d.artifact_type == "application/vnd.test.sig" for d in found)
    tag = subject.digest.tag_form
    assert tag in reg.state.repo("app").tags


async def test_referrers_mode_tag_on_api_registry(fake_registry: Factory) -> None:
    reg = fake_registry(referrers_api=True)
    async with make_client(reg, referrers_mode="tag") as c:
        subject = await push_image(c, "app:v1", reg.host)
        await push_image(
            c,
            "app",
            reg.host,
            layer=b"s",
            subject=subject,
            artifact_type="application/vnd.test.sig",
        )
        assert len(await c.referrers(ref(reg.host, "app"), subject.digest)) == 1
    assert not reg.state.requests_matching("GET", r"/referrers/")
    assert subject.digest.tag_form in reg.state.repo("app").tags


async def test_referrers_mode_api_refuses_without_api(fake_registry: Factory) -> None:
    reg = fake_registry(referrers_api=False)
    async with make_client(reg, referrers_mode="api") as c:
        with pytest.raises(RegistryError, match="no referrers API"):
            await c.referrers(ref(reg.host, "app"), Digest.of(b"x"))


async def test_legacy_cosign_tags_by_head(fake_registry: Factory) -> None:
    reg = fake_registry()
    target = Digest.of(b"target")
    reg.state.put_manifest("app", b'{"a":1}', mt.OCI_MANIFEST, f"sha256-{target.encoded}.sig")
    reg.state.put_manifest("app", b'{"a":2}', mt.OCI_MANIFEST, f"sha256-{target.encoded}.att")
    async with make_client(reg) as c:
        found = await c.legacy_attachments(ref(reg.host, "app"), target)
    assert sorted(found) == ["att", "sig"]
    assert not reg.state.requests_matching("GET", r"/tags/list")
    assert len(reg.state.requests_matching("HEAD", r"/manifests/")) == 3


@pytest.mark.parametrize("kind", ["429", "500", "reset", "truncate"])
async def test_fault_injection_is_retried(fake_registry: Factory, kind: str) -> None:
    reg = fake_registry()
    async with make_client(reg) as c:
        pushed = await push_image(c, "app:v1", reg.host)
        reg.inject(r"/manifests/", kind, times=2, retry_after=0)
        fetched = await c.get_manifest(ref(reg.host, "app:v1"))
    assert fetched.digest == pushed.digest
    assert len(reg.state.requests_matching("GET", r"/manifests/v1")) == 3


@pytest.mark.parametrize(
    ("kind", "reason"),
    [("429", "HTTP 429"), ("503", "HTTP 503"), ("reset", ""), ("truncate", "connection dropped")],
)
async def test_each_retry_is_announced_as_it_happens(
    fake_registry: Factory, kind: str, reason: str
) -> None:
    reg = fake_registry()
    seen: list[Retrying] = []
    async with make_client(reg) as c:
        await push_image(c, "app:v1", reg.host)
        reg.inject(r"/manifests/v1$", kind, times=2, retry_after=0)
        c.listen(lambda event: seen.append(event) if isinstance(event, Retrying) else None)
        await c.get_manifest(ref(reg.host, "app:v1"))
    assert [e.attempt for e in seen] == [2, 3] and {e.attempts for e in seen} == {6}
    assert all(reason in e.reason and reg.host in e.where for e in seen), seen
    assert "retrying in" in seen[0].message and "(attempt 2 of 6)" in seen[0].message


async def test_a_broken_off_download_announces_its_resume(fake_registry: Factory) -> None:
    reg = fake_registry()
    data = bytes(range(256)) * 400
    desc = blob_desc(data)
    reg.state.put_blob("app", data)
    reg.inject(r"/blobs/sha256:", "truncate", times=1)
    seen: list[object] = []
    async with make_client(reg) as c:
        c.listen(seen.append)
        await c.fetch_blob(ref(reg.host, "app"), desc, MemorySink(desc.size))
    assert len(seen) == 1 and isinstance(seen[0], Retrying)
    assert seen[0].reason == "download broke off" and desc.digest.short in seen[0].where


async def test_interrupted_download_resumes_with_range(fake_registry: Factory) -> None:
    reg = fake_registry()
    data = bytes(range(256)) * 400
    desc = blob_desc(data)
    reg.state.put_blob("app", data)
    reg.inject(r"/blobs/sha256:", "truncate", times=1)
    async with make_client(reg) as c:
        sink = MemorySink(desc.size)
        await c.fetch_blob(ref(reg.host, "app"), desc, sink)
    assert bytes(sink.data) == data and sink.digest() == desc.digest and sink.restarts == 0
    gets = reg.state.requests_matching("GET", r"/blobs/sha256:")
    assert len(gets) == 2 and "Range" not in gets[0].headers
    assert gets[1].headers["Range"] == f"bytes={len(data) // 2}-"
    assert gets[1].status == 206


async def test_resume_from_partial_sink_and_server_ignoring_range(
    fake_registry: Factory,
) -> None:
    data = b"0123456789" * 100
    desc = blob_desc(data)
    for ignore in (False, True):
        reg = fake_registry(ignore_range=ignore)
        reg.state.put_blob("app", data)
        sink = MemorySink(desc.size, held=data[:300])
        async with make_client(reg) as c:
            await c.fetch_blob(ref(reg.host, "app"), desc, sink)
        assert bytes(sink.data) == data and sink.restarts == (1 if ignore else 0)
        assert reg.state.requests_matching("GET", r"/blobs/")[0].headers["Range"] == "bytes=300-"


async def test_second_fetch_of_complete_sink_makes_no_request(fake_registry: Factory) -> None:
    reg = fake_registry()
    data = b"complete"
    desc = blob_desc(data)
    async with make_client(reg) as c:
        await c.fetch_blob(ref(reg.host, "app"), desc, MemorySink(desc.size, held=data))
    assert not reg.state.requests_matching("GET", r"/blobs/")


async def test_registry_warnings_go_to_callback(fake_registry: Factory) -> None:
    reg = fake_registry(warning="please upgrade")
    seen: list[str] = []
    async with RegistryClient(credentials=StaticCredentials(), on_warning=seen.append) as c:
        await c.list_tags(ref(reg.host, "app"))
        await c.list_tags(ref(reg.host, "app"))
    assert seen == [f"{reg.host}: please upgrade"]


async def test_concurrent_referrer_pushes_keep_every_fallback_entry(
    fake_registry: Factory,
) -> None:
    import asyncio

    reg = fake_registry(referrers_api=False)
    async with make_client(reg) as c:
        subject = await push_image(c, "app:v1", reg.host)
        await asyncio.gather(
            *[
                push_image(
                    c,
                    "app",
                    reg.host,
                    layer=f"sig{i}".encode(),
                    subject=subject,
                    artifact_type="application/vnd.test.sig",
                )
                for i in range(6)
            ]
        )
        found = await c.referrers(ref(reg.host, "app"), subject.digest)
    assert len(found) == 6

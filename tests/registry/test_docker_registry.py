"""End-to-end tests against the real CNCF distribution registry (``docker-registry``).

It has no referrers API, so referrers go through the fallback tag; Basic auth is tested
with htpasswd.
"""

from __future__ import annotations

import pytest

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import AuthError
from ocitui.core.models import Descriptor
from ocitui.core.registry import Credential, RegistryClient, RegistryOptions, StaticCredentials
from tests.registry.helpers import MemorySink, blob_desc, image, opener, ref
from tests.support.registries import DockerRegistry

pytestmark = pytest.mark.e2e


def make_client(reg: DockerRegistry, **options: object) -> RegistryClient:
    creds = {}
    if reg.username and reg.password:
        creds[reg.host] = Credential(reg.username, reg.password)
    return RegistryClient(
        RegistryOptions(**options),  # type: ignore[arg-type]
        credentials=StaticCredentials(creds),
    )


async def push_image(c: RegistryClient, host: str, target: str, **kw: object) -> Descriptor:
    raw, blobs = image(**kw)  # type: ignore[arg-type]
    r = ref(host, target)
    for desc, data in blobs:
        await c.push_blob(r, desc, opener(data))
    return (await c.put_manifest(r, raw, mt.OCI_MANIFEST)).descriptor()


async def test_round_trip_and_range(docker_registry: DockerRegistry) -> None:
    raw, blobs = image(layer=b"docker-registry layer " * 500)
    r = ref(docker_registry.host, "e2e/roundtrip:v1")
    async with make_client(docker_registry) as c:
        for desc, data in blobs:
            assert await c.push_blob(r, desc, opener(data)) in ("uploaded", "exists")
        pushed = await c.put_manifest(r, raw, mt.OCI_MANIFEST)
        fetched = await c.get_manifest(r)
        assert fetched.raw == raw and fetched.digest == pushed.digest
        assert await c.head_manifest(r) == pushed.descriptor()
        layer, data = blobs[1]
        sink = MemorySink(layer.size, held=data[:1000])  # resume from a partial download
        await c.fetch_blob(r, layer, sink)
        assert bytes(sink.data) == data and sink.restarts == 0


async def test_chunked_upload_and_mount(docker_registry: DockerRegistry) -> None:
    data = bytes(range(256)) * 64
    desc = blob_desc(data)
    async with make_client(docker_registry) as c:
        source = ref(docker_registry.host, "e2e/chunked")
        assert await c.push_blob(source, desc, opener(data), chunk_size=4096) == "uploaded"
        sink = MemorySink(desc.size)
        await c.fetch_blob(source, desc, sink)
        assert sink.digest() == desc.digest
        dest = ref(docker_registry.host, "e2e/mounted")
        assert await c.push_blob(dest, desc, opener(data), mount_from=source) == "mounted"
        assert await c.blob_exists(dest, desc.digest)


async def test_tags_pagination_and_catalog(docker_registry: DockerRegistry) -> None:
    async with make_client(docker_registry) as c:
        for i in range(5):
            await push_image(c, docker_registry.host, f"e2e/tags:t{i}")
        r = ref(docker_registry.host, "e2e/tags")
        # force small pages: distribution answers with Link headers
        pages = await c.list_tags(r, page_size=2)
        assert sorted(pages) == [f"t{i}" for i in range(5)]  # 2.8 pages in odd order
        assert "e2e/tags" in await c.catalog(docker_registry.host)


async def test_referrers_via_fallback_tag(docker_registry: DockerRegistry) -> None:
    host = docker_registry.host
    async with make_client(docker_registry) as c:
        subject = await push_image(c, host, "e2e/refs:v1")
        sig = await push_image(
            c,
            host,
            "e2e/refs",
            layer=b"sig",
            subject=subject,
            artifact_type="application/vnd.test.sig",
            annotations={"who": "me"},
        )
        sbom = await push_image(
            c,
            host,
            "e2e/refs",
            layer=b"sbom",
            subject=subject,
            artifact_type="application/vnd.test.sbom",
        )
        repo = ref(host, "e2e/refs")
        assert not await c.supports_referrers_api(repo)
        found = await c.referrers(repo, subject.digest)
        assert {d.digest for d in found} == {sig.digest, sbom.digest}
        only = await c.referrers(repo, subject.digest, ["application/vnd.test.sig"])
        assert [d.digest for d in only] == [sig.digest] and only[0].annotations == {"who": "me"}
        assert subject.digest.tag_form in await c.list_tags(repo)
        # pushing the same referrer again does not duplicate the entry
        await push_image(
            c,
            host,
            "e2e/refs",
            layer=b"sig",
            subject=subject,
            artifact_type="application/vnd.test.sig",
            annotations={"who": "me"},
        )
        assert len(await c.referrers(repo, subject.digest)) == 2
        assert await c.referrers(repo, Digest.of(b"nothing")) == []


async def test_basic_auth_with_htpasswd(docker_registry_auth: DockerRegistry) -> None:
    host = docker_registry_auth.host
    async with make_client(docker_registry_auth) as c:
        pushed = await push_image(c, host, "e2e/auth:v1")
        assert (await c.get_manifest(ref(host, "e2e/auth:v1"))).digest == pushed.digest
    bad = StaticCredentials({host: Credential("ocitui", "wrong-password-123")})
    async with RegistryClient(credentials=bad) as c:
        with pytest.raises(AuthError) as info:
            await c.get_manifest(ref(host, "e2e/auth:v1"))
    assert "wrong-password-123" not in str(info.value) and "401" in str(info.value)
    async with RegistryClient(credentials=StaticCredentials()) as c:
        with pytest.raises(AuthError):
            await c.list_tags(ref(host, "e2e/auth"))

"""imgpkg bundles through the real docker-registry (no referrers API: the fallback tags).

The demo bundle is relocated into one repository (every locked image by digest, its
referrers and legacy tags with it, then the image-locations record), and pulled back into
an empty layout from there: images.yml still names registry.example.com, which does not
exist here, so the pull has to take the images from the bundle's repository.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ocitui.core import media_types as mt
from ocitui.core.bundles import parse_image_locations, read_bundle
from ocitui.core.bundles.tarball import read_members
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor, Manifest, parse_document
from ocitui.core.reference import Reference, parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import pull, push, repository
from ocitui.core.sync.bundles import BundleOptions

pytestmark = pytest.mark.e2e

DEMO = "registry.example.com/demo"


def attachments(layout: Layout, subject: Digest) -> set[Digest]:
    """Every referrer digest under ``subject``, recursively, plus its legacy tags."""
    out: set[Digest] = set()
    todo = [subject]
    while todo:
        current = todo.pop()
        for desc in layout.referrers(current):
            if desc.digest not in out:
                out.add(desc.digest)
                todo.append(desc.digest)
        out |= {d.digest for _, d in layout.legacy_attachments(current)}
    return out


async def locations_in_registry(client: RegistryClient, repo: Reference, bundle: Digest) -> bytes:
    listed = await client.referrers(repo, bundle)
    records = [d for d in listed if d.artifact_type == mt.IMGPKG_LOCATIONS_ARTIFACT]
    assert len(records) == 1, listed
    fetched = await client.get_manifest(repo.with_digest(records[0].digest), expected=records[0])
    doc = parse_document(fetched.raw, fetched.media_type)
    assert isinstance(doc, Manifest) and doc.subject is not None
    assert doc.subject.digest == bundle
    layer = doc.layers[0]
    sink = _Bytes()
    await client.fetch_blob(repo, layer, sink)
    return bytes(sink.data)


class _Bytes:
    def __init__(self) -> None:
        self.data = bytearray()

    @property
    def offset(self) -> int:
        return len(self.data)

    def write(self, chunk: bytes) -> None:
        self.data += chunk

    def restart(self) -> None:
        self.data.clear()


async def test_demo_bundle_relocates_and_pulls_back(
    demo_copy: Path, docker_registry, client, new_layout
) -> None:
    demo = Layout.open(demo_copy)
    bundle_desc = demo.resolve(f"{DEMO}/bundle:1.0")
    bundle = read_bundle(demo, bundle_desc)
    locked = {i.digest for i in bundle.images}
    dest = parse_reference(f"{docker_registry.host}/relocated/bundle:1.0")
    repo = repository(dest)

    report = await push(
        demo, client, [(f"{DEMO}/bundle:1.0", dest)], bundle_options=BundleOptions()
    )
    assert report.ok, report.to_json()
    # Every locked image is in the bundle's repository by digest, tagged like imgpkg does.
    for digest in locked:
        assert await client.head_manifest(repo.with_digest(digest)) is not None
        tagged = await client.head_manifest(repo.with_tag(f"{digest.tag_form}.imgpkg"))
        assert tagged is not None and tagged.digest == digest
    app = demo.resolve(f"{DEMO}/app:1.0").digest
    legacy_sig = await client.head_manifest(repo.with_tag(f"{app.tag_form}.sig"))
    assert legacy_sig is not None
    # The referrers of the locked images went along (5 + the SBOM of app:1.1).
    referrers = {d.digest for d in await client.referrers(repo, app)}
    assert referrers == {d.digest for d in demo.referrers(app)}
    # The image-locations record is a referrer of the bundle, naming what images.yml names.
    record = await locations_in_registry(client, repo, bundle_desc.digest)
    entries = parse_image_locations(record)
    assert {parse_reference(e.image).digest for e in entries} == locked
    assert all(not e.is_bundle for e in entries)
    # 4 under app:1.0, 1 under app:1.1, and the record: verified at the destination.
    assert report.referrers_verified == 6

    # Pull it back into an empty layout: registry.example.com cannot be reached here.
    back = new_layout("back")
    pulled = await pull(client, back, [str(dest)])
    assert pulled.ok, pulled.to_json()
    assert any("registry.example.com cannot be reached" in w for w in pulled.warnings)
    assert back.resolve(str(dest)).digest == bundle_desc.digest
    for digest in locked:
        name = f"{repo.name}:{digest.tag_form}.imgpkg"
        assert back.resolve(name).digest == digest
        assert attachments(back, digest) >= attachments(demo, digest)
    assert back.resolve(f"{repo.name}:{app.tag_form}.sig").digest == legacy_sig.digest
    for desc in demo.entries():
        assert back.has_blob(desc.digest), desc
    # The pulled layout knows the bundle, its images, and the record (pointing at digests
    # that are now in the layout and in the relocated repository).
    again = read_bundle(back, back.resolve(str(dest)))
    assert all(i.present for i in again.images)
    records = back.referrers(bundle_desc.digest, [mt.IMGPKG_LOCATIONS_ARTIFACT])
    assert len(records) == 1
    doc = back.get_document(records[0].digest)
    assert isinstance(doc, Manifest)
    content = back.read_blob(doc.layers[0].digest)
    assert content == record
    for entry in parse_image_locations(content):
        digest = parse_reference(entry.image).digest
        assert digest is not None and back.has_blob(digest)

    # Pushing again writes nothing new.
    again_report = await push(demo, client, [(f"{DEMO}/bundle:1.0", dest)])
    assert again_report.ok and again_report.blobs_copied == 0
    assert again_report.manifests_written == 0


async def test_imgpkg_compat_tag(demo_copy: Path, docker_registry, client) -> None:
    demo = Layout.open(demo_copy)
    bundle = demo.resolve(f"{DEMO}/bundle:1.0").digest
    dest = parse_reference(f"{docker_registry.host}/compat/bundle:1.0")
    options = BundleOptions(imgpkg_compat=True)
    report = await push(demo, client, [(f"{DEMO}/bundle:1.0", dest)], bundle_options=options)
    assert report.ok, report.to_json()
    repo = repository(dest)
    tag = f"{bundle.tag_form}.image-locations.imgpkg"
    fetched = await client.get_manifest(repo.with_tag(tag))
    assert fetched.media_type == mt.DOCKER_MANIFEST
    doc = parse_document(fetched.raw, fetched.media_type)
    assert isinstance(doc, Manifest)
    layer: Descriptor = doc.layers[0]
    sink = _Bytes()
    await client.fetch_blob(repo, layer, sink)
    files = read_members(io.BytesIO(bytes(sink.data)), layer.media_type, ["image-locations.yml"])
    locked = {i.digest for i in read_bundle(demo, demo.resolve(f"{DEMO}/bundle:1.0")).images}
    found = {
        parse_reference(e.image).digest for e in parse_image_locations(files["image-locations.yml"])
    }
    assert found == locked

"""imgpkg bundles through pull, push and copy against the spec-faithful fake registry.

The world: ``team/outer:1`` locks ``team/inner@...`` (itself a bundle, marked the OCI 1.1
way) and ``team/app@<app2>``; the inner bundle locks ``team/app@<app1>``, which has an SBOM,
a signature of the SBOM, and a legacy ``.sig`` tag.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ocitui.cli.main import main
from ocitui.core import media_types as mt
from ocitui.core.bundles import parse_image_locations, read_bundle
from ocitui.core.digest import Digest
from ocitui.core.errors import SyncError
from ocitui.core.layout import Layout
from ocitui.core.layout.summary import is_machine_tag
from ocitui.core.models import Descriptor, Manifest, parse_document
from ocitui.core.reference import parse_reference
from ocitui.core.sync import copy, plan_pull, pull, push
from ocitui.core.sync.bundles import BundleOptions
from ocitui.core.sync.filters import SyncFilter
from tests.archive import builders


def seed(state: Any, repo: str, layout: Layout, digest: Digest, tag: str | None = None) -> None:
    """Copy one graph (children, referrers, legacy tags) from a layout into the fake."""
    doc = layout.get_document(digest)
    for child in doc.children():
        if mt.is_manifest(child.media_type) or mt.is_index(child.media_type):
            seed(state, repo, layout, child.digest)
        else:
            state.put_blob(repo, layout.read_blob(child.digest))
    state.put_manifest(repo, doc.raw, doc.media_type, tag)
    for ref in layout.referrers(digest):
        seed(state, repo, layout, ref.digest)
    for kind, desc in layout.legacy_attachments(digest):
        seed(state, repo, layout, desc.digest, f"{digest.tag_form}.{kind}")


@dataclass
class World:
    registry: Any
    src: Layout
    app1: Descriptor
    app2: Descriptor
    sbom: Descriptor
    sbom_sig: Descriptor
    legacy: Descriptor
    inner: Descriptor
    outer: Descriptor

    @property
    def host(self) -> str:
        return str(self.registry.host)

    @property
    def ref(self) -> str:
        return f"{self.host}/team/outer:1"


def build(tmp_path: Path, registry: Any, app_host: str) -> World:
    src = Layout.open(tmp_path / "src", create=True)
    app1 = builders.image(src, f"{app_host}/team/app:1", payload=b"app one")
    sbom = builders.referrer(src, app1, "application/spdx+json", b"sbom of app one")
    sbom_sig = builders.referrer(src, sbom, mt.SIGSTORE_BUNDLE, b"signature of the sbom")
    legacy = builders.legacy_sig(src, f"{app_host}/team/app", app1)
    app2 = builders.image(src, f"{app_host}/team/app:2", payload=b"app two")
    inner = builders.bundle(
        src,
        f"{registry.host}/team/inner:1",
        [f"{app_host}/team/app@{app1.digest}"],
        label=False,
        artifact_type=True,
    )
    outer = builders.bundle(
        src,
        f"{registry.host}/team/outer:1",
        [f"{registry.host}/team/inner@{inner.digest}", f"{app_host}/team/app@{app2.digest}"],
    )
    return World(registry, src, app1, app2, sbom, sbom_sig, legacy, inner, outer)


@pytest.fixture
def world(tmp_path: Path, fake_registry: Callable[..., Any]) -> World:
    """Images where images.yml says they are."""
    registry = fake_registry()
    w = build(tmp_path, registry, registry.host)
    state = registry.state
    seed(state, "team/app", w.src, w.app1.digest, "1")
    seed(state, "team/app", w.src, w.app2.digest, "2")
    seed(state, "team/inner", w.src, w.inner.digest, "1")
    seed(state, "team/outer", w.src, w.outer.digest, "1")
    return w


def dead_host() -> str:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


def imgpkg_name(repo: str, digest: Digest) -> str:
    return f"{repo}:{digest.tag_form}.imgpkg"


async def test_pull_nested_bundle_takes_every_locked_image(
    world: World, client, new_layout
) -> None:
    layout = new_layout()
    report = await pull(client, layout, [world.ref])
    assert report.ok, report.to_json()
    repo = f"{world.host}/team/outer"
    for desc in (world.inner, world.app1, world.app2):
        assert layout.resolve(imgpkg_name(repo, desc.digest)).digest == desc.digest
    assert [d.digest for d in layout.referrers(world.app1.digest)] == [world.sbom.digest]
    assert [d.digest for d in layout.referrers(world.sbom.digest)] == [world.sbom_sig.digest]
    legacy = layout.resolve(f"{repo}:{world.app1.digest.tag_form}.sig")
    assert legacy.digest == world.legacy.digest
    bundle = read_bundle(layout, layout.resolve(world.ref))
    assert [b.digest for b in bundle.walk()] == [world.outer.digest, world.inner.digest]
    assert all(i.present for b in bundle.walk() for i in b.images)
    # The machine names stay out of the way of ls.
    assert {e.ref_name for e in layout.tagged() if not is_machine_tag(e.ref_name)} == {world.ref}
    # Pulled again: the bundle layers come from the layout, not a single blob request.
    world.registry.state.clear_log()
    again = await pull(client, layout, [world.ref])
    assert again.ok and again.blobs_copied == 0
    assert world.registry.state.requests_matching("GET", r"/blobs/") == []


async def test_plan_lists_bundles_and_sources(world: World, client, new_layout) -> None:
    layout = new_layout()
    plan = await plan_pull(client, layout, [world.ref], SyncFilter())
    outer, inner = plan.bundles
    assert (outer.digest, outer.markings, outer.parent) == (world.outer.digest, ("label",), None)
    assert (inner.digest, inner.markings) == (world.inner.digest, ("artifactType",))
    assert inner.parent == world.outer.digest
    assert [(i.digest, i.is_bundle) for i in outer.images] == [
        (world.inner.digest, True),
        (world.app2.digest, False),
    ]
    assert {i.source for i in outer.images} == {
        f"{world.host}/team/inner",
        f"{world.host}/team/app",
    }
    data = plan.to_json()["bundles"]
    assert data[1]["images"][0]["digest"] == str(world.app1.digest)
    assert layout.entries() == []  # Planning wrote nothing.


async def test_relocated_bundle_pulls_from_its_own_repository(
    tmp_path: Path, fake_registry, client, new_layout
) -> None:
    registry = fake_registry()
    w = build(tmp_path, registry, dead_host())
    # imgpkg's relocation: everything by digest in the bundle's repository.
    for desc in (w.app1, w.app2, w.inner):
        seed(registry.state, "team/outer", w.src, desc.digest)
    seed(registry.state, "team/outer", w.src, w.outer.digest, "1")
    layout = new_layout()
    report = await pull(client, layout, [w.ref])
    assert report.ok, report.to_json()
    assert any("cannot be reached" in text for text in report.warnings)
    repo = f"{w.host}/team/outer"
    for desc in (w.inner, w.app1, w.app2):
        assert layout.resolve(imgpkg_name(repo, desc.digest)).digest == desc.digest
    assert [d.digest for d in layout.referrers(w.sbom.digest)] == [w.sbom_sig.digest]
    # The inner bundle names a reachable registry that lacks it: the fallback is quiet.
    plan = await plan_pull(client, new_layout("again"), [w.ref], SyncFilter())
    assert {i.source for b in plan.bundles for i in b.images} == {repo}


async def test_locked_image_nowhere_is_an_error(
    tmp_path: Path, fake_registry, client, new_layout
) -> None:
    registry = fake_registry()
    w = build(tmp_path, registry, registry.host)
    seed(registry.state, "team/outer", w.src, w.outer.digest, "1")
    seed(registry.state, "team/inner", w.src, w.inner.digest)
    layout = new_layout()
    with pytest.raises(SyncError, match=r"locks .*team/app@sha256:.*found nowhere"):
        await pull(client, layout, [w.ref])
    assert layout.entries() == []


async def test_push_relocates_nested_bundle_with_records(
    world: World, client, new_layout, fake_registry
) -> None:
    layout = new_layout()
    assert (await pull(client, layout, [world.ref])).ok
    mirror = fake_registry()
    dest = parse_reference(f"{mirror.host}/mirror/bundle:1")
    report = await push(layout, client, [(world.ref, dest)])
    assert report.ok, report.to_json()
    repo = mirror.state.repo("mirror/bundle")
    for desc in (world.outer, world.inner, world.app1, world.app2, world.sbom, world.sbom_sig):
        assert str(desc.digest) in repo.manifests
    for desc in (world.inner, world.app1, world.app2):
        assert repo.tags[f"{desc.digest.tag_form}.imgpkg"] == str(desc.digest)
    assert repo.tags[f"{world.app1.digest.tag_form}.sig"] == str(world.legacy.digest)
    assert repo.tags["1"] == str(world.outer.digest)
    records = {}
    for raw, _media_type in repo.manifests.values():
        doc = json.loads(raw)
        if doc.get("artifactType") == mt.IMGPKG_LOCATIONS_ARTIFACT:
            layer = mirror.state.blobs[doc["layers"][0]["digest"]]
            records[doc["subject"]["digest"]] = parse_image_locations(layer)
    assert set(records) == {str(world.outer.digest), str(world.inner.digest)}
    outer_record = records[str(world.outer.digest)]
    assert [(e.image.rsplit("@", 1)[1], e.is_bundle) for e in outer_record] == [
        (str(world.inner.digest), True),
        (str(world.app2.digest), False),
    ]
    # Verified at the destination through the referrers API: sbom, its signature, 2 records.
    assert report.referrers_verified == 4
    # The source layout was not changed by the push.
    assert layout.referrers(world.outer.digest) == []


async def test_copy_relocates_a_bundle(world: World, client, new_layout) -> None:
    dest = f"{world.host}/team/copied:1"
    report = await copy(client, new_layout(), world.ref, dest)
    assert report.ok, report.to_json()
    repo = world.registry.state.repo("team/copied")
    for desc in (world.inner, world.app1, world.app2):
        assert f"{desc.digest.tag_form}.imgpkg" in repo.tags
    assert report.blobs_mounted > 0


def test_cli_dry_run_lists_locked_images(world: World, tmp_path: Path, capsys) -> None:
    layout_dir = tmp_path / "dry"
    assert main(["pull", world.ref, "--layout", str(layout_dir), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"bundle {world.outer.digest.short} (label): 2 locked images" in out
    assert f"bundle {world.inner.digest.short} (artifactType, nested in" in out
    for desc in (world.inner, world.app1, world.app2):
        assert f"@{desc.digest}" in out and imgpkg_name("", desc.digest)[1:] in out
    assert [p for p in layout_dir.rglob("blobs/**/*") if p.is_file()] == []  # Nothing written.
    assert main(["pull", world.ref, "--layout", str(layout_dir), "--dry-run", "--json"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    bundles = events[0]["plan"]["bundles"]
    assert [b["digest"] for b in bundles] == [str(world.outer.digest), str(world.inner.digest)]


def test_cli_push_imgpkg_compat_and_marking(world: World, tmp_path: Path, capsys) -> None:
    layout_dir = str(tmp_path / "cli")
    assert main(["pull", world.ref, "--layout", layout_dir]) == 0
    layout = Layout.open(layout_dir)
    builders.referrer(layout, world.outer, mt.SIGSTORE_BUNDLE, b"signature of the bundle")
    capsys.readouterr()
    dest = f"{world.host}/team/compat:1"
    assert main(["push", world.ref, dest, "--layout", layout_dir, "--imgpkg-compat"]) == 0
    out = capsys.readouterr().out
    tags = world.registry.state.repo("team/compat").tags
    for bundle in (world.outer, world.inner):
        name = f"{bundle.digest.tag_form}.image-locations.imgpkg"
        assert name in tags and name in out
    assert tags["1"] == str(world.outer.digest)

    dest = f"{world.host}/team/marked:1"
    argv = ["push", world.ref, dest, "--layout", layout_dir, "--bundle-marking", "both"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    repo = world.registry.state.repo("team/marked")
    marked = repo.tags["1"]
    assert marked != str(world.outer.digest)
    assert f"re-marked (both): {world.outer.digest} -> {marked}" in out
    assert "bundle-marking" in out  # The signature of the old digest stays behind.
    raw, media_type = repo.manifests[marked]
    doc = parse_document(raw, media_type)
    assert isinstance(doc, Manifest) and doc.artifact_type == mt.IMGPKG_BUNDLE_ARTIFACT
    subjects = {
        json.loads(r)["subject"]["digest"]
        for r, _ in repo.manifests.values()
        if json.loads(r).get("artifactType") == mt.IMGPKG_LOCATIONS_ARTIFACT
    }
    assert subjects == {marked, str(world.inner.digest)}
    for desc in (world.inner, world.app1, world.app2):
        assert f"{desc.digest.tag_form}.imgpkg" in repo.tags
    # The layout's own name still points at the original bundle.
    assert Layout.open(layout_dir).resolve(world.ref).digest == world.outer.digest


async def test_bundle_options_validate() -> None:
    with pytest.raises(Exception, match="unknown bundle marking"):
        BundleOptions(marking="sticker")


async def test_plain_image_config_is_fetched_once(world: World, client, new_layout) -> None:
    world.registry.state.clear_log()
    layout = new_layout()
    assert (await pull(client, layout, [f"{world.host}/team/app:2"])).ok
    doc = layout.get_document(world.app2.digest)
    assert isinstance(doc, Manifest)
    config = world.registry.state.requests_matching("GET", f"/blobs/{doc.config.digest}")
    assert len(config) == 1
    assert layout.has_blob(doc.config.digest, doc.config.size)


async def test_no_referrers_still_takes_locked_images(world: World, client, new_layout) -> None:
    layout = new_layout()
    report = await pull(client, layout, [world.ref], SyncFilter(referrers=False))
    assert report.ok, report.to_json()
    for desc in (world.inner, world.app1, world.app2):
        assert layout.has_blob(desc.digest)
    assert layout.referrers(world.app1.digest) == []
    assert {item.reason for item in report.left_behind} == {"no-referrers"}


async def test_push_refuses_bundle_without_its_images(
    tmp_path: Path, client, fake_registry
) -> None:
    layout = Layout.open(tmp_path / "lonely", create=True)
    ref = "registry.example.com/team/bundle:1"
    builders.bundle(layout, ref, [f"registry.example.com/team/app@sha256:{'a' * 64}"])
    dest = parse_reference(f"{fake_registry().host}/team/bundle:1")
    with pytest.raises(SyncError, match="not in the layout: pull the bundle first"):
        await push(layout, client, [(ref, dest)])


async def test_bundle_locked_twice_stays_a_bundle(world: World, client, new_layout) -> None:
    host, src = world.host, world.src
    inner = f"{host}/team/inner@{world.inner.digest}"
    mid = builders.bundle(
        src, f"{host}/team/mid:1", [inner, f"{host}/team/app@{world.app2.digest}"]
    )
    top = builders.bundle(src, f"{host}/team/top:1", [inner, f"{host}/team/mid@{mid.digest}"])
    seed(world.registry.state, "team/mid", src, mid.digest, "1")
    seed(world.registry.state, "team/top", src, top.digest, "1")
    layout = new_layout()
    plan = await plan_pull(client, layout, [f"{host}/team/top:1"], SyncFilter())
    assert [b.digest for b in plan.bundles] == [top.digest, world.inner.digest, mid.digest]
    by_digest = {b.digest: b for b in plan.bundles}
    assert [i.is_bundle for i in by_digest[mid.digest].images] == [True, False]
    assert [i.is_bundle for i in by_digest[top.digest].images] == [True, True]
    assert (await pull(client, layout, [f"{host}/team/top:1"])).ok
    dest = parse_reference(f"{host}/team/top-copy:1")
    report = await push(layout, client, [(f"{host}/team/top:1", dest)])
    assert report.ok, report.to_json()
    repo = world.registry.state.repo("team/top-copy")
    subjects = [
        json.loads(raw)["subject"]["digest"]
        for raw, _ in repo.manifests.values()
        if json.loads(raw).get("artifactType") == mt.IMGPKG_LOCATIONS_ARTIFACT
    ]
    assert sorted(subjects) == sorted(str(d) for d in (top.digest, mid.digest, world.inner.digest))


async def test_pull_takes_the_image_locations_record_without_listing_tags(
    world: World, client, new_layout
) -> None:
    staged = new_layout("staged")
    assert (await pull(client, staged, [world.ref])).ok
    dest = f"{world.host}/team/compat:1"
    options = BundleOptions(imgpkg_compat=True)
    pushed = await push(
        staged, client, [(world.ref, parse_reference(dest))], bundle_options=options
    )
    assert pushed.ok, pushed.to_json()
    world.registry.state.clear_log()
    layout = new_layout()
    report = await pull(client, layout, [dest])
    assert report.ok, report.to_json()
    # What imgpkg copy leaves beside a bundle came along, found by one lookup per bundle.
    record = f"{world.host}/team/compat:{world.outer.digest.tag_form}.image-locations.imgpkg"
    assert layout.resolve(record).digest == Digest.parse(
        world.registry.state.repo("team/compat").tags[record.rsplit(":", 1)[1]]
    )
    assert world.registry.state.requests_matching("GET", r"/tags/list") == []

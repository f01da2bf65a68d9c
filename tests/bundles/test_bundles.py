"""imgpkg bundles: recognition, ImagesLock parsing, nesting, relocation, image-locations."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest
import yaml

from ocitui.core import media_types as mt
from ocitui.core.archive import export_archive, import_archives
from ocitui.core.bundles import (
    bundle_images,
    is_bundle,
    make_image_locations_artifact,
    make_legacy_locations_image,
    mark_bundle,
    markings,
    parse_image_locations,
    read_bundle,
    relocated_images,
    save_image_locations,
)
from ocitui.core.bundles.tarball import read_members
from ocitui.core.errors import BundleError
from ocitui.core.layout import Layout
from ocitui.core.models import parse_document
from tests.archive import builders

REPO = "registry.example.com/demo"


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    """An empty layout."""
    return Layout.open(tmp_path / "layout", create=True)


def _app(layout: Layout, n: int) -> str:
    desc = builders.image(layout, f"{REPO}/app:{n}", payload=f"app {n}".encode())
    return f"{REPO}/app@{desc.digest}"


def test_demo_bundle(demo_copy: Path) -> None:
    layout = Layout.open(demo_copy)
    desc = layout.resolve(f"{REPO}/bundle:1.0")
    assert is_bundle(layout, desc)
    bundle = read_bundle(layout, desc)
    assert bundle.markings == {"label"}
    apps = {layout.resolve(f"{REPO}/app:1.0").digest, layout.resolve(f"{REPO}/app:1.1").digest}
    assert {i.digest for i in bundle.images} == apps
    assert all(i.reference.name == f"{REPO}/app" and i.present for i in bundle.images)
    assert all(i.is_bundle is False for i in bundle.images)
    assert not is_bundle(layout, layout.resolve(f"{REPO}/app:1.0"))


def test_label_marked_bundle(layout: Layout) -> None:
    refs = [_app(layout, 1), _app(layout, 2)]
    desc = builders.bundle(layout, f"{REPO}/bundle:1", refs)
    assert is_bundle(layout, desc)
    bundle = read_bundle(layout, desc)
    assert bundle.markings == {"label"}
    assert [i.image for i in bundle.images] == refs
    assert bundle.images[0].annotations == {"kbld.carvel.dev/id": "img0"}
    assert bundle.metadata is not None and bundle.metadata.name == "demo-bundle"
    assert bundle.metadata.authors[0].email == "ada@example.com"
    assert bundle.metadata.websites == ("https://example.com/demo",)
    assert [str(r) for r in bundle_images(bundle)] == refs
    assert not is_bundle(layout, layout.resolve(f"{REPO}/app:1"))


def test_artifact_type_marked_bundle(layout: Layout) -> None:
    desc = builders.bundle(
        layout, f"{REPO}/b:1", [_app(layout, 1)], label=False, artifact_type=True
    )
    # The index entry has no artifactType hint here: the manifest is read.
    plain = desc.with_changes(artifact_type=None)
    assert is_bundle(layout, plain)
    assert markings(layout, plain) == {"artifactType"}
    assert len(read_bundle(layout, desc).images) == 1


def test_nested_bundle(layout: Layout) -> None:
    inner = builders.bundle(layout, f"{REPO}/inner:1", [_app(layout, 1)])
    outer = builders.bundle(
        layout, f"{REPO}/outer:1", [f"{REPO}/inner@{inner.digest}", _app(layout, 2)]
    )
    bundle = read_bundle(layout, outer)
    nested = bundle.images[0]
    assert nested.is_bundle and nested.bundle is not None
    assert nested.bundle.images[0].reference.repository == "demo/app"
    assert [b.digest for b in bundle.walk()] == [outer.digest, inner.digest]
    assert len(bundle_images(bundle)) == 3
    assert len(bundle_images(bundle, recursive=False)) == 2
    # Flat read: the nested bundle is not followed.
    assert read_bundle(layout, outer, recursive=False).images[0].bundle is None


def test_locked_image_absent_from_layout(layout: Layout) -> None:
    ref = f"{REPO}/gone@sha256:{'a' * 64}"
    bundle = read_bundle(layout, builders.bundle(layout, None, [ref]))
    assert bundle.images[0].present is False and bundle.images[0].is_bundle is None


@pytest.mark.parametrize(
    ("lock", "message"),
    [
        (b"images: [unclosed", "not valid YAML"),
        (b"apiVersion: imgpkg.carvel.dev/v1alpha1\nkind: Bundle\n", "kind ImagesLock"),
        (b"- just a list\n", "mapping"),
        (builders.images_yml([f"{REPO}/app:1.0"]), "not a digest reference"),
        (builders.images_yml(["Not A Ref!"]), "invalid reference"),
        (b"apiVersion: imgpkg.carvel.dev/v1alpha1\nkind: ImagesLock\nimages: 3\n", "list"),
        (b"!!python/object/apply:os.system ['true']\n", "not valid YAML"),
    ],
)
def test_bad_images_yml(layout: Layout, lock: bytes, message: str) -> None:
    desc = builders.bundle(layout, None, [], lock_bytes=lock)
    with pytest.raises(BundleError, match=message):
        read_bundle(layout, desc)


def test_not_a_bundle_and_missing_lock(layout: Layout) -> None:
    plain = builders.image(layout, None, files={"x.yml": b"a: 1\n"})
    with pytest.raises(BundleError, match="not an imgpkg bundle"):
        read_bundle(layout, plain)
    labelled = builders.image(
        layout, None, files={"x.yml": b"a: 1\n"}, labels={"dev.carvel.imgpkg.bundle": "true"}
    )
    with pytest.raises(BundleError, match=r"has no \.imgpkg/images\.yml"):
        read_bundle(layout, labelled)


def _layer(members: list[tarfile.TarInfo], data: bytes = b"") -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for info in members:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return io.BytesIO(gzip.compress(buffer.getvalue()))


def test_layer_reading_is_capped_and_refuses_links() -> None:
    link = tarfile.TarInfo(".imgpkg/images.yml")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    with pytest.raises(BundleError, match="not a regular file"):
        read_members(_layer([link]), mt.OCI_LAYER_GZIP, [".imgpkg/images.yml"])
    big = tarfile.TarInfo("filler")
    big.size = 4 * 1024 * 1024
    bomb = _layer([big], b"\0" * big.size)  # Compresses to a few KiB.
    with pytest.raises(BundleError, match="expands past"):
        read_members(bomb, mt.OCI_LAYER_GZIP, [".imgpkg/images.yml"], max_total=1024 * 1024)
    huge = tarfile.TarInfo(".imgpkg/images.yml")
    huge.size = 2 * 1024 * 1024
    with pytest.raises(BundleError, match="over the"):
        read_members(_layer([huge], b"x" * huge.size), mt.OCI_LAYER_GZIP, [huge.name])


def test_relocation(layout: Layout) -> None:
    inner = builders.bundle(layout, f"{REPO}/inner:1", [_app(layout, 1)])
    outer = builders.bundle(
        layout, f"{REPO}/outer:1", [f"{REPO}/inner@{inner.digest}", _app(layout, 2)]
    )
    moves = relocated_images(read_bundle(layout, outer), "mirror.internal:5000/team/bundle")
    assert len(moves) == 3
    assert all(m.destination.name == "mirror.internal:5000/team/bundle" for m in moves)
    assert all(m.destination.digest == m.source.digest for m in moves)
    assert moves[0].is_bundle is True and moves[1].is_bundle is False
    assert moves[0].imgpkg_tag == f"{inner.digest.tag_form}.imgpkg"
    with pytest.raises(BundleError, match="without tag"):
        relocated_images(read_bundle(layout, outer), "mirror.internal/x:1")


def test_image_locations_artifact_and_legacy_image(layout: Layout) -> None:
    inner = builders.bundle(layout, f"{REPO}/inner:1", [_app(layout, 1)])
    outer = builders.bundle(layout, f"{REPO}/outer:1", [f"{REPO}/inner@{inner.digest}"])
    bundle = read_bundle(layout, outer)
    raw, blobs = make_image_locations_artifact(bundle)
    doc = parse_document(raw, mt.OCI_MANIFEST)
    assert doc.artifact_type == mt.IMGPKG_LOCATIONS_ARTIFACT
    assert doc.subject is not None and doc.subject.digest == outer.digest
    content = dict((d.digest, b) for d, b in blobs)[doc.layers[0].digest]  # type: ignore[union-attr]
    parsed = yaml.safe_load(content)
    assert parsed["apiVersion"] == "imgpkg.carvel.dev/v1alpha1"
    assert parsed["kind"] == "ImageLocations"
    assert parsed["images"] == [{"image": f"{REPO}/inner@{inner.digest}", "isBundle": True}]
    legacy, legacy_blobs, tag = make_legacy_locations_image(bundle)
    assert tag == f"sha256-{outer.digest.encoded}.image-locations.imgpkg"
    layer_desc, layer = legacy_blobs[1]
    assert layer_desc.media_type == mt.DOCKER_LAYER_GZIP
    found = read_members(io.BytesIO(layer), layer_desc.media_type, ["image-locations.yml"])
    assert parse_image_locations(found["image-locations.yml"])[0].is_bundle is True
    assert json.loads(legacy)["mediaType"] == mt.DOCKER_MANIFEST
    stored = save_image_locations(layout, bundle, bundle_repo=f"{REPO}/outer", imgpkg_compat=True)
    assert [d.artifact_type for d in layout.referrers(outer.digest)] == [
        mt.IMGPKG_LOCATIONS_ARTIFACT
    ]
    assert stored[1].ref_name == f"{REPO}/outer:{tag}"


@pytest.mark.parametrize(
    ("marking", "expected"),
    [("both", {"label", "artifactType"}), ("artifactType", {"artifactType"}), ("label", {"label"})],
)
def test_mark_bundle(layout: Layout, marking: str, expected: set[str]) -> None:
    desc = builders.bundle(layout, f"{REPO}/b:1", [_app(layout, 1)])
    marked = mark_bundle(layout, desc, marking=marking)
    assert markings(layout, marked.with_changes(artifact_type=None)) == expected
    assert (
        read_bundle(layout, marked).images[0].digest == read_bundle(layout, desc).images[0].digest
    )
    if "artifactType" in expected:
        doc = layout.get_document(marked.digest)
        assert doc.media_type == mt.OCI_MANIFEST and marked.digest != desc.digest
        assert all(layer.media_type == mt.OCI_LAYER_GZIP for layer in doc.layers)  # type: ignore[union-attr]
    else:
        assert marked.digest == desc.digest  # Already label-marked: nothing to change.
    with pytest.raises(BundleError, match="unknown bundle marking"):
        mark_bundle(layout, desc, marking="tag")


def test_export_of_bundle_takes_locked_images(layout: Layout, tmp_path: Path) -> None:
    app = _app(layout, 1)
    builders.image(layout, f"{REPO}/unrelated:1", payload=b"nope")
    builders.bundle(layout, f"{REPO}/bundle:1", [app])
    out = tmp_path / "b.tar"
    export_archive(layout, out, [f"{REPO}/bundle:1"])
    target = Layout.open(tmp_path / "dst", create=True)
    report = import_archives(target, [out])
    assert sorted(report.refs_added) == [f"{REPO}/app:1", f"{REPO}/bundle:1"]

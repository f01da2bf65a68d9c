"""The demo layout: reproducible, committed as built, internally consistent, readable by peers."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import zlib
from pathlib import Path

import pytest
import yaml
import zstandard

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import LayoutError
from ocitui.core.layout import Layout
from ocitui.core.models import Index, Manifest
from tools.make_demo_layout import DEFAULT_OUTPUT, DEFAULT_README, BuildResult, build, layout_files

APP_10 = "registry.example.com/demo/app:1.0"
APP_11 = "registry.example.com/demo/app:1.1"
BUNDLE = "registry.example.com/demo/bundle:1.0"
RUNTIME_FILES = {".ocitui.lock", ".ocitui-metadata.sqlite", ".ocitui-metadata.sqlite-journal"}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """One fresh build shared by the read-only tests of this module."""
    return build(tmp_path_factory.mktemp("fresh") / "demo")


@pytest.fixture(scope="module")
def layout(fresh: BuildResult) -> Layout:
    """The fresh build opened as a layout."""
    return Layout.open(fresh.root)


def _committed_files() -> dict[str, bytes]:
    if not DEFAULT_OUTPUT.is_dir():
        pytest.fail("layouts/demo is missing: run python tools/make_demo_layout.py")
    files = layout_files(DEFAULT_OUTPUT)
    return {k: v for k, v in files.items() if k not in RUNTIME_FILES}


def _require_binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("OCITUI_REQUIRE_E2E") == "1":
            pytest.fail(f"{name} is required (OCITUI_REQUIRE_E2E=1) but not installed")
        pytest.skip(f"{name} is not installed")
    return path


def _decompress(media_type: str, blob: bytes) -> bytes:
    if media_type in mt.GZIP_LAYERS:
        return gzip.decompress(blob)
    if media_type in mt.ZSTD_LAYERS:
        return zstandard.ZstdDecompressor().decompress(blob)
    return blob


def _tar_names(tar_bytes: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        return {
            m.name: (tar.extractfile(m).read() if m.isfile() else b"")  # type: ignore[union-attr]
            for m in tar.getmembers()
        }


def _manifest(layout: Layout, ref: str, arch: str) -> Manifest:
    index = layout.get_document(layout.resolve(ref).digest)
    assert isinstance(index, Index)
    entry = next(d for d in index.manifests if d.platform and d.platform.architecture == arch)
    doc = layout.get_document(entry.digest, entry.media_type)
    assert isinstance(doc, Manifest)
    return doc


def test_two_builds_are_byte_identical(tmp_path: Path, fresh: BuildResult) -> None:
    again = build(tmp_path / "again")
    assert layout_files(again.root) == layout_files(fresh.root)
    assert again.readme == fresh.readme


def test_rebuild_replaces_the_target(tmp_path: Path) -> None:
    first = build(tmp_path / "demo")
    (first.root / "blobs" / "sha256" / ("0" * 64)).write_bytes(b"stale")
    second = build(tmp_path / "demo")
    assert ("blobs/sha256/" + "0" * 64) not in layout_files(second.root)


def test_refuses_to_delete_a_directory_that_is_not_a_layout(tmp_path: Path) -> None:
    target = tmp_path / "precious"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(LayoutError, match="refusing"):
        build(target)
    assert (target / "notes.txt").read_text() == "keep me"


#: The compressor builds layouts/demo was generated with. Compressed bytes depend on them,
#: so the byte-exact comparison only means something with the same builds.
BUILT_WITH = ("1.2.13", (1, 5, 7))


def test_committed_layout_equals_a_fresh_build(fresh: BuildResult) -> None:
    here = (zlib.ZLIB_RUNTIME_VERSION, tuple(zstandard.ZSTD_VERSION))
    if here != BUILT_WITH:
        pytest.skip(f"compressors differ from the demo's build ({here} != {BUILT_WITH})")
    committed = _committed_files()
    built = {k: v for k, v in layout_files(fresh.root).items() if k not in RUNTIME_FILES}
    assert sorted(committed) == sorted(built), "layouts/demo differs: rerun the generator"
    changed = [name for name in built if committed[name] != built[name]]
    # gzip/zstd output can differ between zlib/libzstd builds; say which ones we used.
    libs = f"zlib {zlib.ZLIB_RUNTIME_VERSION}, libzstd {zstandard.ZSTD_VERSION}"
    assert not changed, f"edited by hand or stale ({libs}): {changed}; rerun the generator"


def test_committed_readme_matches_the_build(fresh: BuildResult) -> None:
    assert DEFAULT_README.read_text(encoding="utf-8") == fresh.readme


def test_every_blob_verifies_and_every_reference_is_present(layout: Layout) -> None:
    for path in sorted((layout.root / "blobs" / "sha256").iterdir()):
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name
    seen: set[Digest] = set()
    todo = list(layout.entries())
    while todo:
        desc = todo.pop()
        if desc.digest in seen:
            continue
        seen.add(desc.digest)
        assert layout.has_blob(desc.digest, desc.size), f"missing or wrong size: {desc.digest}"
        if desc.is_manifest_like:
            doc = layout.get_document(desc.digest, desc.media_type)
            todo.extend(doc.children())
            if doc.subject is not None:
                assert layout.has_blob(doc.subject.digest, doc.subject.size)
    on_disk = {p.name for p in (layout.root / "blobs" / "sha256").iterdir()}
    assert on_disk == {d.encoded for d in seen}, "unreferenced blobs in the demo"


def test_layout_is_small(fresh: BuildResult) -> None:
    total = sum(len(v) for v in layout_files(fresh.root).values())
    assert 150 * 1024 < total < 1024 * 1024


@pytest.mark.parametrize("ref", [APP_10, APP_11])
@pytest.mark.parametrize("arch", ["amd64", "arm64"])
def test_config_diff_ids_match_the_uncompressed_layers(layout: Layout, ref: str, arch: str) -> None:
    manifest = _manifest(layout, ref, arch)
    config = json.loads(layout.read_blob(manifest.config.digest))
    assert config["architecture"] == arch
    version = ref.rsplit(":", 1)[1]
    assert f"APP_VERSION={version}" in config["config"]["Env"]
    diff_ids = [
        str(Digest.of(_decompress(layer.media_type, layout.read_blob(layer.digest))))
        for layer in manifest.layers
    ]
    assert diff_ids == config["rootfs"]["diff_ids"]
    assert [layer.media_type for layer in manifest.layers] == [mt.OCI_LAYER_GZIP, mt.OCI_LAYER_ZSTD]
    assert len([h for h in config["history"] if not h.get("empty_layer")]) == len(diff_ids)


def test_gzip_headers_carry_no_time_or_name(layout: Layout) -> None:
    base = _manifest(layout, APP_10, "amd64").layers[0]
    blob = layout.read_blob(base.digest)
    assert blob[4:8] == b"\0\0\0\0"  # MTIME
    assert blob[3] & 0x08 == 0  # FLG.FNAME unset


def test_versions_share_the_base_layer_and_differ_in_the_app_layer(layout: Layout) -> None:
    old, new = _manifest(layout, APP_10, "amd64"), _manifest(layout, APP_11, "amd64")
    assert old.layers[0].digest == new.layers[0].digest
    assert _manifest(layout, APP_10, "arm64").layers[0].digest == old.layers[0].digest
    old_files = _tar_names(_decompress(mt.OCI_LAYER_ZSTD, layout.read_blob(old.layers[1].digest)))
    new_files = _tar_names(_decompress(mt.OCI_LAYER_ZSTD, layout.read_blob(new.layers[1].digest)))
    assert old_files["etc/app/app.conf"] != new_files["etc/app/app.conf"]
    assert "etc/app/features.d/metrics.conf" in set(new_files) - set(old_files)
    assert "usr/share/doc/app/.wh.NOTICE.legacy" in new_files
    base = _tar_names(gzip.decompress(layout.read_blob(old.layers[0].digest)))
    assert "usr/share/doc/app/NOTICE.legacy" in base
    arm = _manifest(layout, APP_10, "arm64")
    assert old.layers[1].digest != arm.layers[1].digest


def test_referrer_tree_has_the_sbom_signature_under_the_sbom(layout: Layout) -> None:
    index = layout.resolve(APP_10)
    tree = layout.referrer_tree(index.digest)
    by_type = {node.descriptor.artifact_type: node for node in tree}
    assert set(by_type) == {mt.SPDX_JSON, mt.SIGSTORE_BUNDLE, mt.IN_TOTO}
    sbom = by_type[mt.SPDX_JSON]
    assert [c.descriptor.artifact_type for c in sbom.children] == [mt.SIGSTORE_BUNDLE]
    signature = layout.get_document(sbom.children[0].descriptor.digest)
    assert signature.subject is not None and signature.subject.digest == sbom.descriptor.digest
    assert [kind for kind, _ in layout.legacy_attachments(index.digest)] == ["sig"]


def test_app_11_has_an_sbom_but_no_signature(layout: Layout) -> None:
    tree = layout.referrer_tree(layout.resolve(APP_11).digest)
    assert [node.descriptor.artifact_type for node in tree] == [mt.SPDX_JSON]
    assert tree[0].children == []


def test_attestation_and_bundle_name_the_index_digest(layout: Layout) -> None:
    index = layout.resolve(APP_10).digest
    (att,) = layout.referrers(index, [mt.IN_TOTO])
    doc = layout.get_document(att.digest)
    assert isinstance(doc, Manifest) and doc.config.media_type == mt.OCI_EMPTY
    envelope = json.loads(layout.read_blob(doc.layers[0].digest))
    import base64

    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert statement["subject"][0]["digest"] == {"sha256": index.encoded}
    assert statement["predicateType"] == "https://slsa.dev/provenance/v1"
    (_, legacy) = layout.legacy_attachments(index)[0]
    sig = layout.get_document(legacy.digest)
    assert isinstance(sig, Manifest)
    simple = json.loads(layout.read_blob(sig.layers[0].digest))
    assert simple["critical"]["image"]["docker-manifest-digest"] == str(index)
    assert "dev.cosignproject.cosign/signature" in sig.layers[0].annotations


def test_legacy_signature_is_real_under_the_committed_demo_key(layout: Layout) -> None:
    """The demo key really signed the .sig payload; a changed payload does not verify."""
    import base64

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from tools.demo.signing import DEMO_PUBLIC_KEY

    key = serialization.load_pem_public_key(DEMO_PUBLIC_KEY.read_bytes())
    assert isinstance(key, ec.EllipticCurvePublicKey)
    (_, legacy) = layout.legacy_attachments(layout.resolve(APP_10).digest)[0]
    sig = layout.get_document(legacy.digest)
    assert isinstance(sig, Manifest)
    payload = layout.read_blob(sig.layers[0].digest)
    signature = base64.b64decode(sig.layers[0].annotations["dev.cosignproject.cosign/signature"])
    key.verify(signature, payload, ec.ECDSA(hashes.SHA256()))
    with pytest.raises(InvalidSignature):
        key.verify(signature, payload + b" ", ec.ECDSA(hashes.SHA256()))
    assert DEMO_PUBLIC_KEY.read_text() in DEFAULT_README.read_text()


def test_imgpkg_bundle_locks_both_app_versions(layout: Layout) -> None:
    desc = layout.resolve(BUNDLE)
    doc = layout.get_document(desc.digest, desc.media_type)
    assert isinstance(doc, Manifest) and doc.media_type == mt.DOCKER_MANIFEST
    config = json.loads(layout.read_blob(doc.config.digest))
    assert config["config"]["Labels"]["dev.carvel.imgpkg.bundle"] == "true"
    files = _tar_names(gzip.decompress(layout.read_blob(doc.layers[0].digest)))
    lock = yaml.safe_load(files[".imgpkg/images.yml"])
    assert lock["kind"] == "ImagesLock"
    wanted = {f"registry.example.com/demo/app@{layout.resolve(r).digest}" for r in (APP_10, APP_11)}
    assert {image["image"] for image in lock["images"]} == wanted
    assert yaml.safe_load(files[".imgpkg/bundle.yml"])["kind"] == "Bundle"


@pytest.mark.e2e
def test_skopeo_inspects_a_full_reference_name(tmp_path: Path) -> None:
    skopeo = _require_binary("skopeo")
    shutil.copytree(DEFAULT_OUTPUT, tmp_path / "demo")
    # skopeo splits "oci:<dir>:<name>" at the first ':', so the name may hold '/' and ':'.
    result = subprocess.run(
        [skopeo, "inspect", f"oci:demo:{APP_10}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["Digest"] == str(Layout.open(tmp_path / "demo").resolve(APP_10).digest)
    assert "APP_VERSION=1.0" in info["Env"]


@pytest.mark.e2e
def test_umoci_lists_every_tag(tmp_path: Path) -> None:
    umoci = _require_binary("umoci")
    copy = tmp_path / "demo"
    shutil.copytree(DEFAULT_OUTPUT, copy)
    result = subprocess.run(
        [umoci, "ls", "--layout", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert {APP_10, APP_11, BUNDLE} <= set(result.stdout.split())


@pytest.mark.e2e
def test_skopeo_decompresses_gzip_and_zstd_layers_to_the_diff_ids(tmp_path: Path) -> None:
    skopeo = _require_binary("skopeo")
    shutil.copytree(DEFAULT_OUTPUT, tmp_path / "demo")
    result = subprocess.run(
        [
            skopeo,
            "--override-arch",
            "amd64",
            "copy",
            "-q",
            "--dest-decompress",
            f"oci:demo:{APP_11}",
            "dir:out",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    layout = Layout.open(tmp_path / "demo")
    config = json.loads(layout.read_blob(_manifest(layout, APP_11, "amd64").config.digest))
    written = {p.name for p in (tmp_path / "out").iterdir()}
    assert {d.split(":", 1)[1] for d in config["rootfs"]["diff_ids"]} <= written

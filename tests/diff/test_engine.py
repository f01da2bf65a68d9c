"""The diff engine on manifests, configs, layers, platforms, referrers and annotations."""

from __future__ import annotations

import json

from ocitui.core import media_types as mt
from ocitui.core.diff import diff_refs, json_changes
from ocitui.core.layout import Layout
from ocitui.core.models import canonical_json
from tests.diff.builder import Builder, Layer, M

BASE = Layer([M("etc/", kind="dir", mode=0o755), M("etc/os-release", b"ID=test\n")])
APP1 = Layer([M("app/bin", b"v1", mode=0o755)])
APP2 = Layer([M("app/bin", b"v2", mode=0o755)])


def test_same_image_is_identical(layout: Layout, build: Builder) -> None:
    desc = build.image([BASE, APP1], tag="app:v1")
    result = diff_refs(layout, desc, layout, desc)
    assert result.identical
    assert set(result.summary.values()) == {0}
    assert result.root.layers is not None and len(result.root.layers.shared) == 2
    assert json.loads(json.dumps(result.to_json()))["identical"] is True


def test_env_and_layer_changes(layout: Layout, build: Builder) -> None:
    a = build.image([BASE, APP1], env=["PATH=/usr/bin", "MODE=old", "GONE=1"])
    b = build.image([BASE, APP2], env=["PATH=/usr/bin", "MODE=new", "NEW=2"])
    result = diff_refs(layout, a, layout, b)
    assert not result.identical
    config = result.root.config
    assert config is not None and config.image
    env = {c.key: (c.kind, c.old, c.new) for c in config.env}
    assert env == {
        "GONE": ("removed", "1", None),
        "MODE": ("changed", "old", "new"),
        "NEW": ("added", None, "2"),
    }
    assert config.diff_ids.count == 2
    layers = result.root.layers
    assert layers is not None
    assert [p.a.index for p in layers.shared] == [0]
    assert [r.index for r in layers.added] == [1] and [r.index for r in layers.removed] == [1]
    assert layers.recompressed == ()
    assert result.summary["layers"] == 2
    paths = {c.path for c in result.root.manifest}
    assert ".layers[1].digest" in paths and ".config.digest" in paths


def test_config_fields_history_ports_labels(layout: Layout, build: Builder) -> None:
    a = build.image(
        [BASE],
        history=["FROM x"],
        labels={"a": "1"},
        extra_run={"User": "root", "ExposedPorts": {"80/tcp": {}}, "Healthcheck": {"Test": ["A"]}},
    )
    b = build.image(
        [BASE],
        history=["FROM x", "RUN y"],
        labels={"a": "2"},
        cmd=["/bin/other"],
        extra_run={"User": "app", "ExposedPorts": {"443/tcp": {}}, "Healthcheck": {"Test": ["B"]}},
    )
    config = diff_refs(layout, a, layout, b).root.config
    assert config is not None
    fields = {f.field: (f.old, f.new) for f in config.fields}
    assert fields == {"user": ("root", "app"), "cmd": (["/bin/app"], ["/bin/other"])}
    assert config.exposed_ports.added == ("443/tcp",)
    assert config.exposed_ports.removed == ("80/tcp",)
    assert [(c.key, c.kind) for c in config.labels] == [("a", "changed")]
    assert [(h.kind, h.created_by) for h in config.history] == [("added", "RUN y")]
    # Fields without a name of their own are still reported, as JSON paths.
    assert [c.path for c in config.other] == [".config.Healthcheck.Test[0]"]


def test_recompressed_layer(layout: Layout, build: Builder) -> None:
    a = build.image([BASE, Layer(APP1.members, how="gzip")])
    b = build.image([BASE, Layer(APP1.members, how="zstd")])
    result = diff_refs(layout, a, layout, b)
    layers = result.root.layers
    assert layers is not None
    assert len(layers.recompressed) == 1 and layers.added == () and layers.removed == ()
    pair = layers.recompressed[0]
    assert pair.a.diff_id == pair.b.diff_id and pair.a.digest != pair.b.digest
    assert result.root.config is not None and result.root.config.count == 0


def test_docker_and_oci_media_types_for_same_content(layout: Layout, build: Builder) -> None:
    a = build.image([Layer(BASE.members, how="gzip")], docker=False)
    b = build.image([Layer(BASE.members, how="docker")], docker=True)
    result = diff_refs(layout, a, layout, b, files=True)
    root = result.root
    assert root.layers is not None and root.layers.retyped == 1
    assert len(root.layers.shared) == 1
    assert root.config is not None
    assert [f.field for f in root.config.fields] == ["mediaType"]
    assert {c.path for c in root.manifest} >= {".mediaType", ".config.mediaType"}
    assert root.files is not None and root.files.skipped is not None  # same layer bytes


def test_encoding_only_difference(layout: Layout, build: Builder) -> None:
    a = build.image([BASE])
    doc = json.loads(layout.read_blob(a.digest))
    b = layout.put_document(json.dumps(doc, indent=2).encode(), mt.OCI_MANIFEST)
    result = diff_refs(layout, a, layout, b)
    assert result.root.manifest == () and result.root.encoding_differs
    assert not result.identical and result.summary["manifest"] == 1


def test_annotations_on_manifest_and_layers(layout: Layout, build: Builder) -> None:
    a = build.image([Layer(BASE.members, annotations={"k": "1"})], annotations={"x": "1"})
    b = build.image([Layer(BASE.members, annotations={"k": "2"})], annotations={"y": "1"})
    notes = diff_refs(layout, a, layout, b).root.annotations
    assert [(n.where.split(" ")[0], n.key, n.kind) for n in notes] == [
        ("manifest", "x", "removed"),
        ("manifest", "y", "added"),
        ("layer", "k", "changed"),
    ]


def test_index_vs_index(layout: Layout, build: Builder) -> None:
    amd = build.image([BASE, APP1], platform="linux/amd64")
    arm = build.image([BASE, APP1], platform="linux/arm64/v8")
    amd2 = build.image([BASE, APP2], platform="linux/amd64")
    s390 = build.image([BASE, APP2], platform="linux/s390x")
    a = build.index([(amd, "linux/amd64"), (arm, "linux/arm64/v8")])
    b = build.index([(amd2, "linux/amd64"), (s390, "linux/s390x")])
    result = diff_refs(layout, a, layout, b)
    platforms = result.root.platforms
    assert platforms is not None and platforms.mode == "index-vs-index"
    assert [e.key for e in platforms.added] == ["linux/s390x"]
    assert [e.key for e in platforms.removed] == ["linux/arm64/v8"]
    [pair] = platforms.common
    assert pair.key == "linux/amd64"
    assert pair.diff.layers is not None and len(pair.diff.layers.added) == 1
    # Nested differences count in the summary.
    assert result.summary["layers"] == 2 and result.summary["platforms"] == 2


def test_index_vs_single_manifest(layout: Layout, build: Builder) -> None:
    amd = build.image([BASE, APP1], platform="linux/amd64")
    arm = build.image([BASE, APP1], platform="linux/arm64")
    index = build.index([(amd, "linux/amd64"), (arm, "linux/arm64")])
    result = diff_refs(layout, index, layout, arm)
    platforms = result.root.platforms
    assert platforms is not None and platforms.mode == "index-vs-manifest"
    assert platforms.note is not None and "linux/arm64" in platforms.note
    [pair] = platforms.common
    assert pair.key == "linux/arm64" and set(pair.diff.counts().values()) == {0}
    assert [e.key for e in platforms.removed] == ["linux/amd64"]
    # The other way round, and the only-entry fallback.
    reverse = diff_refs(layout, arm, layout, build.index([(amd, "linux/amd64")]))
    assert reverse.root.platforms is not None
    assert reverse.root.platforms.mode == "manifest-vs-index"
    assert [p.key for p in reverse.root.platforms.common] == ["linux/amd64"]


def test_referrer_present_on_one_side_only(tmp_path, build: Builder) -> None:  # type: ignore[no-untyped-def]
    mirror = Layout.open(tmp_path / "mirror", create=True)
    image = build.image([BASE], tag="app:v1")
    sig = build.referrer(image, mt.SIGSTORE_BUNDLE)
    sbom = build.referrer(image, mt.SPDX_JSON, b"sbom")
    sig_of_sbom = build.referrer(sbom, mt.SIGSTORE_BUNDLE, b"sig2")
    # The mirror got the image and the SBOM, but no signatures.
    for digest in {b.digest for b in _blobs(build.layout, image)}:
        mirror.put_blob(build.layout.read_blob(digest))
    mirror.add_referrer(build.layout.get_document(sbom.digest))
    result = diff_refs(build.layout, image, mirror, image)
    refs = result.root.referrers
    assert refs is not None
    assert sorted(r.digest for r in refs.only_a) == sorted(
        [str(sig.digest), str(sig_of_sbom.digest)]
    )
    assert refs.only_b == () and refs.shared == 1
    assert {r.digest: r.depth for r in refs.only_a}[str(sig_of_sbom.digest)] == 2
    counts = {t.artifact_type: (t.a, t.b) for t in refs.by_type}
    assert counts == {mt.SIGSTORE_BUNDLE: (2, 0), mt.SPDX_JSON: (1, 1)}
    assert not result.identical and result.summary["referrers"] == 2


def _blobs(layout: Layout, desc):  # type: ignore[no-untyped-def]
    doc = layout.get_document(desc.digest)
    return [desc, *doc.children()]


def test_json_changes_paths() -> None:
    changes = json_changes(
        {"a": 1, "l": [1, 2], "ann": {"org.x": "1"}, "t": 1},
        {"a": 2, "l": [1], "ann": {"org.x": "1", "n": "2"}, "t": 1.0},
    )
    assert [(c.path, c.kind) for c in changes] == [
        (".a", "changed"),
        (".ann.n", "added"),
        (".l[1]", "removed"),
        (".t", "changed"),
    ]
    assert json_changes({"k.y": 1}, {})[0].path == '["k.y"]'
    assert canonical_json(changes[0].to_json()) == b'{"path":".a","kind":"changed","old":1,"new":2}'


def test_attestation_entries_pair_by_the_platform_they_attest(
    layout: Layout, build: Builder
) -> None:
    amd1 = build.image([BASE, APP1])
    amd2 = build.image([BASE, APP2])
    att1 = build.image([Layer(raw=b"{}", media_type=mt.IN_TOTO)], platform="unknown/unknown")
    att2 = build.image([Layer(raw=b"[]", media_type=mt.IN_TOTO)], platform="unknown/unknown")

    def index(image, att):  # type: ignore[no-untyped-def]
        entry = {
            **att.to_json(),
            "platform": {"os": "unknown", "architecture": "unknown"},
            "annotations": {
                "vnd.docker.reference.digest": str(image.digest),
                "vnd.docker.reference.type": "attestation-manifest",
            },
        }
        image_entry = {**image.to_json(), "platform": {"os": "linux", "architecture": "amd64"}}
        return build.document(
            {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": [image_entry, entry]}
        )

    result = diff_refs(layout, index(amd1, att1), layout, index(amd2, att2), files=True)
    platforms = result.root.platforms
    assert platforms is not None and platforms.count == 0
    keys = [p.key for p in platforms.common]
    assert keys == ["attestation for linux/amd64", "linux/amd64"]
    attestation = platforms.common[0].diff
    assert attestation.files is not None and attestation.files.skipped is not None
    # The reference annotation differs (it names another image): reported, not hidden.
    assert [n.key for n in result.root.annotations] == ["vnd.docker.reference.digest"]


def test_docker_manifest_list_vs_oci_index(layout: Layout, build: Builder) -> None:
    amd = build.image([BASE, APP1])
    arm = build.image([BASE, APP1], platform="linux/arm64")
    oci = build.index([(amd, "linux/amd64"), (arm, "linux/arm64")])
    docker = build.index([(amd, "linux/amd64"), (arm, "linux/arm64")], docker=True)
    result = diff_refs(layout, oci, layout, docker)
    assert [(c.path, c.kind) for c in result.root.manifest] == [(".mediaType", "changed")]
    platforms = result.root.platforms
    assert platforms is not None and platforms.count == 0
    assert all(not any(p.diff.counts().values()) for p in platforms.common)
    assert sum(result.summary.values()) == 1


def test_missing_layer_blob_names_the_layer(layout: Layout, build: Builder) -> None:
    import pytest

    from ocitui.core.errors import DiffError

    a = build.image([BASE])
    b = build.image([BASE, APP1])
    missing = layout.get_document(b.digest).children()[-1].digest
    layout.blob_path(missing).unlink()
    with pytest.raises(DiffError, match=str(missing)):
        diff_refs(layout, a, layout, b, files=True)
    # Without --files the blob is not needed.
    assert diff_refs(layout, a, layout, b).root.layers is not None

"""The layout store: creation, blobs, names, referrers, and refusal of bad input."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import (
    AmbiguousReference,
    DigestMismatch,
    LayoutError,
    ManifestError,
    NotFound,
)
from ocitui.core.layout import SUBJECT_HINT, Layout
from ocitui.core.models import parse_document
from tests.support.builders import artifact_bytes, index_json, put_image, put_index


def snapshot_tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes (to prove nothing changed)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.name != ".ocitui.lock"
    }


def test_create_and_reopen(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    assert json.loads((layout_dir / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    assert layout.entries() == []
    assert Layout.open(layout_dir).entries() == []


def test_blob_streaming_resume_and_verification(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    data = os.urandom(300_000)
    digest = Digest.of(data)
    with layout.ingest(digest, len(data)) as writer:
        writer.write(data[:100_000])  # interrupted: no commit
    assert not layout.has_blob(digest)
    with layout.ingest(digest, len(data)) as writer:
        assert writer.offset == 100_000
        writer.write(data[100_000:])
        writer.commit()
    assert layout.read_blob(digest) == data
    assert not list((layout_dir / "ingest").iterdir())


def test_wrong_bytes_never_become_visible(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    digest = Digest.of(b"good")
    with pytest.raises(DigestMismatch), layout.ingest(digest, 4) as writer:
        writer.write(b"evil")
        writer.commit()
    assert not layout.has_blob(digest)
    with pytest.raises(DigestMismatch), layout.ingest(digest, 4) as writer:
        writer.write(b"goodbye")
    assert not list((layout_dir / "ingest").iterdir())


def test_tags_are_full_references_and_short_forms_resolve(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    one = put_image(layout, {"a": b"1"}, ref="ghcr.io/org/app:v1")
    put_image(layout, {"a": b"2"}, ref="quay.io/other/app:v2")
    names = [
        e["annotations"]["org.opencontainers.image.ref.name"]  # type: ignore[index]
        for e in index_json(layout)["manifests"]
    ]  # type: ignore[attr-defined]
    assert names == ["ghcr.io/org/app:v1", "quay.io/other/app:v2"]
    assert layout.resolve("app:v1").digest == one.digest
    assert layout.resolve("ghcr.io/org/app:v1").digest == one.digest
    assert layout.resolve(str(one.digest)).digest == one.digest
    with pytest.raises(NotFound):
        layout.resolve("app:v3")


def test_moving_a_name_leaves_one_holder(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    put_image(layout, {"a": b"1"}, ref="alpine")
    second = put_image(layout, {"a": b"2"}, ref="docker.io/library/alpine:latest")
    holders = [e for e in layout.entries() if e.ref_name == "docker.io/library/alpine:latest"]
    assert [h.digest for h in holders] == [second.digest]


def test_ambiguous_short_ref(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    put_image(layout, {"a": b"1"}, ref="ghcr.io/a/app:v1")
    put_image(layout, {"a": b"2"}, ref="quay.io/b/app:v1")
    before = snapshot_tree(layout_dir)
    with pytest.raises(AmbiguousReference, match=re.escape("ghcr.io/a/app:v1, quay.io/b/app:v1")):
        layout.resolve("app:v1")
    assert snapshot_tree(layout_dir) == before


def test_referrers_from_index_json_and_tree(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    amd = put_image(layout, {"a": b"1"})
    arm = put_image(layout, {"a": b"2"}, arch="arm64")
    index = put_index(layout, [(amd, "linux/amd64"), (arm, "linux/arm64")], ref="r.io/app:1")
    sbom = parse_document(artifact_bytes(index.descriptor(), mt.SPDX_JSON, b"{}", layout))
    sig = parse_document(artifact_bytes(sbom.descriptor(), mt.SIGSTORE_BUNDLE, b"s", layout))
    layout.add_referrer(sbom)
    entry = layout.add_referrer(sig)
    assert entry.annotations[SUBJECT_HINT] == str(sbom.digest)
    assert entry.artifact_type == mt.SIGSTORE_BUNDLE
    assert [d.digest for d in layout.referrers(index.digest)] == [sbom.digest]
    assert layout.referrers(index.digest, [mt.SIGSTORE_BUNDLE]) == []
    tree = layout.referrer_tree(index.digest)
    assert tree[0].descriptor.digest == sbom.digest
    assert tree[0].children[0].descriptor.digest == sig.digest
    # Filtering the tree by the signature's type keeps the path to it.
    assert layout.referrer_tree(index.digest, [mt.SIGSTORE_BUNDLE])[0].children


def test_oras_shaped_untagged_referrer_is_read(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    image = put_image(layout, {"a": b"1"}, ref="r.io/app:1")
    raw = artifact_bytes(image.descriptor(), mt.SPDX_JSON, b"{}", layout)
    desc = layout.put_document(raw, mt.OCI_MANIFEST)
    layout.add_untagged(desc.with_changes(annotations={}))
    assert [d.digest for d in layout.referrers(image.digest)] == [desc.digest]


def test_regclient_fallback_tag_index_is_read(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    image = put_image(layout, {"a": b"1"}, ref="r.io/app:1")
    raw = artifact_bytes(image.descriptor(), mt.SPDX_JSON, b"{}", layout)
    ref_desc = layout.put_document(raw, mt.OCI_MANIFEST)
    fallback = json.dumps(
        {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": [ref_desc.to_json()]}
    ).encode()
    # regclient names the fallback index with the bare tag, not a full reference.
    entry = layout.put_document(fallback, mt.OCI_INDEX)
    named = entry.with_changes(
        annotations={"org.opencontainers.image.ref.name": image.digest.tag_form}
    )
    layout.update_index(lambda entries: [*entries, named])
    assert [d.digest for d in layout.referrers(image.digest)] == [ref_desc.digest]


def _bad_layout(root: Path, index: object | bytes, header: object = None) -> Path:
    root.mkdir(parents=True)
    (root / "blobs" / "sha256").mkdir(parents=True)
    (root / "oci-layout").write_text(json.dumps(header or {"imageLayoutVersion": "1.0.0"}))
    raw = index if isinstance(index, bytes) else json.dumps(index).encode()
    (root / "index.json").write_bytes(raw)
    return root


@pytest.mark.parametrize(
    ("index", "message"),
    [
        (b"{not json", "malformed JSON"),
        ([], "JSON object"),
        ({"schemaVersion": 2}, "no manifests"),
        (
            {
                "schemaVersion": 2,
                "manifests": [
                    {"mediaType": mt.OCI_MANIFEST, "digest": "sha256:../../etc/passwd", "size": 1}
                ],
            },
            "invalid digest",
        ),
        (
            {
                "schemaVersion": 2,
                "manifests": [
                    {"mediaType": mt.OCI_MANIFEST, "digest": "sha256:" + "A" * 64, "size": 1}
                ],
            },
            "lowercase",
        ),
        (
            {
                "schemaVersion": 2,
                "manifests": [
                    {"mediaType": mt.OCI_MANIFEST, "digest": "sha256:" + "a" * 10, "size": 1}
                ],
            },
            "64",
        ),
    ],
)
def test_malformed_index_json_is_refused(tmp_path: Path, index: object, message: str) -> None:
    root = _bad_layout(tmp_path / "l", index)
    before = snapshot_tree(root)
    # The document's shape is checked on opening, each entry when entries are read
    # (lookups of one entry judge only the entries they use: tests/layout/test_lazy_lookups.py).
    with pytest.raises(LayoutError, match=message):
        Layout.open(root).entries()
    assert snapshot_tree(root) == before


def test_missing_or_bad_oci_layout(tmp_path: Path) -> None:
    with pytest.raises(LayoutError, match="no such layout"):
        Layout.open(tmp_path / "nothing")
    root = _bad_layout(
        tmp_path / "l", {"schemaVersion": 2, "manifests": []}, {"imageLayoutVersion": "9.0"}
    )
    with pytest.raises(LayoutError, match="unsupported"):
        Layout.open(root)
    (root / "oci-layout").write_text("garbage")
    with pytest.raises(LayoutError, match="malformed"):
        Layout.open(root)
    (root / "oci-layout").unlink()
    with pytest.raises(LayoutError, match="no oci-layout"):
        Layout.open(root)


def test_refuses_to_create_over_a_non_layout(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "precious.txt").write_text("keep me")
    with pytest.raises(LayoutError, match="not empty"):
        Layout.open(tmp_path / "x", create=True)


def test_corrupt_blob_and_symlink(layout_dir: Path, tmp_path: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    image = put_image(layout, {"a": b"1"}, ref="r.io/app:1")
    path = layout.blob_path(image.digest)
    path.write_bytes(path.read_bytes().replace(b"schemaVersion", b"schemaVersioN"))
    with pytest.raises(DigestMismatch, match="corrupt blob"):
        layout.get_document(image.digest)
    secret = tmp_path / "secret"
    secret.write_text("x")
    digest = Digest("sha256", hashlib.sha256(b"x").hexdigest())
    layout.blob_path(digest).symlink_to(secret)
    with pytest.raises(LayoutError, match="symlink"):
        layout.open_blob(digest)
    assert not layout.has_blob(digest)


def test_oversized_manifest_is_refused(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    big = b'{"schemaVersion":2,"manifests":[]' + b" " * (4 * 1024 * 1024) + b"}"
    digest = layout.put_blob(big)
    with pytest.raises(ManifestError, match="limit"):
        layout.get_document(digest)
    with pytest.raises(ManifestError, match="limit"):
        layout.put_document(big, mt.OCI_INDEX)


def test_unknown_media_type_entry_is_carried(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    digest = layout.put_blob(b"opaque")
    from ocitui.core.models import Descriptor

    layout.set_tag("r.io/thing:1", Descriptor("application/x-custom", digest, 6))
    assert layout.resolve("thing:1").media_type == "application/x-custom"
    assert Layout.open(layout_dir).entries()[0].media_type == "application/x-custom"


def test_cosign_save_kind_entries_are_legacy_attachments(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    image = put_image(layout, {"a": b"1"})
    sig = put_image(layout, {"sig": b"s"})
    kinds = {
        image.digest: "dev.cosignproject.cosign/image",
        sig.digest: "dev.cosignproject.cosign/sigs",
    }

    def add(entries: list) -> list:  # type: ignore[type-arg]
        return [
            *entries,
            *(d.descriptor(annotations={"kind": kinds[d.digest]}) for d in (image, sig)),
        ]

    layout.update_index(add)
    assert [(k, e.digest) for k, e in layout.legacy_attachments(image.digest)] == [
        ("sig", sig.digest)
    ]


def test_small_blobs_are_verified_once_and_changes_are_seen(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    image = put_image(layout, {"a": b"1"}, ref="r.io/app:1")
    first = layout.read_blob(image.digest)
    assert layout.read_blob(image.digest) is first  # remembered, not re-read
    path = layout.blob_path(image.digest)
    path.unlink()
    path.write_bytes(first.replace(b"schemaVersion", b"schemaVersioN"))  # a new file
    with pytest.raises(DigestMismatch, match="corrupt blob"):
        layout.read_blob(image.digest)


class _ThroughOpenBlob(Layout):
    """A layout whose blobs are read through ``open_blob`` (as a subclass's would be)."""

    def open_blob(self, digest: Digest):  # type: ignore[no-untyped-def]
        return super().open_blob(digest)


def _read_outcome(layout: Layout, digest: Digest, max_size: int | None = None) -> object:
    try:
        return layout.read_blob(digest, max_size=max_size)
    except Exception as exc:  # The error itself is what is compared.
        return (type(exc).__name__, str(exc))


def test_read_blob_by_path_answers_as_through_open_blob(tmp_path: Path) -> None:
    """``read_blob`` opens a plain layout's blob file by its path, without a file object:
    the same bytes and the same errors (absent, symlink, FIFO, over the limit, corrupt,
    grown) as reading through ``open_blob``."""
    root = tmp_path / "layout"
    layout = Layout.open(root, create=True)
    good = layout.put_blob(b"x" * 5000)
    digests = [good, Digest.of(b"absent")]
    for name, make in (
        ("symlink", lambda p: p.symlink_to(layout.blob_path(good))),
        ("fifo", os.mkfifo),
        ("corrupt", lambda p: p.write_bytes(b"not what the digest says")),
    ):
        digest = Digest.of(name.encode())
        make(layout.blob_path(digest))
        digests.append(digest)
    grown = layout.put_blob(b"y" * 100)
    with layout.blob_path(grown).open("ab") as handle:
        handle.write(b"more")
    digests.append(grown)
    for digest in digests:
        for max_size in (None, 1000):
            plain = _read_outcome(Layout.open(root), digest, max_size)
            assert plain == _read_outcome(_ThroughOpenBlob.open(root), digest, max_size)
    assert _read_outcome(Layout.open(root), good) == b"x" * 5000
    assert _read_outcome(Layout.open(root), grown)[0] == "DigestMismatch"  # type: ignore[index]

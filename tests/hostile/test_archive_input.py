"""Malicious archives (cases 8, 9): refused before a byte is written, never waited on."""

from __future__ import annotations

import io
import json
import os
import tarfile
from pathlib import Path
from typing import Any

import zstandard

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.models import parse_document
from tests.hostile.support import assert_blobs_verified, assert_one_line_error, run_cli
from tests.support.builders import artifact_bytes, put_image

_MIB = 1024 * 1024


def _bomb(path: Path, described_size: int | None, member_size: int) -> str:
    """A ``.tar.zst`` whose one blob member claims ``member_size`` zero bytes.

    With ``described_size`` the archive's ``index.json`` lists that digest with that
    size; without, nothing describes the member. The tar is written by hand (header,
    zeros in 1 MiB writes, padding, end blocks) so building it stays fast.
    """
    digest = Digest.of(b"the real content")
    entries = []
    if described_size is not None:
        entries.append(
            {
                "mediaType": mt.OCI_MANIFEST,
                "digest": str(digest),
                "size": described_size,
                "annotations": {"org.opencontainers.image.ref.name": "example.com/bomb:1"},
            }
        )
    index = json.dumps({"schemaVersion": 2, "manifests": entries}).encode()
    raw = io.BytesIO()
    with zstandard.ZstdCompressor(level=1).stream_writer(raw, closefd=False) as zout:
        for name, data in (
            ("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
            ("index.json", index),
        ):
            _member(zout, name, len(data))
            zout.write(data + bytes(-len(data) % 512))
        _member(zout, f"blobs/sha256/{digest.encoded}", member_size)
        for _ in range(member_size // _MIB):
            zout.write(bytes(_MIB))
        zout.write(bytes(member_size % _MIB + (-member_size % 512) + 1024))
    path.write_bytes(raw.getvalue())
    return str(digest)


def _member(out: Any, name: str, size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    out.write(info.tobuf(tarfile.PAX_FORMAT))


def _target(tmp_path: Path) -> Path:
    root = tmp_path / "layout"
    Layout.open(root, create=True)
    return root


def _ingest_bytes(root: Path) -> int:
    folder = root / "ingest"
    return sum(p.stat().st_size for p in folder.iterdir()) if folder.is_dir() else 0


def test_case9_member_larger_than_its_descriptor_is_refused_before_writing(
    tmp_path: Path,
) -> None:
    root = _target(tmp_path)
    archive = tmp_path / "bomb.tar.zst"
    _bomb(archive, described_size=16, member_size=4 * _MIB)
    assert archive.stat().st_size < 64 * 1024
    before = (root / "index.json").read_bytes()
    result = run_cli("--layout", root, "import", archive)
    assert_one_line_error(result, "descriptor says 16", "refused before writing")
    assert _ingest_bytes(root) == 0
    assert (root / "index.json").read_bytes() == before
    assert_blobs_verified(root)


def test_case9_undescribed_member_past_the_expansion_budget_is_refused(tmp_path: Path) -> None:
    root = _target(tmp_path)
    archive = tmp_path / "bomb.tar.zst"
    _bomb(archive, described_size=None, member_size=80 * _MIB)
    result = run_cli("--layout", root, "import", archive)
    assert_one_line_error(result, "OCITUI_MAX_ARCHIVE_EXPANSION", "refused before writing")
    assert _ingest_bytes(root) == 0
    assert_blobs_verified(root)


def test_case8_fifo_or_device_as_archive_is_refused_without_waiting(tmp_path: Path) -> None:
    root = _target(tmp_path)
    fifo = tmp_path / "archive.tar"
    os.mkfifo(fifo)
    assert_one_line_error(run_cli("--layout", root, "import", fifo, timeout=20), "regular file")
    zero = tmp_path / "zero.tar"
    zero.symlink_to("/dev/zero")
    assert_one_line_error(run_cli("--layout", root, "import", zero, timeout=20), "regular file")
    parts = tmp_path / "app.tar.parts.json"
    part = tmp_path / "app.tar.part-000"
    part.symlink_to("/dev/zero")
    parts.write_text(
        json.dumps(
            {
                "format": "ocitui.split-archive.v1",
                "sha256": "0" * 64,
                "parts": [{"name": part.name, "size": 1024, "sha256": "0" * 64}],
            }
        )
    )
    result = run_cli("--layout", root, "import", parts, timeout=20)
    assert_one_line_error(result)
    assert "regular file" in result.stderr or "bytes, expected" in result.stderr


def test_case12_deeply_nested_archive_index_is_one_line_error(tmp_path: Path) -> None:
    root = _target(tmp_path)
    archive = tmp_path / "deep.tar"
    with tarfile.open(archive, "w") as tar:
        for name, data in (
            ("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
            ("index.json", b"[" * 100_000),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    before = (root / "index.json").read_bytes()
    assert_one_line_error(run_cli("--layout", root, "import", archive), "nested deeper")
    assert (root / "index.json").read_bytes() == before


def _layout_tar(tmp_path: Path, order: str) -> tuple[Path, Layout, Path]:
    """A layout with one image and one referrer, tarred by hand in another tool's order:
    ``blobs-first`` (blobs in digest order, ``index.json`` last, as ``tar -C layout .``
    may write it), plus one blob nothing describes."""
    src = Layout.open(tmp_path / "src", create=True)
    doc = put_image(src, {"a.txt": b"hello\n"}, ref="example.com/app:1")
    src.add_referrer(parse_document(artifact_bytes(doc.descriptor(), "application/x.t", b"t", src)))
    stray = src.put_blob(b"nothing describes me")
    archive = tmp_path / f"{order}.tar"
    with tarfile.open(archive, "w") as tar:
        blobs = sorted((src.root / "blobs" / "sha256").iterdir())
        for path in blobs:
            tar.add(path, f"blobs/sha256/{path.name}")
        tar.add(src.root / "oci-layout", "oci-layout")
        tar.add(src.root / "index.json", "index.json")
    return archive, src, src.root / "blobs" / "sha256" / stray.encoded


def test_case9_a_member_nothing_describes_is_never_written(tmp_path: Path) -> None:
    archive, src, stray = _layout_tar(tmp_path, "blobs-first")
    root = _target(tmp_path)
    result = run_cli("--layout", root, "import", archive)
    assert result.returncode == 0, result.stderr
    assert "1 archive member(s) that nothing in the archive describes were not imported" in (
        result.stdout + result.stderr
    )
    assert not (root / "blobs" / "sha256" / stray.name).exists()
    assert _ingest_bytes(root) == 0
    # Everything described arrived, although every blob came before index.json.
    imported = Layout.open(root)
    assert {e.digest for e in imported.entries()} == {e.digest for e in src.entries()}
    assert (
        len(list((root / "blobs" / "sha256").iterdir()))
        == len(list((src.root / "blobs" / "sha256").iterdir())) - 1
    )
    assert_blobs_verified(root)


def test_case9_a_member_before_its_manifest_is_held_to_its_descriptor(tmp_path: Path) -> None:
    """The layer comes first and claims 4 MiB; the manifest after it says 16 bytes."""
    layer = Digest.of(b"the real layer, sixteen")
    config = b"{}"
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": mt.OCI_MANIFEST,
            "config": {"mediaType": mt.OCI_EMPTY, "digest": str(Digest.of(config)), "size": 2},
            "layers": [{"mediaType": mt.OCI_LAYER_GZIP, "digest": str(layer), "size": 16}],
        }
    ).encode()
    entry = {
        "mediaType": mt.OCI_MANIFEST,
        "digest": str(Digest.of(manifest)),
        "size": len(manifest),
        "annotations": {"org.opencontainers.image.ref.name": "example.com/app:1"},
    }
    index = json.dumps({"schemaVersion": 2, "manifests": [entry]}).encode()
    archive = tmp_path / "late.tar.zst"
    raw = io.BytesIO()
    with zstandard.ZstdCompressor(level=1).stream_writer(raw, closefd=False) as zout:
        _member(zout, f"blobs/sha256/{layer.encoded}", 4 * _MIB)
        zout.write(bytes(4 * _MIB))
        for name, data in (
            ("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
            ("index.json", index),
            (f"blobs/sha256/{Digest.of(manifest).encoded}", manifest),
            (f"blobs/sha256/{Digest.of(config).encoded}", config),
        ):
            _member(zout, name, len(data))
            zout.write(data + bytes(-len(data) % 512))
        zout.write(bytes(1024))
    archive.write_bytes(raw.getvalue())
    root = _target(tmp_path)
    before = (root / "index.json").read_bytes()
    result = run_cli("--layout", root, "import", archive)
    assert_one_line_error(result, "descriptor says 16", "refused before writing")
    assert _ingest_bytes(root) == 0
    assert (root / "index.json").read_bytes() == before
    assert not (root / "blobs" / "sha256" / layer.encoded).exists()
    assert_blobs_verified(root)

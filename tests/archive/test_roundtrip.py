"""Export/import round trips: whole layout, selected refs, zstd, split parts."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from ocitui.core.archive import (
    BlobDone,
    PartDone,
    export_archive,
    import_archives,
)
from ocitui.core.archive.inputs import ZSTD_MAGIC
from ocitui.core.errors import ArchiveError
from ocitui.core.events import Event
from ocitui.core.layout import Layout
from tests.archive.builders import index_json
from tests.archive.conftest import Built


def _entry_set(layout: Layout) -> set[str]:
    return {json.dumps(e.to_json(), sort_keys=True) for e in layout.entries()}


def _blob_files(layout: Layout) -> set[str]:
    return {p.name for p in (layout.root / "blobs" / "sha256").iterdir()}


def test_whole_layout_round_trip(built: Built, target: Layout, tmp_path: Path) -> None:
    out = tmp_path / "all.tar"
    report = export_archive(built.layout, out)
    assert report.entries == len(built.layout.entries())
    with tarfile.open(out) as tar:
        names = tar.getnames()
    assert names[:4] == ["oci-layout", "index.json", "blobs", "blobs/sha256"]
    # Every document before what it describes: the first blob is an index.json entry.
    entries = {f"blobs/sha256/{e.digest.encoded}" for e in built.layout.entries()}
    assert names[4] in entries and len(names[4:]) == len(set(names[4:]))
    result = import_archives(target, [out])
    assert _entry_set(target) == _entry_set(built.layout)
    assert _blob_files(target) == _blob_files(built.layout)
    assert result.blobs_written == report.blobs
    assert result.bytes_written == report.blob_bytes
    assert "registry.example.com/demo/app:1" in result.refs_added
    assert result.referrers_added == 2


def test_export_is_deterministic(built: Built, tmp_path: Path) -> None:
    first, second = tmp_path / "a.tar", tmp_path / "b.tar"
    export_archive(built.layout, first)
    export_archive(built.layout, second)
    assert first.read_bytes() == second.read_bytes()


def test_selected_ref_takes_referrers_and_legacy_tags(
    built: Built, target: Layout, tmp_path: Path
) -> None:
    out = tmp_path / "app.tar"
    report = export_archive(built.layout, out, ["app:1"])
    assert sorted(report.refs) == sorted(
        ["registry.example.com/demo/app:1", built.sig_tag.ref_name or ""]
    )
    import_archives(target, [out])
    assert target.resolve("registry.example.com/demo/app:1").digest == built.app.digest
    assert [d.digest for d in target.referrers(built.app.digest)] == [built.sbom.digest]
    assert [d.digest for d in target.referrers(built.sbom.digest)] == [built.sbom_sig.digest]
    assert target.legacy_attachments(built.app.digest)
    assert not any(e.ref_name == "registry.example.com/demo/other:1" for e in target.entries())
    assert not target.has_blob(built.other.digest)


def test_demo_layout_round_trip(demo_copy: Path, tmp_path: Path) -> None:
    source = Layout.open(demo_copy)
    out = tmp_path / "demo.tar.zst"
    export_archive(source, out, ["registry.example.com/demo/bundle:1.0"])
    target = Layout.open(tmp_path / "dst", create=True)
    report = import_archives(target, [out])
    # The bundle brings the app images it locks, and their referrers with them.
    assert "registry.example.com/demo/app:1.0" in report.refs_added
    assert "registry.example.com/demo/app:1.1" in report.refs_added
    app10 = target.resolve("registry.example.com/demo/app:1.0")
    assert len(target.referrers(app10.digest)) == len(source.referrers(app10.digest))
    whole = tmp_path / "whole.tar"
    export_archive(source, whole)
    again = Layout.open(tmp_path / "again", create=True)
    import_archives(again, [whole])
    assert _entry_set(again) == _entry_set(source)


def test_zstd_round_trip_and_thread_independence(
    built: Built, target: Layout, tmp_path: Path
) -> None:
    one, two = tmp_path / "one.tar.zst", tmp_path / "two.tar.zst"
    report = export_archive(built.layout, one, threads=1)
    export_archive(built.layout, two, threads=2)
    assert report.compression == "zstd"
    assert one.read_bytes()[:4] == ZSTD_MAGIC
    assert one.read_bytes() == two.read_bytes()
    import_archives(target, [one])
    assert _entry_set(target) == _entry_set(built.layout)


def test_zstd_flag_and_plain_name(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "x.bin"
    export_archive(built.layout, out, zstd=True)
    assert out.read_bytes()[:4] == ZSTD_MAGIC


def test_split_parts_reassemble(built: Built, target: Layout, tmp_path: Path) -> None:
    whole, split = tmp_path / "whole.tar", tmp_path / "split.tar"
    export_archive(built.layout, whole)
    events: list[Event] = []
    report = export_archive(built.layout, split, split=64 * 1024, consumer=events.append)
    assert len(report.parts) >= 2
    assert [e.name for e in events if isinstance(e, PartDone)] == [p.name for p in report.parts]
    joined = b"".join((tmp_path / p.name).read_bytes() for p in report.parts)
    assert joined == whole.read_bytes()
    assert all(p.size == 64 * 1024 for p in report.parts[:-1])
    manifest = json.loads((tmp_path / "split.tar.parts.json").read_text())
    assert manifest["size"] == len(joined) and len(manifest["parts"]) == len(report.parts)
    assert not split.exists()
    assert not list(tmp_path.glob(".*tmp"))
    # Import through one of the parts: the manifest beside it is found.
    result = import_archives(target, [tmp_path / report.parts[1].name])
    assert _entry_set(target) == _entry_set(built.layout)
    assert result.archives == [str(tmp_path / "split.tar.parts.json")]


def test_split_zstd(built: Built, target: Layout, tmp_path: Path) -> None:
    out = tmp_path / "s.tar.zst"
    report = export_archive(built.layout, out, split=64 * 1024)
    import_archives(target, [tmp_path / "s.tar.zst.parts.json"])
    assert report.compression == "zstd"
    assert _entry_set(target) == _entry_set(built.layout)


def test_reimport_is_idempotent(built: Built, target: Layout, tmp_path: Path) -> None:
    out = tmp_path / "a.tar"
    export_archive(built.layout, out)
    import_archives(target, [out])
    before = index_json(target.root)
    again = import_archives(target, [out])
    assert index_json(target.root) == before
    assert again.blobs_written == 0 and again.blobs_skipped > 0
    assert again.refs_added == [] and again.referrers_added == 0


def test_archive_names_replace_layout_names(built: Built, target: Layout, tmp_path: Path) -> None:
    from tests.archive import builders

    stale = builders.image(target, "registry.example.com/demo/app:1", payload=b"stale")
    out = tmp_path / "a.tar"
    export_archive(built.layout, out, ["app:1"])
    report = import_archives(target, [out])
    assert report.refs_replaced == ["registry.example.com/demo/app:1"]
    named = [e for e in target.entries() if e.ref_name == "registry.example.com/demo/app:1"]
    assert [e.digest for e in named] == [built.app.digest]
    assert named[0].digest != stale.digest


def test_missing_blob_fails_export_unless_allowed(built: Built, tmp_path: Path) -> None:
    (built.layout.root / "blobs" / "sha256" / built.other.digest.encoded).unlink()
    with pytest.raises(ArchiveError, match="not in the layout"):
        export_archive(built.layout, tmp_path / "x.tar")
    assert not (tmp_path / "x.tar").exists()
    report = export_archive(built.layout, tmp_path / "x.tar", allow_missing=True)
    assert str(built.other.digest) in report.missing
    target = Layout.open(tmp_path / "t", create=True)
    with pytest.raises(ArchiveError, match="incomplete"):
        import_archives(target, [tmp_path / "x.tar"])
    assert target.entries() == []
    import_archives(target, [tmp_path / "x.tar"], allow_missing=True)
    assert len(target.entries()) == len(built.layout.entries())


def test_corrupt_layout_blob_aborts_export(built: Built, tmp_path: Path) -> None:
    blob = built.layout.root / "blobs" / "sha256" / built.other.digest.encoded
    data = bytearray(blob.read_bytes())
    data[0] ^= 1
    blob.write_bytes(bytes(data))
    with pytest.raises(Exception, match="corrupt blob in layout"):
        export_archive(built.layout, tmp_path / "x.tar")
    assert list(tmp_path.glob("*x.tar*")) == []


def test_events_cover_every_blob(built: Built, target: Layout, tmp_path: Path) -> None:
    out = tmp_path / "a.tar"
    events: list[Event] = []
    report = export_archive(built.layout, out, consumer=events.append)
    assert len([e for e in events if isinstance(e, BlobDone)]) == report.blobs
    events.clear()
    import_archives(target, [out], consumer=events.append)
    assert len([e for e in events if isinstance(e, BlobDone)]) == report.blobs


def test_import_fsyncs_the_blob_directory_once_and_before_index_json(
    built: Built, target: Layout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each blob's bytes are fsynced before its rename (ingest); the directory the blobs
    were renamed into once, before index.json names them (it was one fsync per blob)."""
    from ocitui.core.archive import importer
    from tests.support.durability import record_durability

    out = tmp_path / "all.tar"
    exported = export_archive(built.layout, out)
    order = record_durability(monkeypatch, importer)
    result = import_archives(target, [out])
    assert result.blobs_written == exported.blobs >= 5
    blob_dirs = [i for i, what in enumerate(order) if what == "dir:sha256"]
    assert len(blob_dirs) == 1
    assert blob_dirs[0] < order.index("write:index.json")
    assert _blob_files(target) == _blob_files(built.layout)

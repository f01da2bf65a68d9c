"""The derived metadata index: same answers with and without it, never stale, checked."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from ocitui.core import media_types as mt
from ocitui.core.archive import export_archive
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout, metadata_facts
from ocitui.core.layout.fsck import fsck
from ocitui.core.layout.gc import gc
from ocitui.core.layout.marks import is_bundle
from ocitui.core.layout.metadata import METADATA_NAME, ManifestMeta, MetadataIndex
from ocitui.core.layout.summary import list_entries
from tests.support.builders import put_image, put_index

ROOT = Path(__file__).resolve().parents[2]


def ls_json(layout_dir: Path, *extra: str) -> str:
    """``ocitui ls --all --json`` in a subprocess (a fresh process: no in-memory state)."""
    done = subprocess.run(
        [sys.executable, "-m", "ocitui", "ls", "--all", "--json", "--layout", str(layout_dir)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_ls_json_is_the_same_with_without_and_after_deleting_it(demo_copy: Path) -> None:
    meta = demo_copy / METADATA_NAME
    meta.unlink(missing_ok=True)
    first = ls_json(demo_copy)  # computed from the blobs, then stored
    assert meta.is_file()
    stored = MetadataIndex(demo_copy)
    assert len(list(stored.records())) > 5
    stored.close()
    assert ls_json(demo_copy) == first  # answered from the index
    meta.unlink()
    assert ls_json(demo_copy) == first  # rebuilt
    meta.write_bytes(b"this is not a database" * 100)
    assert ls_json(demo_copy) == first  # damaged: replaced
    assert json.loads(first)


def test_bundle_flag_agrees_with_the_bundle_reader(demo_copy: Path) -> None:
    layout = Layout.open(demo_copy)
    rows = {(r.ref, r.digest): r for r in list_entries(layout, include_all=True)}
    flagged = 0
    for entry in layout.entries():
        row = rows[(entry.ref_name, entry.digest)]
        assert row.bundle == (entry.is_manifest_like and is_bundle(layout, entry))
        flagged += row.bundle
    assert flagged >= 1  # the demo holds an imgpkg bundle


def test_records_never_outlive_the_blobs_they_came_from(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    image = put_image(layout, {"a": b"1" * 1000}, ref="r.io/app:1")
    arm = put_image(layout, {"a": b"2"}, arch="arm64")
    put_index(layout, [(image, "linux/amd64"), (arm, "linux/arm64")], ref="r.io/app:multi")
    before = {r.ref: r for r in list_entries(layout)}
    assert before["r.io/app:1"].platforms == ("linux/amd64",)
    assert (layout_dir / METADATA_NAME).is_file()
    config, layer = image.children()
    layout.blob_path(config.digest).unlink()
    layout.blob_path(layer.digest).unlink()
    layout.blob_path(arm.digest).unlink()
    after = {r.ref: r for r in list_entries(Layout.open(layout_dir))}
    assert after["r.io/app:1"].platforms == ()
    assert after["r.io/app:1"].size == before["r.io/app:1"].size - config.size - layer.size
    multi = before["r.io/app:multi"]
    assert after["r.io/app:multi"].size < multi.size - arm.descriptor().size
    assert after["r.io/app:multi"].platforms == multi.platforms  # listed by the index itself
    # The same answers as a layout without any metadata index.
    (layout_dir / METADATA_NAME).unlink()
    assert {r.ref: r for r in list_entries(Layout.open(layout_dir))} == after


def test_fsck_checks_records_and_repair_drops_bad_ones(demo_copy: Path) -> None:
    layout = Layout.open(demo_copy)
    list_entries(layout, include_all=True)
    assert not [f for f in fsck(layout).findings if f.code == "metadata-record"]
    index = MetadataIndex(demo_copy)
    key, record = next(iter(index.records()))
    forged = json.loads(record)
    forged[5] = ["plan9/mips"]  # platforms
    index.records()  # opens the file
    assert index._db is not None
    index._db.execute("UPDATE manifests SET record = ? WHERE digest = ?", (json.dumps(forged), key))
    index._db.execute("INSERT INTO manifests (digest, record) VALUES ('sha256:nothex', 'garbage')")
    # A forged subject in the narrow table would invent a referrer.
    other = next(k for k, _ in index.records() if k not in (key, "sha256:nothex"))
    index._db.execute("UPDATE facts SET subject = ? WHERE digest = ?", (key, other))
    index.close()
    found = [f for f in fsck(Layout.open(demo_copy)).findings if f.code == "metadata-record"]
    assert {f.digest for f in found} == {key, other, "sha256:nothex"}
    assert all(f.severity == "warning" for f in found)
    fsck(Layout.open(demo_copy), repair=True)
    assert not [f for f in fsck(Layout.open(demo_copy)).findings if f.code == "metadata-record"]


def test_export_leaves_it_out(demo_copy: Path, tmp_path: Path) -> None:
    layout = Layout.open(demo_copy)
    list_entries(layout, include_all=True)
    assert (demo_copy / METADATA_NAME).is_file()
    out = tmp_path / "all.tar"
    export_archive(layout, out)
    with tarfile.open(out) as tar:
        names = tar.getnames()
    assert "index.json" in names
    assert not [n for n in names if "ocitui" in n]


def test_read_only_layout_works_without_it(demo_copy: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only directories")
    (demo_copy / METADATA_NAME).unlink(missing_ok=True)
    expected = ls_json(demo_copy)
    (demo_copy / METADATA_NAME).unlink()
    demo_copy.chmod(0o555)
    try:
        assert ls_json(demo_copy) == expected
        assert not (demo_copy / METADATA_NAME).exists()
    finally:
        demo_copy.chmod(0o755)


def test_skopeo_and_umoci_still_read_the_layout(demo_copy: Path, tmp_path: Path) -> None:
    skopeo, umoci = shutil.which("skopeo"), shutil.which("umoci")
    if not skopeo or not umoci:
        pytest.skip("skopeo/umoci not installed")
    layout = Layout.open(demo_copy)
    list_entries(layout, include_all=True)
    assert (demo_copy / METADATA_NAME).is_file()
    tag = next(e.ref_name for e in layout.entries() if e.ref_name and "index" in e.media_type)
    assert tag is not None
    done = subprocess.run(
        [skopeo, "inspect", "--raw", f"oci:{demo_copy}:{tag}"], capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert Digest.of(done.stdout) == next(e.digest for e in layout.entries() if e.ref_name == tag)
    listed = subprocess.run(
        [umoci, "ls", "--layout", str(demo_copy)], capture_output=True, text=True, check=False
    )
    assert listed.returncode == 0, listed.stderr
    assert tag in listed.stdout


def test_gc_prunes_the_records_of_the_blobs_it_removed(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    kept = put_image(layout, {"a": b"kept"}, ref="r.io/app:kept")
    gone = put_image(layout, {"a": b"gone"}, ref="r.io/app:gone")
    first = {r.ref: r for r in list_entries(layout)}
    stored = MetadataIndex(layout_dir)
    keys = {key for key, _ in stored.records()}
    assert {str(kept.digest), str(gone.digest)} <= keys
    layout.remove("r.io/app:gone")
    gc(layout, dry_run=True, grace_seconds=0)
    assert str(gone.digest) in {key for key, _ in stored.records()}  # dry run: untouched
    report = gc(layout, grace_seconds=0)
    assert gone.digest in {digest for digest, _ in report.removed}
    records = {key for key, _ in stored.records()}
    facts = {row[0] for row in metadata_facts.all_rows(stored)}
    assert str(gone.digest) not in records | facts
    assert str(kept.digest) in records and str(kept.digest) in facts
    stored.close()
    assert {r.ref: r for r in list_entries(Layout.open(layout_dir))} == {
        "r.io/app:kept": first["r.io/app:kept"]
    }


def test_gc_creates_no_metadata_file(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    put_image(layout, {"a": b"x"})  # untagged, unnamed: unreachable
    assert not (layout_dir / METADATA_NAME).exists()
    assert gc(layout, grace_seconds=0).removed
    assert not (layout_dir / METADATA_NAME).exists()


def _meta(n: int) -> tuple[Digest, ManifestMeta]:
    digest = Digest.of(f"manifest {n}".encode())
    return digest, ManifestMeta(
        declared=mt.OCI_MANIFEST if n % 3 else None,
        media_type=mt.OCI_MANIFEST,
        artifact_type="application/spdx+json" if n % 2 else None,
        effective_artifact_type="application/spdx+json" if n % 2 else mt.OCI_CONFIG,
        subject=str(Digest.of(f"subject {n}".encode())) if n % 4 == 0 else None,
        platforms=("linux/amd64",) if n % 5 else (),
        children=((str(Digest.of(f"config {n}".encode())), n, mt.OCI_CONFIG),),
        bundle_label=n % 7 == 0,
    )


def test_records_read_back_equal_the_records_stored(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    index = MetadataIndex(tmp_path)
    pairs = [_meta(n) for n in range(150)]
    metas = dict(pairs)
    index.store(pairs)
    digests = list(metas)
    assert index.lookup(digests) == metas
    one_by_one = {}
    for digest in digests:
        one_by_one.update(index.lookup([digest]))
    assert one_by_one == metas
    assert all(ManifestMeta.from_record(d, m.to_record()) == m for d, m in metas.items())
    # One forged record among many: the others are still read, the forged one is not.
    forged = json.loads(metas[digests[10]].to_record())
    forged[7] = 1  # Not a boolean.
    bad_subject = json.loads(metas[digests[0]].to_record())
    bad_subject[4] = "sha256:" + "A" * 64  # Not a digest.
    db = sqlite3.connect(tmp_path / METADATA_NAME)
    for key, record in (
        (digests[10], json.dumps(forged)),
        (digests[20], "garbage"),
        # A record that would close the array and open another if records were joined.
        (digests[30], metas[digests[30]].to_record() + "," + metas[digests[31]].to_record()),
        (digests[0], json.dumps(bad_subject)),
    ):
        db.execute("UPDATE manifests SET record = ? WHERE digest = ?", (record, str(key)))
    db.commit()
    db.close()
    index.close()
    found = MetadataIndex(tmp_path).lookup(digests)
    assert found[digests[10]].bundle_label is True  # The lenient reading, as before.
    spoiled = {digests[20], digests[30], digests[0]}
    assert not spoiled & set(found)
    assert {d: m for d, m in found.items() if d != digests[10]} == {
        d: m for d, m in metas.items() if d not in spoiled | {digests[10]}
    }


def test_a_first_listing_parses_each_manifest_once_and_asks_the_file_in_bulk(
    layout_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the records of a layout listed for the first time: every manifest is
    parsed once (not again for its declared type), and the file is asked for the records
    it lacks in a few bulk queries, not one query per manifest."""
    from ocitui.core import jsonsafe
    from ocitui.core.layout.metadata import MetadataIndex

    layout = Layout.open(layout_dir, create=True)
    with layout.batch():
        images = [put_image(layout, {"f": b"%d" % n}, ref=f"r.io/app:{n}") for n in range(80)]
    fresh = Layout.open(layout_dir)
    fresh.entries()
    parsed: list[bytes] = []
    queries: list[str] = []
    real_loads, real_select = jsonsafe.loads, MetadataIndex.select

    def loads(raw: bytes, *args: object, **kwargs: object) -> object:
        parsed.append(bytes(raw))
        return real_loads(raw, *args, **kwargs)  # type: ignore[arg-type]

    def select(self: MetadataIndex, table: str, columns: str, wanted: dict[str, object]) -> list:
        queries.append(table)
        return real_select(self, table, columns, wanted)

    monkeypatch.setattr(jsonsafe, "loads", loads)
    monkeypatch.setattr(MetadataIndex, "select", select)
    rows = list_entries(fresh)
    assert len(rows) == 80 and all(r.platforms == ("linux/amd64",) for r in rows)
    assert sorted(parsed) == sorted(image.raw for image in images)  # each manifest once
    assert len(queries) <= 6, queries
    # And the records are there now: the next listing parses nothing.
    again = Layout.open(layout_dir)
    parsed.clear()
    assert list_entries(again) == rows and parsed == []

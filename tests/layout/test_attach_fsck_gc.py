"""attach, fsck (with repair), gc, and two processes writing one layout at once."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ocitui.core import media_types as mt
from ocitui.core.errors import LayoutError, ManifestError, NotFound
from ocitui.core.layout import SUBJECT_HINT, Layout
from ocitui.core.layout.attach import attach, parse_file_arg
from ocitui.core.layout.fsck import fsck
from ocitui.core.layout.gc import gc
from ocitui.core.models import CREATED, Manifest, parse_document
from tests.support.builders import artifact_bytes, put_image

FIXED = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def test_attach_builds_an_oci_11_artifact(layout_dir: Path, tmp_path: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    image = put_image(layout, {"a": b"1"}, ref="r.io/app:1")
    sbom = tmp_path / "sbom.spdx.json"
    sbom.write_text('{"spdxVersion": "SPDX-2.3"}')
    entry = attach(
        layout,
        "app:1",
        mt.SPDX_JSON,
        [(sbom, mt.SPDX_JSON)],
        {"org.example": "x"},
        clock=lambda: FIXED,
    )
    doc = layout.get_document(entry.digest)
    assert isinstance(doc, Manifest)
    assert doc.artifact_type == mt.SPDX_JSON
    assert doc.config.media_type == mt.OCI_EMPTY and str(doc.config.digest) == mt.EMPTY_DIGEST
    assert doc.subject is not None and doc.subject.digest == image.digest
    assert doc.annotations == {CREATED: "2026-01-02T03:04:05Z", "org.example": "x"}
    assert doc.layers[0].annotations["org.opencontainers.image.title"] == "sbom.spdx.json"
    assert layout.read_blob(doc.layers[0].digest) == sbom.read_bytes()
    assert entry.annotations[SUBJECT_HINT] == str(image.digest)
    assert fsck(layout).ok


def test_attach_without_files_uses_the_empty_layer(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    put_image(layout, {"a": b"1"}, ref="r.io/app:1")
    doc = layout.get_document(attach(layout, "app:1", "application/vnd.example.note").digest)
    assert isinstance(doc, Manifest) and doc.layers[0].media_type == mt.OCI_EMPTY


def test_attach_errors_leave_the_layout_alone(layout_dir: Path, tmp_path: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    put_image(layout, {"a": b"1"}, ref="r.io/app:1")
    before = (layout_dir / "index.json").read_bytes()
    with pytest.raises(ManifestError):
        attach(layout, "app:1", "not a type")
    with pytest.raises(LayoutError, match="no such file"):
        attach(layout, "app:1", mt.SPDX_JSON, [(tmp_path / "missing", None)])
    with pytest.raises(NotFound):
        attach(layout, "nope:1", mt.SPDX_JSON)
    assert (layout_dir / "index.json").read_bytes() == before


def test_parse_file_arg() -> None:
    assert parse_file_arg("a.json:application/json") == (Path("a.json"), "application/json")
    assert parse_file_arg("c:/x.txt") == (Path("c:/x.txt"), None)
    assert parse_file_arg("plain.txt") == (Path("plain.txt"), None)


def test_fsck_finds_corruption_and_repair_removes_it(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    image = put_image(layout, {"a": b"1"}, ref="r.io/app:1")
    assert fsck(layout).ok
    layer = image.layers[0] if isinstance(image, Manifest) else None
    assert layer is not None
    layout.blob_path(layer.digest).write_bytes(b"tampered")
    report = fsck(layout)
    assert not report.ok
    assert {f.code for f in report.findings} >= {"corrupt-blob"}
    repaired = fsck(layout, repair=True)
    assert not layout.has_blob(layer.digest)
    assert all(f.repaired for f in repaired.findings if f.code == "corrupt-blob")
    # Removing the layer broke the image: repair says so, and so does every later fsck
    # (issue 15 item 4: a repair never turns a broken image into a clean one).
    assert not repaired.ok
    for report in (repaired, fsck(layout)):
        broken = [f for f in report.findings if f.code == "missing-blob"]
        assert [f.severity for f in broken] == ["error"]
        assert "r.io/app:1 is broken" in broken[0].message


def test_fsck_bad_hint_and_oras_shape_repair(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    image = put_image(layout, {"a": b"1"}, ref="r.io/app:1")
    other = put_image(layout, {"b": b"2"}, ref="r.io/app:2")
    sbom = parse_document(artifact_bytes(image.descriptor(), mt.SPDX_JSON, b"{}", layout))
    entry = layout.add_referrer(sbom)
    lying = entry.with_changes(annotations={**entry.annotations, SUBJECT_HINT: str(other.digest)})
    layout.update_index(lambda es: [lying if e.digest == entry.digest else e for e in es])
    assert [f.code for f in fsck(layout).findings] == ["bad-subject-hint"]
    assert layout.referrers(other.digest)  # the lie is visible until repaired
    fsck(layout, repair=True)
    assert fsck(layout).ok and not fsck(layout).findings
    assert layout.referrers(other.digest) == []
    assert [d.digest for d in layout.referrers(image.digest)] == [sbom.digest]
    # oras shape: untagged entry without our hint; repair adds it.
    plain = entry.with_changes(annotations={}, artifact_type=None)
    layout.update_index(lambda es: [plain if e.digest == entry.digest else e for e in es])
    assert [f.code for f in fsck(layout).findings] == ["foreign-referrer"]
    fsck(layout, repair=True)
    fixed = next(e for e in layout.entries() if e.digest == sbom.digest)
    assert fixed.annotations[SUBJECT_HINT] == str(image.digest)
    assert fixed.artifact_type == mt.SPDX_JSON


def test_fsck_reports_symlink_and_bad_names(layout_dir: Path, tmp_path: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    (layout_dir / "blobs" / "sha256" / "not-a-digest").write_bytes(b"x")
    target = tmp_path / "t"
    target.write_bytes(b"x")
    (layout_dir / "blobs" / "sha256" / ("b" * 64)).symlink_to(target)
    codes = {f.code for f in fsck(layout).findings}
    assert codes == {"bad-blob-name", "not-a-file"}
    fsck(layout, repair=True)
    assert not (layout_dir / "blobs" / "sha256" / ("b" * 64)).is_symlink()
    assert target.exists()


def test_gc_keeps_reachable_and_referrers(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    image = put_image(layout, {"a": b"1"}, ref="r.io/app:1")
    sbom = parse_document(artifact_bytes(image.descriptor(), mt.SPDX_JSON, b"sbom", layout))
    layout.add_referrer(sbom)
    orphan = layout.put_blob(b"orphan")
    young = gc(layout)
    assert young.removed == [] and young.kept_young >= 1
    dry = gc(layout, dry_run=True, grace_seconds=0)
    assert [d for d, _ in dry.removed] == [orphan] and layout.has_blob(orphan)
    report = gc(layout, grace_seconds=0)
    assert [d for d, _ in report.removed] == [orphan]
    assert not layout.has_blob(orphan)
    assert fsck(layout).ok and layout.referrers(image.digest)


ATTACHER = textwrap.dedent(
    """
    import sys, pathlib
    from ocitui.core.layout import Layout
    from ocitui.core.layout.attach import attach
    layout = Layout.open(sys.argv[1])
    note = pathlib.Path(sys.argv[2])
    for i in range(int(sys.argv[3])):
        note.write_text(f"{sys.argv[2]}-{i}")
        attach(layout, "r.io/app:1", "application/vnd.example.note", [(note, None)],
               {"n": f"{sys.argv[2]}-{i}"})
    """
)


def test_two_processes_attaching_lose_nothing(layout_dir: Path, tmp_path: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    image = put_image(layout, {"a": b"1"}, ref="r.io/app:1")
    count = 25
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                ATTACHER,
                str(layout_dir),
                str(tmp_path / f"note-{p}"),
                str(count),
            ]
        )
        for p in ("a", "b")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    notes = {d.annotations["n"] for d in layout.referrers(image.digest)}
    assert len(notes) == 2 * count
    assert json.loads((layout_dir / "index.json").read_bytes())["manifests"]
    assert fsck(layout).ok

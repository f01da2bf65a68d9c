"""Archives that must be refused, and imports that must leave the layout as it was."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest

from ocitui.core.archive import BlobDone, export_archive, import_archives
from ocitui.core.archive.sizes import parse_size
from ocitui.core.digest import Digest
from ocitui.core.errors import ArchiveError
from ocitui.core.events import Event
from ocitui.core.layout import Layout
from tests.archive.builders import index_json
from tests.archive.conftest import Built


def _split(built: Built, tmp_path: Path) -> list[Path]:
    report = export_archive(built.layout, tmp_path / "s.tar", split=64 * 1024)
    return [tmp_path / p.name for p in report.parts]


def _untouched(layout: Layout) -> None:
    assert index_json(layout.root) == []
    ingest = layout.root / "ingest"
    assert not ingest.exists() or list(ingest.iterdir()) == []


def test_corrupt_part_is_named(built: Built, target: Layout, tmp_path: Path) -> None:
    parts = _split(built, tmp_path)
    victim = parts[1]
    data = bytearray(victim.read_bytes())
    data[1000] ^= 0xFF
    victim.write_bytes(bytes(data))
    with pytest.raises(ArchiveError) as info:
        import_archives(target, [tmp_path / "s.tar.parts.json"])
    assert str(info.value).startswith(f"{victim.name}: corrupt part")
    assert "\n" not in str(info.value)
    _untouched(target)


def test_missing_and_short_parts_are_named(built: Built, target: Layout, tmp_path: Path) -> None:
    parts = _split(built, tmp_path)
    parts[-1].write_bytes(parts[-1].read_bytes()[:-10])
    with pytest.raises(ArchiveError, match=rf"^{parts[-1].name}: part is .* expected"):
        import_archives(target, [tmp_path / "s.tar.parts.json"])
    parts[0].unlink()
    with pytest.raises(ArchiveError, match=rf"^{parts[0].name}: missing part"):
        import_archives(target, [tmp_path / "s.tar.parts.json"])
    _untouched(target)


def test_parts_out_of_order_are_refused(built: Built, target: Layout, tmp_path: Path) -> None:
    _split(built, tmp_path)
    manifest = tmp_path / "s.tar.parts.json"
    doc = json.loads(manifest.read_text())
    doc["parts"][0], doc["parts"][1] = doc["parts"][1], doc["parts"][0]
    doc["parts"][0]["size"] = doc["parts"][1]["size"]  # Same sizes: only hashes tell.
    manifest.write_text(json.dumps(doc))
    with pytest.raises(ArchiveError):
        import_archives(target, [manifest])
    _untouched(target)


@pytest.mark.parametrize("name", ["s.tar", "s.tar.zst"])
def test_truncated_archive(built: Built, target: Layout, tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    export_archive(built.layout, out)
    data = out.read_bytes()
    out.write_bytes(data[: len(data) // 2])
    with pytest.raises(ArchiveError, match=r"truncated|incomplete|corrupt"):
        import_archives(target, [out])
    _untouched(target)


def test_interrupted_import_then_rerun(built: Built, target: Layout, tmp_path: Path) -> None:
    out = tmp_path / "a.tar"
    export_archive(built.layout, out)
    seen: list[Event] = []

    def stop_after_three(event: Event) -> None:
        seen.append(event)
        if sum(isinstance(e, BlobDone) for e in seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_archives(target, [out], consumer=stop_after_three)
    _untouched(target)
    report = import_archives(target, [out])
    assert report.blobs_skipped == 3
    assert {e.digest for e in target.entries()} == {e.digest for e in built.layout.entries()}


def _evil_tar(path: Path, member: tarfile.TarInfo, data: bytes = b"") -> None:
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        layout = tarfile.TarInfo("oci-layout")
        header = b'{"imageLayoutVersion": "1.0.0"}'
        layout.size = len(header)
        tar.addfile(layout, io.BytesIO(header))
        member.size = len(data) if member.isreg() else 0
        tar.addfile(member, io.BytesIO(data) if member.isreg() else None)


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (_member("../evil"), "traversal"),
        (_member("blobs/sha256/../../evil"), "traversal"),
        (_member("/etc/evil"), "absolute"),
        (_member("blobs/sha256/x", tarfile.SYMTYPE, "/etc/passwd"), "link refused"),
        (_member("index.json", tarfile.LNKTYPE, "oci-layout"), "link refused"),
        (_member("blobs/sha256/dev", tarfile.CHRTYPE), "special file"),
        (_member("blobs/sha256/abc"), "not a valid blob name"),
        (_member("blobs/partial"), "not part of an OCI layout"),
        (_member("blobs/sha256/x/y", tarfile.DIRTYPE), "unexpected directory"),
    ],
)
def test_path_tricks_refused(
    target: Layout, tmp_path: Path, member: tarfile.TarInfo, message: str
) -> None:
    evil = tmp_path / "evil.tar"
    _evil_tar(evil, member, b"x")
    with pytest.raises(ArchiveError, match=message):
        import_archives(target, [evil])
    assert not (tmp_path / "evil").exists()
    _untouched(target)


def test_blob_with_wrong_content_refused(target: Layout, tmp_path: Path) -> None:
    fake = Digest.of(b"the real content")
    evil = tmp_path / "evil.tar"
    data = b"something else"
    # Described (so it is written), with the right size but other bytes.
    entry = {"mediaType": "application/octet-stream", "digest": str(fake), "size": len(data)}
    index = json.dumps({"schemaVersion": 2, "manifests": [entry]}).encode()
    with tarfile.open(evil, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in (
            ("oci-layout", b'{"imageLayoutVersion": "1.0.0"}'),
            ("index.json", index),
            (f"blobs/sha256/{fake.encoded}", data),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    with pytest.raises(ArchiveError, match="corrupt blob"):
        import_archives(target, [evil])
    assert not target.has_blob(fake)
    _untouched(target)


def test_not_an_archive(target: Layout, tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"this is not a tar file at all" * 40)
    with pytest.raises(ArchiveError, match=r"junk\.tar"):
        import_archives(target, [junk])
    with pytest.raises(ArchiveError, match="no such archive"):
        import_archives(target, [tmp_path / "absent.tar"])
    part = tmp_path / "lonely.tar.part-0001"
    part.write_bytes(b"x")
    with pytest.raises(ArchiveError, match=r"parts\.json must be beside it"):
        import_archives(target, [part])


def test_parts_manifest_names_are_plain(target: Layout, tmp_path: Path) -> None:
    manifest = tmp_path / "x.tar.parts.json"
    doc = {
        "format": "ocitui.split-archive.v1",
        "sha256": "0" * 64,
        "parts": [{"name": "../../etc/passwd", "size": 1, "sha256": "0" * 64}],
    }
    manifest.write_text(json.dumps(doc))
    with pytest.raises(ArchiveError, match="invalid part name"):
        import_archives(target, [manifest])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4G", 4 << 30),
        ("700M", 700 << 20),
        ("1.5G", int(1.5 * (1 << 30))),
        ("4000MB", 4_000_000_000),
        ("64KiB", 64 << 10),
        ("1000000", 1_000_000),
    ],
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "4X", "-1G", "12", "G"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(ArchiveError):
        parse_size(text)


def test_a_tarred_layout_directory_imports_without_its_side_files(
    built: Built, target: Layout, tmp_path: Path
) -> None:
    """``tar -C LAYOUT -cf x.tar .`` names the root ``.`` and carries what layout tools
    keep beside the layout (``ingest/`` partials, ocitui's metadata cache): the layout
    imports, the side files are reported and never written."""
    source = tmp_path / "source"
    shutil.copytree(built.layout.root, source)
    (source / "ingest").mkdir(exist_ok=True)
    (source / "ingest" / "partial").write_bytes(b"half a blob")
    (source / ".ocitui-metadata.sqlite").write_bytes(b"not a database")
    tarred = tmp_path / "dir.tar"
    with tarfile.open(tarred, "w") as tar:
        tar.add(source, arcname=".")
        names = tar.getnames()
    assert "." in names and "./ingest/partial" in names
    outside = sorted(
        n for n in names if n != "." and not n.startswith(("./blobs", "./index.json", "./oci-l"))
    )
    report = import_archives(target, [tarred])
    assert report.refs_added and report.missing == []
    assert f"{len(outside)} archive member(s) outside the OCI layout were not imported" in (
        " ".join(report.warnings)
    ), (outside, report.warnings)
    assert not (target.root / "ingest" / "partial").exists()
    cache = target.root / ".ocitui-metadata.sqlite"
    assert not cache.exists() or cache.read_bytes() != b"not a database"

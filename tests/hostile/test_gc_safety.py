"""gc against work in flight and hostile layouts (cases 1, 2, 3, 4, 16, 17).

The safety model under test: a write lease that gc honours, reused blobs refreshed, a
re-check before index.json is written, unreadable nodes keeping their subtree, no links
followed out of the layout, partials in use kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.layout.gc import reachable
from ocitui.core.models import parse_document
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import pull
from ocitui.core.target.layout import LayoutTarget
from tests.hostile.support import (
    assert_blobs_verified,
    assert_one_line_error,
    run_cli,
    seed_layout_image,
    start_cli,
)
from tests.support.fake_registry import FakeRegistry

DAY = 24 * 3600


def _age(root: Path) -> None:
    old = time.time() - DAY
    for path in (root / "blobs" / "sha256").iterdir():
        os.utime(path, (old, old))


def _blob_names(root: Path) -> set[str]:
    return {p.name for p in (root / "blobs" / "sha256").iterdir()}


# -- case 1: gc during a pull that reuses old blobs --------------------------------------


def test_case1_gc_during_a_pull_removes_nothing_the_pull_needs(tmp_path: Path) -> None:
    with FakeRegistry() as registry:
        work = Layout.open(tmp_path / "work", create=True)
        top = seed_layout_image(work, registry.state, "team/app", "1.0")
        ref = f"{registry.host}/team/app:1.0"
        root = tmp_path / "target"
        assert run_cli("--layout", root, "pull", ref).returncode == 0
        assert run_cli("--layout", root, "rm", ref).returncode == 0
        _age(root)
        manifest = parse_document(work.read_blob(Digest.parse(top)))
        (root / "blobs" / "sha256" / manifest.layers[0].digest.encoded).unlink()
        registry.release_blobs.clear()  # The pull's downloads wait until gc has run.
        puller = start_cli("--layout", root, "pull", ref)
        try:
            deadline = time.monotonic() + 30
            while registry.blob_waiters == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert registry.blob_waiters, "the pull never reached its downloads"
            gc_result = run_cli("--layout", root, "gc")
            registry.release_blobs.set()
            out, err = puller.communicate(timeout=60)
        finally:
            registry.release_blobs.set()
            puller.kill()
        assert_one_line_error(gc_result, "a pull or import is writing to this layout")
    assert puller.returncode == 0, out + err
    assert run_cli("--layout", root, "fsck").returncode == 0
    assert str(manifest.config.digest.encoded) in _blob_names(root)
    assert_blobs_verified(root)


def test_case1_reused_blobs_are_made_young_again(tmp_path: Path) -> None:
    with FakeRegistry() as registry:
        work = Layout.open(tmp_path / "work", create=True)
        seed_layout_image(work, registry.state, "team/app", "1.0")
        ref = f"{registry.host}/team/app:1.0"
        root = tmp_path / "target"
        assert run_cli("--layout", root, "pull", ref).returncode == 0
        assert run_cli("--layout", root, "rm", ref).returncode == 0
        _age(root)
        assert run_cli("--layout", root, "pull", ref).returncode == 0
    for path in (root / "blobs" / "sha256").iterdir():
        assert time.time() - path.stat().st_mtime < 600, path.name


async def test_case1_a_blob_vanishing_before_the_index_write_fails_the_pull(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeRegistry() as registry:
        work = Layout.open(tmp_path / "work", create=True)
        top = seed_layout_image(work, registry.state, "team/app", "1.0")
        layout = Layout.open(tmp_path / "target", create=True)
        manifest = parse_document(work.read_blob(Digest.parse(top)))
        original = LayoutTarget.commit

        async def commit_after_removal(self: LayoutTarget, *args: object) -> int:
            layout.blob_path(manifest.config.digest).unlink()  # As a lease-less gc would.
            return await original(self, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(LayoutTarget, "commit", commit_after_removal)
        before = (layout.root / "index.json").read_bytes()
        async with RegistryClient() as client:
            report = await pull(client, layout, [f"{registry.host}/team/app:1.0"])
    assert not report.ok
    assert any("vanished from the layout" in f for f in report.failed)
    assert (layout.root / "index.json").read_bytes() == before


# -- case 2: unreadable nodes keep their subtree ----------------------------------------


def _app_index(root: Path) -> tuple[Path, dict[str, object]]:
    doc = json.loads((root / "index.json").read_bytes())
    entry = next(
        e
        for e in doc["manifests"]
        if e.get("annotations", {})
        .get("org.opencontainers.image.ref.name", "")
        .endswith("/app:1.0")
    )
    return root / "blobs" / "sha256" / entry["digest"].split(":")[1], entry


def test_case2_corrupt_index_blob_keeps_its_subtree(demo_copy: Path) -> None:
    root = demo_copy
    before = _blob_names(root)
    blob, _ = _app_index(root)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    _age(root)
    result = run_cli("--layout", root, "gc", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["removed"] == []
    assert report["unreadable"] and blob.name in report["unreadable"][0]
    assert _blob_names(root) == before
    text = run_cli("--layout", root, "gc", "--dry-run")
    assert "cannot read" in text.stdout


def test_case2_mislabelled_entry_media_type_keeps_its_subtree(demo_copy: Path) -> None:
    root = demo_copy
    before = _blob_names(root)
    doc = json.loads((root / "index.json").read_bytes())
    _, entry = _app_index(root)
    for e in doc["manifests"]:
        if e["digest"] == entry["digest"]:
            e["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    (root / "index.json").write_text(json.dumps(doc))
    _age(root)
    result = run_cli("--layout", root, "gc", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["removed"] == []
    assert _blob_names(root) == before


# -- case 3: symlinks out of the layout --------------------------------------------------


@pytest.mark.parametrize("link", ["blobs/sha256", "blobs", "ingest"])
def test_case3_gc_and_fsck_repair_never_follow_a_directory_symlink(
    tmp_path: Path, demo_copy: Path, link: str
) -> None:
    root = demo_copy
    outside = tmp_path / "outside"
    victim_dir = outside / "sha256" if link == "blobs" else outside
    victim_dir.mkdir(parents=True)
    victim = victim_dir / hashlib.sha256(b"not this").hexdigest().replace("a", "b")
    victim.write_bytes(b"someone else's file")
    partial = outside / "sha256-abc.partial"
    partial.write_bytes(b"someone else's partial")
    target = root / link
    if target.exists():
        shutil.rmtree(target)
    target.symlink_to(outside)
    for args in (["gc", "--grace", "0", "--partials"], ["fsck", "--repair"]):
        assert_one_line_error(run_cli("--layout", root, *args), "symlink", "refusing")
    assert victim.read_bytes() == b"someone else's file"
    assert partial.exists()


def test_case3_dangling_lock_symlink_is_refused_not_followed(
    tmp_path: Path, demo_copy: Path
) -> None:
    root = demo_copy
    pointed = tmp_path / "created-by-ocitui"
    (root / ".ocitui.lock").unlink(missing_ok=True)
    (root / ".ocitui.lock").symlink_to(pointed)
    assert_one_line_error(run_cli("--layout", root, "gc", "--dry-run"), "symlink")
    assert not pointed.exists()


# -- case 4: gc --partials and a live writer ---------------------------------------------


def test_case4_gc_partials_keeps_a_partial_a_writer_holds(tmp_path: Path) -> None:
    layout = Layout.open(tmp_path / "layout", create=True)
    data = b"in flight " * 1000
    digest = Digest.of(data)
    with layout.ingest(digest, len(data)) as writer:
        writer.write(data[:500])
        result = run_cli("--layout", layout.root, "gc", "--partials", "--grace", "0")
        assert result.returncode == 0, result.stderr
        assert "kept 1 partial" in result.stdout
        assert writer.partial_path.exists()
        writer.write(data[500:])
        writer.commit()
    assert layout.has_blob(digest, len(data))
    result = run_cli("--layout", layout.root, "gc", "--partials", "--grace", "0", "--json")
    assert json.loads(result.stdout)["partialsInUse"] == 0


# -- case 16: a corrupted partial restarts from byte 0 ----------------------------------


def test_case16_corrupt_partial_restarts_from_zero_in_the_same_pull(tmp_path: Path) -> None:
    with FakeRegistry() as registry:
        work = Layout.open(tmp_path / "work", create=True)
        top = seed_layout_image(work, registry.state, "team/app", "1.0")
        manifest = parse_document(work.read_blob(Digest.parse(top)))
        layer = manifest.layers[0]
        root = tmp_path / "target"
        Layout.open(root, create=True)
        (root / "ingest").mkdir(exist_ok=True)
        good = work.read_blob(layer.digest)
        partial = root / "ingest" / f"sha256-{layer.digest.encoded}.partial"
        partial.write_bytes(bytes(b ^ 0xFF for b in good[: len(good) // 2]))
        result = run_cli("--layout", root, "pull", f"{registry.host}/team/app:1.0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not partial.exists()
    assert_blobs_verified(root)
    assert run_cli("--layout", root, "fsck").returncode == 0


# -- case 17: what a failed pull or import leaves is stated ------------------------------


def test_case17_failed_pull_states_the_unreferenced_blobs_it_left(tmp_path: Path) -> None:
    with FakeRegistry() as registry:
        work = Layout.open(tmp_path / "work", create=True)
        top = seed_layout_image(work, registry.state, "team/app", "1.0")
        manifest = parse_document(work.read_blob(Digest.parse(top)))
        registry.state.blobs[str(manifest.layers[0].digest)] = b"tampered layer bytes"
        root = tmp_path / "target"
        Layout.open(root, create=True)
        before = (root / "index.json").read_bytes()
        result = run_cli("--layout", root, "pull", f"{registry.host}/team/app:1.0")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "left in the layout: 1 verified blob (" in result.stdout, result.stdout
    assert (root / "index.json").read_bytes() == before
    layout = Layout.open(root)
    assert manifest.config.digest not in reachable(layout)
    assert_blobs_verified(root)


def test_case17_failed_import_states_the_unreferenced_blobs_it_left(
    tmp_path: Path, demo_copy: Path
) -> None:
    import tarfile

    root = demo_copy
    archive = tmp_path / "app.tar"
    assert run_cli("--layout", root, "export", archive, "app:1.0").returncode == 0
    broken = tmp_path / "broken.tar"
    with tarfile.open(archive) as src, tarfile.open(broken, "w") as out:
        members = src.getmembers()
        blobs = [m for m in members if m.name.startswith("blobs/sha256/") and m.isfile()]
        dropped = max(blobs, key=lambda m: m.size).name
        for member in members:
            if member.name != dropped:
                out.addfile(member, src.extractfile(member) if member.isfile() else None)
    target = tmp_path / "target"
    Layout.open(target, create=True)
    before = (target / "index.json").read_bytes()
    result = run_cli("--layout", target, "import", broken)
    assert_one_line_error(result, "archive is incomplete", "verified blobs it wrote stay")
    assert (target / "index.json").read_bytes() == before
    assert_blobs_verified(target)

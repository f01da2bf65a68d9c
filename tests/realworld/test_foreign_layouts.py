"""Issue 15 items 1 and 3: referrers and names in layouts other tools wrote."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocitui.core import media_types as mt
from ocitui.core.layout import Layout
from ocitui.core.layout.fsck import fsck
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import push
from tests.realworld.cli import ocitui
from tests.realworld.foreign import (
    cosign_save_shape,
    entry,
    signature,
    skopeo_shape,
    tagged,
    write_entries,
)
from tests.support.builders import put_image


def test_a_tagged_manifest_with_a_subject_is_a_referrer(tmp_path: Path) -> None:
    layout, image, sig = skopeo_shape(tmp_path / "l")
    assert [d.digest for d in layout.referrers(image.digest)] == [sig.digest]
    shown = ocitui("--layout", str(layout.root), "referrers", "v1", "--json")
    assert shown.returncode == 0, shown.stderr
    assert [row["digest"] for row in json.loads(shown.stdout)] == [str(sig.digest)]


def test_fsck_reports_and_repair_records_a_tagged_referrer(tmp_path: Path) -> None:
    layout, _image, sig = skopeo_shape(tmp_path / "l")
    report = fsck(layout)
    codes = [f.code for f in report.findings if f.digest == str(sig.digest)]
    assert sorted(codes) == ["short-tag", "tagged-referrer"]
    fsck(layout, repair=True)
    names = {e.ref_name for e in layout.entries() if e.digest == sig.digest}
    assert names == {"sigx", None}  # The tag is kept, ocitui's entry added.
    assert not [f for f in fsck(layout).findings if f.code == "tagged-referrer"]


async def test_push_carries_a_tagged_referrer(
    tmp_path: Path, fake_registry: Callable[..., Any], client: RegistryClient
) -> None:
    layout, image, sig = skopeo_shape(tmp_path / "l")
    registry = fake_registry(referrers_api=True)
    dest = parse_reference(f"{registry.host}/orl/app:1.0")
    report = await push(layout, client, [("v1", dest)])
    assert report.ok, report.to_json()
    assert report.referrers_verified == 1
    found = await client.referrers(parse_reference(f"{registry.host}/orl/app"), image.digest)
    assert [d.digest for d in found] == [sig.digest]
    # Its own short tag goes with it, into the destination repository.
    assert report.left_behind == []
    tagged = await client.head_manifest(parse_reference(f"{registry.host}/orl/app:sigx"))
    assert tagged is not None and tagged.digest == sig.digest


def test_cosign_save_layout_is_not_empty(tmp_path: Path) -> None:
    layout, image, sigs, ref = cosign_save_shape(tmp_path / "c")
    where = str(layout.root)
    listed = ocitui("--layout", where, "ls")
    assert listed.returncode == 0, listed.stderr
    assert "empty layout" not in listed.stdout
    assert "(cosign save image)" in listed.stdout and image.digest.short in listed.stdout
    rows = json.loads(ocitui("--layout", where, "ls", "--json").stdout)
    assert [(r["digest"], r["cosignSaveKind"]) for r in rows] == [(str(image.digest), "image")]
    assert rows[0]["legacy"] == ["sig"] and rows[0]["referrers"] == 1
    shown = ocitui("--layout", where, "inspect", str(image.digest))
    assert shown.returncode == 0, shown.stderr
    assert "None" not in shown.stdout
    assert f"Legacy .sig: (cosign save sigs) {sigs.digest}" in shown.stdout
    referrers = json.loads(
        ocitui("--layout", where, "referrers", str(image.digest), "--json").stdout
    )
    assert [r["digest"] for r in referrers] == [str(ref.digest)]


def test_cosign_v3_referrer_kind_is_listed(tmp_path: Path) -> None:
    layout, image, _sigs, ref = cosign_save_shape(tmp_path / "c")
    assert [d.digest for d in Layout.open(layout.root).referrers(image.digest)] == [ref.digest]


def test_ls_all_names_oras_referrer_entries_from_their_manifests(tmp_path: Path) -> None:
    """``oras copy -r --to-oci-layout`` records a referrer as a bare entry (no
    ``artifactType``, no subject hint): ``ls --all`` reads both from the manifest, so the
    row says what it is and whose it is, not ``(untagged)``/``image``."""
    layout = Layout.open(tmp_path / "oras", create=True)
    image = put_image(layout, {"app": b"v1"})
    sig = signature(layout, image)
    write_entries(layout, [tagged(image.descriptor(), "1.0"), entry(sig.descriptor())])
    where = str(layout.root)
    listed = ocitui("--layout", where, "ls", "--all")
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if sig.digest.short in line)
    assert row.split()[:5] == [
        "(referrer", "of", f"{image.digest.short})", sig.digest.short, "sigstore",
    ], row  # fmt: skip
    rows = json.loads(ocitui("--layout", where, "ls", "--all", "--json").stdout)
    found = next(r for r in rows if r["digest"] == str(sig.digest))
    assert (found["artifactType"], found["subject"]) == (mt.SIGSTORE_BUNDLE, str(image.digest))
    # A plain image entry still carries no artifact type (its config type is no artifact's).
    plain = next(r for r in rows if r["digest"] == str(image.digest))
    assert plain["artifactType"] is None and "subject" not in plain


def test_push_all_to_a_layout_of_unnamed_images_says_how_to_push_them(tmp_path: Path) -> None:
    """``crane pull --format=oci`` records images without a name: ``push --all-to`` has
    nothing to push by name and says how to push them by digest instead."""
    layout = Layout.open(tmp_path / "crane", create=True)
    image = put_image(layout, {"app": b"v1"})
    write_entries(layout, [entry(image.descriptor())])
    done = ocitui("--layout", str(layout.root), "push", "--all-to", "127.0.0.1:9/x", "--dry-run")
    assert done.returncode == 1
    assert f"1 without a name: push one by digest, e.g. 'ocitui push {image.digest} " in (
        done.stderr
    ), done.stderr
    assert len(done.stderr.splitlines()) == 1

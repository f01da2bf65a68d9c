"""Issue 15 (legacy attachments): two ``.sig`` of one image, pulled from two repositories,
are both kept in ls, inspect, referrers and export; a push carries the pushed name's own
``.sig`` under the tag and lists the other as left behind, never the wrong one silently."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocitui.core.layout import Layout
from ocitui.core.models import Document
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import push
from tests.realworld.cli import ocitui
from tests.support.builders import put_image

A, B = "example.com/a/app", "example.com/b/app"


def two_sigs(root: Path) -> tuple[Layout, Document, dict[str, Document]]:
    """One image named in repositories ``a`` and ``b``, each with its own legacy ``.sig``."""
    layout = Layout.open(root, create=True)
    image = put_image(layout, {"app": b"signed twice"}, ref=f"{A}:v1")
    layout.set_tag(f"{B}:v1", image.descriptor())
    sigs = {}
    for repo in (A, B):
        sigs[repo] = put_image(layout, {"sig": repo.encode()}, env=(f"SIG={repo}",))
        layout.set_tag(f"{repo}:{image.digest.tag_form}.sig", sigs[repo].descriptor())
    return layout, image, sigs


def test_listings_keep_both(tmp_path: Path) -> None:
    layout, _image, sigs = two_sigs(tmp_path / "l")
    where = ("--layout", str(layout.root))
    rows = json.loads(ocitui(*where, "ls", "--json").stdout)
    assert [r["legacy"] for r in rows if r["ref"] == f"{A}:v1"] == [["sig", "sig"]]
    shown = json.loads(ocitui(*where, "inspect", f"{A}:v1", "--json").stdout)
    assert sorted(item["digest"] for item in shown["legacy"]) == sorted(
        str(s.digest) for s in sigs.values()
    )
    listed = ocitui(*where, "referrers", f"{A}:v1")
    assert all(s.digest.short in listed.stdout for s in sigs.values()), listed.stdout


async def test_push_carries_its_own_repositorys_sig(
    tmp_path: Path, fake_registry: Callable[..., Any], client: RegistryClient
) -> None:
    layout, image, sigs = two_sigs(tmp_path / "l")
    registry = fake_registry()
    for repo in (A, B):
        other = sigs[B if repo == A else A]
        dest = parse_reference(f"{registry.host}/to-{repo.split('/')[1]}/app:v1")
        report = await push(layout, client, [(f"{repo}:v1", dest)])
        assert report.ok, report.to_json()
        at = await client.head_manifest(dest.with_tag(f"{image.digest.tag_form}.sig"))
        assert at is not None and at.digest == sigs[repo].digest, repo
        assert [(i.reason, i.descriptor.digest) for i in report.left_behind] == [
            ("legacy-taken", other.digest)
        ]


def test_export_keeps_both_and_for_peers_says_which(tmp_path: Path) -> None:
    layout, image, sigs = two_sigs(tmp_path / "l")
    where = ("--layout", str(layout.root))
    plain = tmp_path / "all.tar"
    assert ocitui(*where, "export", str(plain), f"{A}:v1").returncode == 0
    with tarfile.open(plain) as tar:
        index = json.load(tar.extractfile("index.json"))  # type: ignore[arg-type]
    names = {m["annotations"].get("org.opencontainers.image.ref.name") for m in index["manifests"]}
    assert {f"{A}:{image.digest.tag_form}.sig", f"{B}:{image.digest.tag_form}.sig"} <= names
    peers = tmp_path / "peers.tar"
    done = ocitui(*where, "export", "--for-peers", str(peers), f"{A}:v1")
    assert done.returncode == 0, done.stderr
    assert f"{B}:{image.digest.tag_form}.sig left out" in done.stdout + done.stderr
    with tarfile.open(peers) as tar:
        index = json.load(tar.extractfile("index.json"))  # type: ignore[arg-type]
    by_name = {
        m["annotations"].get("org.opencontainers.image.ref.name"): m["digest"]
        for m in index["manifests"]
        if m.get("annotations")
    }
    assert by_name[f"{image.digest.tag_form}.sig"] == str(sigs[A].digest)

"""End to end against the real docker-registry (no referrers API: the fallback-tag path),
plus push -> pull round trips and the CLI."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ocitui.cli.main import main
from ocitui.core.digest import Digest
from ocitui.core.errors import SyncError
from ocitui.core.layout import SUBJECT_HINT, Layout
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import SyncFilter, pull, push, repository
from ocitui.core.target import RegistryTarget
from tests.support.binaries import need
from tests.sync.graph import build_graph, seed_registry

pytestmark = pytest.mark.e2e


def referrer_subjects(layout: Layout) -> list[Digest]:
    """Every digest the layout records a referrer of."""
    hints = {e.annotations[SUBJECT_HINT] for e in layout.entries() if SUBJECT_HINT in e.annotations}
    return sorted(Digest.parse(h) for h in hints)


async def seeded(client: RegistryClient, host: str, name: str) -> tuple[Any, str]:
    graph = build_graph()
    ref = parse_reference(f"{host}/{name}:v1")
    await seed_registry(client, repository(ref), graph)
    return graph, str(ref)


def layout_files(layout: Layout) -> dict[str, str]:
    out = {}
    for path in (layout.root / "blobs").rglob("*"):
        if path.is_file():
            out[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def names_and_referrers(layout: Layout, prefix: str) -> tuple[dict[str, str], set[tuple[str, str]]]:
    tags = {
        (e.ref_name or "").removeprefix(prefix): str(e.digest)
        for e in layout.tagged()
        if (e.ref_name or "").startswith(prefix)
    }
    refs = {
        (str(subject), str(d.digest))
        for subject in referrer_subjects(layout)
        for d in layout.referrers(subject)
    }
    return tags, refs


async def test_pull_via_fallback_tags(docker_registry, client, new_layout) -> None:
    graph, ref = await seeded(client, docker_registry.host, "e2e/fallback")
    assert not await client.supports_referrers_api(repository(parse_reference(ref)))
    layout = new_layout()
    report = await pull(client, layout, [ref])
    assert report.ok, report.to_json()
    assert report.referrers_verified == 4
    assert [d.digest for d in layout.referrers(graph.names["sbom"])] == [
        graph.names["sbom-signature"]
    ]
    index = graph.names["index"]
    assert layout.resolve(f"{docker_registry.host}/e2e/fallback:sha256-{index.encoded}.sig")


async def test_push_then_pull_round_trip(docker_registry, client, new_layout) -> None:
    _graph, ref = await seeded(client, docker_registry.host, "e2e/source")
    first = new_layout("first")
    assert (await pull(client, first, [ref])).ok
    dest = parse_reference(f"{docker_registry.host}/e2e/copy:v1")
    report = await push(first, client, [(ref, dest)])
    assert report.ok, report.to_json()
    assert report.referrers_verified == 4
    second = new_layout("second")
    assert (await pull(client, second, [str(dest)])).ok
    assert layout_files(first) == layout_files(second)
    a = names_and_referrers(first, f"{docker_registry.host}/e2e/source")
    b = names_and_referrers(second, f"{docker_registry.host}/e2e/copy")
    assert a == b
    # Pushing again uploads nothing.
    again = await push(first, client, [(ref, dest)])
    assert again.ok and again.blobs_copied == 0 and again.manifests_written == 0


async def test_demo_layout_round_trip(demo_copy: Path, docker_registry, client, new_layout) -> None:
    demo = Layout.open(demo_copy)
    from ocitui.cli.commands.push import all_to_items

    target = f"{docker_registry.host}/demo-rt"
    report = await push(demo, client, all_to_items(demo, target))
    assert report.ok, report.to_json()
    back = new_layout("back")
    refs = [str(dest) for _, dest in all_to_items(demo, target)]
    assert (await pull(client, back, refs)).ok
    for entry in demo.tagged():
        if "sha256-" in (entry.ref_name or ""):
            continue
        ref = parse_reference(entry.ref_name or "")
        mapped = f"{target}/{ref.repository}:{ref.tag}" if ref.tag else None
        if mapped:
            assert back.resolve(mapped).digest == entry.digest
    for subject in referrer_subjects(demo):
        want = {d.digest for d in demo.referrers(subject)}
        if want and back.has_blob(subject):
            assert want <= {d.digest for d in back.referrers(subject)}
    # Pushing the bundle adds its image-locations record (issue 6): the only new content.
    records = {
        b.digest.encoded
        for r in back.referrers(demo.resolve("registry.example.com/demo/bundle:1.0").digest)
        if r.artifact_type == "application/vnd.carvel.imgpkg.image-locations.v1"
        for b in (r, *back.get_document(r.digest).children())
    }
    for name, digest in layout_files(back).items():
        if name not in records:
            assert (demo.root / "blobs" / "sha256" / name).read_bytes() and digest


async def test_sparse_index_push_is_refused(docker_registry, client, new_layout) -> None:
    graph, ref = await seeded(client, docker_registry.host, "e2e/sparse")
    layout = new_layout()
    assert (await pull(client, layout, [ref], SyncFilter.build(["linux/amd64"]))).ok
    dest = parse_reference(f"{docker_registry.host}/e2e/sparse-copy:v1")
    with pytest.raises(SyncError, match=r"partial index.*linux/arm64"):
        await push(layout, client, [(ref, dest)])
    assert await RegistryTarget(client).lookup_tag(repository(dest), "v1") is None
    # The documented alternative: push one platform by digest.
    child = f"{ref.rsplit(':', 1)[0]}@{graph.names['linux/amd64']}"
    one = parse_reference(f"{docker_registry.host}/e2e/sparse-copy:v1-amd64")
    assert (await push(layout, client, [(child, one)])).ok


async def test_skopeo_reads_what_was_pulled(docker_registry, client, new_layout) -> None:
    skopeo = need("skopeo")
    _, ref = await seeded(client, docker_registry.host, "e2e/skopeo")
    layout = new_layout()
    assert (await pull(client, layout, [ref])).ok
    out = subprocess.run(
        [skopeo, "inspect", "--raw", f"oci:{layout.root}:{ref}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["mediaType"] == "application/vnd.oci.image.index.v1+json"
    out = subprocess.run(
        [
            skopeo,
            "inspect",
            "--override-os",
            "linux",
            "--override-arch",
            "arm64",
            f"oci:{layout.root}:{ref}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Architecture"] == "arm64"


def seed_sync(host: str, name: str) -> str:
    async def go() -> str:
        async with RegistryClient() as c:
            return (await seeded(c, host, name))[1]

    return asyncio.run(go())


def test_cli_pull_json_and_verification_failure(
    docker_registry, tmp_path, monkeypatch, capsys
) -> None:
    ref = seed_sync(docker_registry.host, "e2e/cli")
    layout_dir = str(tmp_path / "cli-layout")
    assert main(["pull", ref, "--layout", layout_dir, "--json"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "PlanReady" and kinds[-1] == "Finished"
    assert events[-1]["report"]["ok"] is True and "BlobDone" in kinds
    assert main(["pull", ref, "--layout", layout_dir, "--dry-run"]) == 0
    assert re.search(r"left behind:\s+0 \(0 B\)", capsys.readouterr().out)

    async def nothing(self: Any, repo: Any, subject: Any) -> list[Any]:
        return []

    monkeypatch.setattr(RegistryTarget, "referrers", nothing)
    dest = f"{docker_registry.host}/e2e/cli-copy:v1"
    assert main(["push", ref, dest, "--layout", layout_dir]) == 1
    assert "MISSING" in capsys.readouterr().out


def test_cli_copy_mounts_on_same_registry(docker_registry, tmp_path, capsys) -> None:
    ref = seed_sync(docker_registry.host, "e2e/mount-src")
    dest = f"{docker_registry.host}/e2e/mount-dst:v1"
    layout_dir = str(tmp_path / "copy-layout")
    assert main(["copy", ref, dest, "--layout", layout_dir, "--json"]) == 0
    final = json.loads(capsys.readouterr().out.splitlines()[-1])["report"]
    assert final["ok"] and final["copied"]["mounted"] > 0
    assert os.path.isdir(layout_dir)

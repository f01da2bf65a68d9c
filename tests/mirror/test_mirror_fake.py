"""``mirror`` against the spec-faithful fake registry: request counts, increments, failures, push."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from ocitui.core.errors import VerifyError
from ocitui.core.layout import Layout
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryOptions, StaticCredentials
from tests.mirror.conftest import Runner, make_client, tree_hashes
from tests.support.layouts import DEMO_LAYOUT, REPO_ROOT
from tests.sync.graph import BUNDLE, SBOM, Graph, build_graph, seed_registry, seed_state
from tests.sync.test_bundles_fake import seed as seed_graph

ROOT = Path(__file__).resolve().parents[2]
DEMO_KEY = REPO_ROOT / "tools" / "demo" / "DEMO-ONLY-signing-key.pub"


def seed(registry: object, repo: str, tags: list[str]) -> dict[str, Graph]:
    graphs = {}
    for tag in tags:
        graphs[tag] = build_graph(tag, layer_size=256)
        seed_state(registry.state, repo, graphs[tag])  # type: ignore[attr-defined]
    return graphs


def count(requests: list[object]) -> Counter[tuple[str, str]]:
    """(method, kind) of each request: kind is manifests, blobs, tags, referrers, ..."""
    out: Counter[tuple[str, str]] = Counter()
    for r in requests:
        parts = r.path.split("?")[0].split("/")  # type: ignore[attr-defined]
        kind = next((p for p in ("manifests", "blobs", "referrers") if p in parts), parts[-1])
        out[(r.method, kind)] += 1  # type: ignore[attr-defined]
    return out


def skopeo_yaml(host: str, body: str) -> str:
    return f"{host}:\n  tls-verify: false\n{body}"


async def test_rerun_costs_one_head_per_tag_and_no_blob(
    fake_registry, run_mirror: Runner, tmp_path
):
    registry = fake_registry()
    graphs = seed(registry, "team/app", ["1.0", "1.1", "2.0"])
    text = skopeo_yaml(registry.host, "  images-by-tag-regex:\n    team/app: ^1\\.\n")
    layout = Layout.open(tmp_path / "layout", create=True)
    first = await run_mirror(text, layout)
    assert first.ok, first.to_json()
    [image] = first.images
    assert sorted(image.copied) == sorted(
        [f"{registry.host}/team/app:{t}" for t in ("1.0", "1.1")]
        + [
            f"{registry.host}/team/app:sha256-{graphs[t].names['index'].encoded}.sig"
            for t in ("1.0", "1.1")
        ]
    )
    assert len(layout.referrers(graphs["1.0"].names["index"])) == 2
    before = tree_hashes(layout.root)
    registry.requests.clear()
    second = await run_mirror(text, layout)
    assert second.ok and second.staging is not None
    assert second.staging.blobs_copied == 0 and second.staging.manifests_written == 0
    seen = count(registry.requests)
    # One tag list (the selection's; the walk looks legacy, fallback and imgpkg tags up
    # in it), 1 HEAD per selected tag, 1 HEAD per legacy .sig tag the list shows, and 1
    # referrers-API listing per distinct manifest of the two graphs (index, 3 platforms,
    # 4 referrers, the legacy signature, the same bytes in both). No GET of a manifest,
    # no blob.
    nodes = len({_d(raw) for t in ("1.0", "1.1") for raw, _, _ in graphs[t].manifests})
    assert nodes == 17
    assert seen[("GET", "blobs")] == 0
    assert seen[("GET", "manifests")] == 0
    assert seen[("HEAD", "manifests")] == 2 + 2
    assert seen[("GET", "referrers")] == 1 + nodes  # the API probe, then one per manifest
    assert seen[("GET", "list")] == 1
    assert sum(seen.values()) == 2 + 2 + 1 + nodes + 1
    assert tree_hashes(layout.root) == before


async def test_new_tags_and_new_referrers_of_old_tags_arrive(fake_registry, run_mirror, tmp_path):
    registry = fake_registry()
    graphs = seed(registry, "team/app", ["1.0"])
    text = skopeo_yaml(registry.host, "  images:\n    team/app: []\n")
    layout = Layout.open(tmp_path / "layout", create=True)
    assert (await run_mirror(text, layout)).ok
    later = Graph()
    index = graphs["1.0"].names["index"]
    raw = next(r for r, _, _ in graphs["1.0"].manifests if graphs["1.0"].names["index"] == _d(r))
    from ocitui.core import media_types as mt
    from ocitui.core.models import Descriptor

    sig = later.artifact(Descriptor(mt.OCI_INDEX, index, len(raw)), BUNDLE, "late-signature")
    seed_state(registry.state, "team/app", later)
    seed(registry, "team/app", ["1.1"])
    report = await run_mirror(text, layout)
    assert report.ok, report.to_json()
    assert sig.digest in {d.digest for d in layout.referrers(index)}
    assert layout.resolve(f"{registry.host}/team/app:1.1")
    [image] = report.images
    assert f"{registry.host}/team/app:1.0" in image.skipped
    assert f"{registry.host}/team/app:1.1" in image.copied


def _d(raw: bytes) -> object:
    from ocitui.core.digest import Digest

    return Digest.of(raw)


async def test_one_image_failing_does_not_stop_the_others(fake_registry, run_mirror, tmp_path):
    registry = fake_registry()
    seed(registry, "team/app", ["1.0"])
    seed(registry, "team/other", ["3.0"])
    text = skopeo_yaml(
        registry.host,
        "  images:\n    team/app: ['1.0', 'nope']\n    team/missing: []\n    team/other: []\n",
    )
    layout = Layout.open(tmp_path / "layout", create=True)
    report = await run_mirror(text, layout)
    assert not report.ok
    by_name = {i.image: i for i in report.images}
    app = by_name[f"{registry.host}/team/app"]
    assert app.failed == ["nope: not found in the registry"]
    assert f"{registry.host}/team/app:1.0" in app.copied
    missing = by_name[f"{registry.host}/team/missing"]
    assert missing.failed and "it has no tags" in missing.failed[0]
    assert by_name[f"{registry.host}/team/other"].ok
    assert layout.resolve(f"{registry.host}/team/other:3.0")


async def test_blob_failure_fails_only_its_image(fake_registry, run_mirror, tmp_path):
    registry = fake_registry()
    graphs = seed(registry, "team/app", ["1.0"])
    seed(registry, "team/other", ["3.0"])
    layer = next(d for d, data in graphs["1.0"].blobs.items() if len(data) == 256)
    registry.inject(f"/v2/team/app/blobs/{layer}", "404", times=50)
    text = skopeo_yaml(registry.host, "  images:\n    team/app: []\n    team/other: []\n")
    layout = Layout.open(tmp_path / "layout", create=True)
    report = await run_mirror(text, layout)
    by_name = {i.image: i for i in report.images}
    assert not by_name[f"{registry.host}/team/app"].ok
    assert any(
        layer.short in f or "depends" in f for f in by_name[f"{registry.host}/team/app"].failed
    )
    assert by_name[f"{registry.host}/team/other"].ok
    assert layout.resolve(f"{registry.host}/team/other:3.0")


async def test_own_format_platforms_types_legacy_newest_and_push(
    fake_registry, run_mirror, tmp_path
):
    source, dest = fake_registry(), fake_registry()
    graphs = seed(source, "team/app", ["1.0.0", "1.2.0", "1.10.0", "2.0.0-rc1", "latest"])
    text = f"""ocitui-mirror: v1
destination: {dest.host}/mirror
images:
  - source: {source.host}/team/app
    semver: ">=1.0"
    newest: 2
    exclude-artifact-types: [{SBOM}]
    legacy-tags: false
"""
    layout = Layout.open(tmp_path / "layout", create=True)
    report = await run_mirror(text, layout, push=True)
    assert report.ok, report.to_json()
    [image] = report.images
    assert sorted(image.copied) == [f"{source.host}/team/app:{t}" for t in ("1.10.0", "1.2.0")]
    reasons = Counter(item.reason for item in image.left_behind)
    assert reasons == {"artifact-type": 2, "legacy-tags": 2}
    index = graphs["1.10.0"].names["index"]
    assert [d.artifact_type for d in layout.referrers(index)] == ["application/vnd.in-toto+json"]
    assert image.pushed_to == f"{dest.host}/mirror/team/app"
    assert image.push is not None and image.push.ok
    assert set(dest.state.repo("mirror/team/app").tags) >= {"1.10.0", "1.2.0"}
    assert "1.0.0" not in dest.state.repo("mirror/team/app").tags


async def test_platform_filter_and_push_refusal_is_per_image(fake_registry, run_mirror, tmp_path):
    source, dest = fake_registry(), fake_registry()
    seed(source, "team/app", ["1.0"])
    text = f"""ocitui-mirror: v1
images:
  - source: {source.host}/team/app
    platforms: [linux/amd64]
    destination: {dest.host}/team/app
"""
    layout = Layout.open(tmp_path / "layout", create=True)
    report = await run_mirror(text, layout, push=True)
    [image] = report.images
    assert sum(item.reason == "platform" for item in image.left_behind) == 2
    assert not image.ok and "partial index" in image.failed[0]


def test_cli_dry_run_touches_nothing_and_json(fake_registry, tmp_path):
    registry = fake_registry()
    seed(registry, "team/app", ["1.0", "1.1"])
    path = tmp_path / "sync.yaml"
    path.write_text(skopeo_yaml(registry.host, "  images:\n    team/app: ['1.1']\n"))
    layout = tmp_path / "layout"
    Layout.open(layout, create=True)
    before = tree_hashes(layout)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "ocitui", "--layout", str(layout), "mirror", str(path)]
    done = subprocess.run([*cmd, "--dry-run"], check=False, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "new       1.1" in done.stdout and "dry run: nothing was written" in done.stdout
    assert tree_hashes(layout) == before
    nowhere = tmp_path / "not-yet"
    dry = [*cmd[:3], "--layout", str(nowhere), *cmd[5:], "--dry-run"]
    done = subprocess.run(dry, check=False, capture_output=True, text=True, env=env)
    assert done.returncode == 0 and "new       1.1" in done.stdout, done.stderr
    assert not nowhere.exists()
    done = subprocess.run([*cmd, "--json"], check=False, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    import json

    out = json.loads(done.stdout)
    assert out["report"]["ok"] and out["plan"]["images"][0]["tags"][0]["state"] == "new"
    path.write_text(skopeo_yaml(registry.host, "  images:\n    team/app: ['9.9']\n"))
    done = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env)
    assert done.returncode == 1 and "9.9: not found in the registry" in done.stdout
    done = subprocess.run([*cmd, "--to", "x"], check=False, capture_output=True, text=True, env=env)
    assert done.returncode == 2


async def test_verify_policy_names_only_what_satisfies_it(fake_registry, run_mirror, tmp_path):
    registry = fake_registry()
    demo = Layout.open(DEMO_LAYOUT)
    for tag in ("1.0", "1.1"):  # 1.0 carries a legacy .sig by the demo key; 1.1 is unsigned
        digest = demo.resolve(f"registry.example.com/demo/app:{tag}").digest
        seed_graph(registry.state, "demo/app", demo, digest, tag)
    shutil.copy(DEMO_KEY, tmp_path / "demo.pub")
    (tmp_path / "policy.yaml").write_text(
        f"rules:\n  - match: {registry.host}/demo/*\n    keys: [demo.pub]\n"
    )
    text = f"""ocitui-mirror: v1
defaults: {{verify: policy.yaml}}
images:
  - source: {registry.host}/demo/app
    tags: ['1.0']
  - source: {registry.host}/demo/app
    tags: ['1.1']
"""
    layout = Layout.open(tmp_path / "layout", create=True)
    report = await run_mirror(text, layout)
    signed, unsigned = report.images
    assert signed.ok and signed.verified == [f"{registry.host}/demo/app:1.0"]
    assert layout.resolve(f"{registry.host}/demo/app:1.0")
    assert not unsigned.ok and not report.ok
    assert any("refused by the verification policy" in f for f in unsigned.failed)
    assert any(f.startswith(f"verify {registry.host}/demo/app:1.1") for f in unsigned.failed)
    assert f"{registry.host}/demo/app:1.1" not in {e.ref_name for e in layout.tagged()}
    again = await run_mirror(text, layout)  # staged names are verified again
    assert again.images[0].verified == [f"{registry.host}/demo/app:1.0"]
    (tmp_path / "policy.yaml").write_text("rules: [")
    with pytest.raises(VerifyError, match="not valid YAML"):
        await run_mirror(text, layout)


async def test_rerun_cost_without_a_referrers_api(fake_registry, run_mirror, tmp_path):
    registry = fake_registry(referrers_api=False)
    graphs = {}
    for tag in ("1.0", "1.1"):
        graphs[tag] = build_graph(tag, layer_size=256)
        async with make_client(RegistryOptions(), StaticCredentials()) as client:
            await seed_registry(client, parse_reference(f"{registry.host}/team/app:x"), graphs[tag])
    text = skopeo_yaml(registry.host, "  images:\n    team/app: []\n")
    layout = Layout.open(tmp_path / "layout", create=True)
    first = await run_mirror(text, layout)
    assert first.ok, first.to_json()
    registry.requests.clear()
    second = await run_mirror(text, layout)
    assert second.ok and second.staging is not None and second.staging.blobs_copied == 0
    seen = count(registry.requests)
    # Every tag is selected, the fallback and .sig tags too: those are covered by their
    # subjects, so only the 2 image tags are HEADed, plus the 2 .sig tags the walk finds
    # in the tag list. Referrers are read from the fallback tags the list shows (3 per
    # graph: the index, its SBOM, its arm64 image), after the referrers API probe.
    assert seen[("GET", "blobs")] == 0
    assert seen[("HEAD", "manifests")] == 2 + 2
    assert seen[("GET", "manifests")] == 3 * 2
    assert seen[("GET", "referrers")] == 1
    assert seen[("GET", "list")] == 1

"""The same skopeo-sync YAML through ``skopeo sync`` and ``ocitui mirror``, one docker-registry.

skopeo 1.9 writes one directory per image it copies (``--scoped --dest dir``): the set of
those directories is the set of tags skopeo selected, to compare with the tags ocitui
staged (plus the machine tags it reports as covered by their subject).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ocitui.core.layout import Layout
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient, RegistryOptions
from tests.mirror.conftest import tree_hashes
from tests.support.binaries import need
from tests.sync.graph import build_graph, seed_registry

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
APP_TAGS = ["1.0", "1.1", "1.10", "2.0", "v1.2-alpine", "latest"]


async def _seed(host: str) -> dict[str, str]:
    indexes = {}
    async with RegistryClient(RegistryOptions()) as client:
        for repo, tags in (("mirror/app", APP_TAGS), ("mirror/tool", ["3.1"])):
            for tag in tags:
                graph = build_graph(tag, layer_size=256)
                await seed_registry(
                    client, parse_reference(f"{host}/{repo}", default_tag=None), graph
                )
                indexes[f"{repo}:{tag}"] = str(graph.names["index"])
    return indexes


def _skopeo_selection(skopeo: str, yaml_file: Path, out: Path) -> set[str]:
    done = subprocess.run(
        [
            skopeo,
            "sync",
            "--all",
            "--keep-going",
            "--scoped",
            "--src",
            "yaml",
            "--dest",
            "dir",
            str(yaml_file),
            str(out),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {str(p.parent.relative_to(out)) for p in out.rglob("manifest.json")}


def _ocitui(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "ocitui", *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_same_tags_as_skopeo_sync_with_referrers_then_nothing_again(docker_registry, tmp_path):
    skopeo = need("skopeo")
    host = docker_registry.host
    indexes = asyncio.run(_seed(host))
    yaml_file = tmp_path / "sync.yaml"
    yaml_file.write_text(
        f"{host}:\n"
        "  tls-verify: false\n"
        "  images:\n"
        "    mirror/tool: []\n"
        "    mirror/app: ['latest']\n"
        "  images-by-tag-regex:\n"
        "    mirror/app: '1\\.[12]'\n"
    )
    skopeo_tags = _skopeo_selection(skopeo, yaml_file, tmp_path / "skopeo")
    # Unanchored like skopeo: 1.1, 1.10 and v1.2-alpine match, 1.0 and 2.0 do not.
    assert {t for t in skopeo_tags if "/mirror/app:" in t} == {
        f"{host}/mirror/app:{t}" for t in ("1.1", "1.10", "v1.2-alpine", "latest")
    }

    layout_dir = tmp_path / "layout"
    Layout.open(layout_dir, create=True)
    empty = tree_hashes(layout_dir)
    dry = _ocitui("--layout", str(layout_dir), "mirror", str(yaml_file), "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    assert tree_hashes(layout_dir) == empty

    done = _ocitui("--layout", str(layout_dir), "mirror", str(yaml_file), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    selected = {
        f"{image['image']}:{choice['tag']}"
        for image in out["plan"]["images"]
        for choice in image["tags"]
    }
    assert selected == skopeo_tags
    assert json.loads(dry.stdout)["plan"]["images"] == out["plan"]["images"]

    layout = Layout.open(layout_dir)
    staged = {e.ref_name for e in layout.tagged()}
    for tag in ("1.1", "1.10", "v1.2-alpine", "latest"):
        name = f"{host}/mirror/app:{tag}"
        assert name in staged
        index = layout.resolve(name).digest
        assert str(index) == indexes[f"mirror/app:{tag}"]
        assert len(layout.referrers(index)) == 2  # the SBOM and the attestation
    assert f"{host}/mirror/app:1.0" not in staged
    assert out["report"]["staging"]["referrersVerified"] == 4 * 5

    again = _ocitui("--layout", str(layout_dir), "mirror", str(yaml_file), "--json")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)["report"]
    assert report["staging"]["copied"]["blobs"] == 0
    assert report["staging"]["copied"]["manifests"] == 0
    assert all(i["blobsCopied"] == 0 and not i["copied"] for i in report["images"])

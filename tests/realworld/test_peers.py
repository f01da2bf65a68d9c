"""Issue 15 item 6: peers address what ``export --for-peers`` writes, and ocitui reads
layouts the peers wrote (real oras, regctl, crane, skopeo; skipped locally when absent,
required in CI)."""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from ocitui.core.layout import Layout
from tests.realworld.cli import ocitui
from tests.support.binaries import need

APP = "registry.example.com/demo/app"


def tool(name: str, *args: str) -> str:
    done = subprocess.run(
        [need(name), *args], check=False, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (name, args, done.stderr)
    return done.stdout


@pytest.fixture
def peer_dir(demo_copy: Path, tmp_path: Path) -> Path:
    archive = tmp_path / "app.tar"
    done = ocitui(
        "--layout", str(demo_copy), "export", "--for-peers", str(archive), f"{APP}:1.0", f"{APP}:1.1"
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = tmp_path / "peers"
    out.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(out, filter="data")
    return out


def test_regctl_reads_tags_and_referrers(peer_dir: Path, demo_copy: Path) -> None:
    tags = tool("regctl", "tag", "ls", f"ocidir://{peer_dir}").split()
    assert {"1.0", "1.1"} <= set(tags)
    listed = json.loads(
        tool("regctl", "artifact", "list", f"ocidir://{peer_dir}:1.0", "--format", "{{json .}}")
    )
    found = {m["digest"] for m in listed["descriptors"]}
    demo = Layout.open(demo_copy)
    assert found == {str(d.digest) for d in demo.referrers(demo.resolve(f"{APP}:1.0").digest)}


def test_oras_discovers_referrers(peer_dir: Path, demo_copy: Path) -> None:
    shown = json.loads(
        tool("oras", "discover", "--oci-layout", f"{peer_dir}:1.0", "--format", "json")
    )
    found = {r["digest"] for r in shown.get("referrers", shown.get("manifests", []))}
    demo = Layout.open(demo_copy)
    assert found == {str(d.digest) for d in demo.referrers(demo.resolve(f"{APP}:1.0").digest)}


def test_skopeo_reads_short_tags(peer_dir: Path) -> None:
    shown = json.loads(tool("skopeo", "inspect", "--raw", f"oci:{peer_dir}:1.1"))
    assert shown["mediaType"].endswith("index.v1+json")


def test_ocitui_reads_an_oras_layout(peer_dir: Path, tmp_path: Path) -> None:
    """oras copies into its own layout shape (short tags, untagged referrers)."""
    target = tmp_path / "oras"
    tool(
        "oras", "cp", "-r", "--from-oci-layout", f"{peer_dir}:1.0", "--to-oci-layout", f"{target}:1.0"
    )  # fmt: skip
    layout = Layout.open(target)
    image = layout.resolve("1.0")
    assert len(layout.referrers(image.digest)) == 3
    fsck = ocitui("--layout", str(target), "fsck")
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr

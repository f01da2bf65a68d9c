"""Issue 15 item 6: peers address what ``export --for-peers`` writes, and ocitui reads
layouts the peers wrote (real oras, regctl, crane, skopeo; skipped locally when absent,
required in CI)."""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from ocitui.core.layout import Layout
from ocitui.core.models import Document
from tests.realworld.cli import ocitui
from tests.realworld.foreign import signature
from tests.support.binaries import need
from tests.support.builders import put_image
from tests.support.registries import DockerRegistry

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
    # The directory tarred as it is (root member ".", oras's ingest/): read and imported.
    tarred = tmp_path / "oras.tar"
    subprocess.run(["tar", "-C", str(target), "-cf", str(tarred), "."], check=True)
    shown = ocitui("inspect", f"{tarred}:1.0", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["digest"] == str(image.digest)
    far = tmp_path / "far"
    done = ocitui("--layout", str(far), "import", str(tarred), "--repository", "r.io/team/app")
    assert done.returncode == 0, done.stderr
    assert len(Layout.open(far).referrers(image.digest)) == 3
    # Four referrers (one nested); oras's two platform-manifest entries are not counted.
    assert "0 moved, 4 new referrers" in done.stdout, done.stdout


# -- every peer against one export --for-peers of a gzip image and its signature ------------

TEAM = "example.com/team/app"


@pytest.fixture
def signed_export(tmp_path: Path) -> tuple[Path, Document, Document]:
    """``export --for-peers`` of a single-platform gzip image (what umoci 0.4 unpacks) and
    the OCI 1.1 signature attached to it, unpacked to a directory."""
    layout = Layout.open(tmp_path / "ours", create=True)
    image = put_image(layout, {"etc/hello": b"hello from ocitui\n"}, ref=f"{TEAM}:1.0")
    sig = signature(layout, image)
    layout.add_referrer(sig)
    archive = tmp_path / "team.tar"
    done = ocitui(
        "--layout", str(layout.root), "export", "--for-peers", str(archive), f"{TEAM}:1.0"
    )
    assert done.returncode == 0, done.stderr
    out = tmp_path / "export"
    out.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(out, filter="data")
    return out, image, sig


def test_umoci_lists_unpacks_and_stats_the_export(
    signed_export: tuple[Path, Document, Document], tmp_path: Path
) -> None:
    where, _image, _sig = signed_export
    assert "1.0" in tool("umoci", "ls", "--layout", str(where)).split()
    bundle = tmp_path / "bundle"
    tool("umoci", "unpack", "--image", f"{where}:1.0", str(bundle))
    assert (bundle / "rootfs" / "etc" / "hello").read_bytes() == b"hello from ocitui\n"
    tool("umoci", "stat", "--image", f"{where}:1.0")


def test_crane_pushes_the_export(tmp_path: Path, docker_registry: DockerRegistry) -> None:
    """crane reads a layout only whole: ``crane push DIR IMAGE`` wants one entry, so it
    takes an export of an image without attachments; ocitui, regctl and oras carry the
    attachments (below)."""
    layout = Layout.open(tmp_path / "plain", create=True)
    plain = put_image(layout, {"etc/plain": b"no attachments"}, ref=f"{TEAM}:plain")
    archive = tmp_path / "plain.tar"
    done = ocitui(
        "--layout", str(layout.root), "export", "--for-peers", str(archive), f"{TEAM}:plain"
    )
    assert done.returncode == 0, done.stderr
    unpacked = tmp_path / "plain-export"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    host = docker_registry.host
    tool("crane", "push", "--insecure", str(unpacked), f"{host}/crane/plain:1.0")
    assert tool("crane", "digest", "--insecure", f"{host}/crane/plain:1.0").strip() == str(
        plain.digest
    )


def test_regctl_and_oras_push_the_export_with_its_signature(
    signed_export: tuple[Path, Document, Document], docker_registry: DockerRegistry, tmp_path: Path
) -> None:
    where, image, sig = signed_export
    host = docker_registry.host
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    for args in (
        ["regctl", "registry", "set", host, "--tls", "disabled"],
        ["regctl", "image", "copy", "--referrers", f"ocidir://{where}:1.0", f"{host}/by-regctl/app:1.0"],
        ["oras", "cp", "-r", "--from-oci-layout", f"{where}:1.0", "--to-plain-http", f"{host}/by-oras/app:1.0"],
    ):  # fmt: skip
        done = subprocess.run(
            [need(args[0]), *args[1:]], capture_output=True, text=True, env=env, timeout=120, check=False
        )  # fmt: skip
        assert done.returncode == 0, (args, done.stderr)
    tool(
        "skopeo", "copy", "--dest-tls-verify=false", f"oci:{where}:1.0", f"docker://{host}/by-skopeo/app:1.0"
    )  # fmt: skip
    shown = ocitui("inspect", f"{host}/by-skopeo/app:1.0", "--remote", "--json")
    assert json.loads(shown.stdout)["digest"] == str(image.digest)  # The image only.
    for repo in ("by-regctl", "by-oras"):
        listed = ocitui("referrers", f"{host}/{repo}/app:1.0", "--remote", "--json")
        assert listed.returncode == 0, listed.stderr
        assert [r["digest"] for r in json.loads(listed.stdout)] == [str(sig.digest)], repo
        shown = ocitui("inspect", f"{host}/{repo}/app:1.0", "--remote", "--json")
        assert json.loads(shown.stdout)["digest"] == str(image.digest)

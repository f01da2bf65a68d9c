"""Issue 15: layouts written by the real peers (regctl, crane, oras, cosign save) are read
by ocitui: ``ls``, ``inspect``, ``referrers``, ``fsck``, ``verify`` see every image,
signature and attestation, and a push from them drops nothing.

The demo image (three referrers, one of them with its own signature, and a legacy
``.sig`` tag) is pushed to docker-registry first; each peer copies it from there into a
layout of its own making. Skipped locally when a peer is not built, required in CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocitui.core.layout import Layout
from tests.realworld.cli import ocitui
from tests.support.binaries import need
from tests.support.layouts import DEMO_LAYOUT
from tests.support.registries import DockerRegistry

APP = "registry.example.com/demo/app"


class Peers:
    """Runs peer tools with a HOME of their own (regctl keeps its registry settings there)."""

    def __init__(self, home: Path, host: str, demo: Layout) -> None:
        self.home = home
        self.host = host
        #: A copy of the demo layout (reading may write its metadata cache).
        self.demo = demo
        home.mkdir(parents=True, exist_ok=True)

    def run(self, name: str, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            [need(name), *args],
            check=False,
            capture_output=True,
            text=True,
            timeout=180,
            env={**os.environ, "HOME": str(self.home), **(env or {})},
            cwd=self.home,
        )
        assert done.returncode == 0, (name, args, done.stdout, done.stderr)
        return done.stdout


@pytest.fixture(scope="module")
def seeded(
    docker_registry: DockerRegistry, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Peers]:
    """The demo's app:1.0 and app:1.1 at ``HOST/peer/app`` (referrers by fallback tag)."""
    host = docker_registry.host
    demo = tmp_path_factory.mktemp("demo") / "demo"
    shutil.copytree(DEMO_LAYOUT, demo)
    for tag in ("1.0", "1.1"):
        done = ocitui("--layout", str(demo), "push", f"{APP}:{tag}", f"{host}/peer/app:{tag}")
        assert done.returncode == 0, done.stdout + done.stderr
    yield Peers(tmp_path_factory.mktemp("peers-home"), host, Layout.open(demo))


def demo_referrers(demo: Layout, tag: str) -> set[str]:
    """Every referrer digest of the demo's ``app:TAG``, nested ones included."""
    out: set[str] = set()
    todo = [demo.resolve(f"{APP}:{tag}").digest]
    while todo:
        for desc in demo.referrers(todo.pop()):
            out.add(str(desc.digest))
            todo.append(desc.digest)
    return out


def tree_digests(rows: list[dict[str, object]]) -> set[str]:
    out: set[str] = set()
    for row in rows:
        out.add(str(row["digest"]))
        out |= tree_digests(row.get("referrers", []))  # type: ignore[arg-type]
    return out


def local_json(layout: Path, *args: str) -> object:
    done = ocitui("--layout", str(layout), *args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def push_and_check(layout: Path, name: str, dest: str, referrers: set[str]) -> None:
    """Push ``name``; the destination lists exactly ``referrers``; fsck was clean before."""
    fsck = ocitui("--layout", str(layout), "fsck")
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    pushed = ocitui("--layout", str(layout), "push", name, dest)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert "left behind: 0" in pushed.stdout, pushed.stdout
    remote = ocitui("referrers", dest, "--remote", "--tree", "--json")
    assert remote.returncode == 0, remote.stderr
    assert tree_digests(json.loads(remote.stdout)) == referrers


def test_regctl_layout_with_referrers_and_digest_tags(seeded: Peers, tmp_path: Path) -> None:
    host = seeded.host
    seeded.run("regctl", "registry", "set", host, "--tls", "disabled")
    where = tmp_path / "regctl"
    seeded.run(
        "regctl", "image", "copy", "--referrers", "--digest-tags",
        f"{host}/peer/app:1.0", f"ocidir://{where}:1.0",
    )  # fmt: skip
    rows = local_json(where, "ls")
    assert [(r["ref"], r["referrers"], r.get("legacy")) for r in rows] == [("1.0", 3, ["sig"])]  # type: ignore[index]
    tree = local_json(where, "referrers", "1.0", "--tree")
    assert tree_digests(tree) == demo_referrers(seeded.demo, "1.0")  # type: ignore[arg-type]
    shown = ocitui("--layout", str(where), "inspect", f"(local)/{where.name}:1.0")
    assert shown.returncode == 0 and "Legacy .sig:" in shown.stdout, shown.stdout
    push_and_check(where, "1.0", f"{host}/from-regctl/app:1.0", demo_referrers(seeded.demo, "1.0"))
    listed = ocitui("referrers", f"{host}/from-regctl/app:1.0", "--remote")
    assert "legacy .sig tag" in listed.stdout, listed.stdout


def test_crane_layout_lists_its_unnamed_image(seeded: Peers, tmp_path: Path) -> None:
    """crane pull --format=oci records the image without a name (and no referrers)."""
    host = seeded.host
    where = tmp_path / "crane"
    seeded.run("crane", "pull", "--insecure", "--format=oci", f"{host}/peer/app:1.0", str(where))
    digest = seeded.demo.resolve(f"{APP}:1.0").digest
    listed = ocitui("--layout", str(where), "ls")
    assert listed.returncode == 0, listed.stderr
    assert "empty layout" not in listed.stdout and digest.short in listed.stdout, listed.stdout
    rows = local_json(where, "ls")
    assert [(r["ref"], r["digest"]) for r in rows] == [(None, str(digest))]  # type: ignore[index]
    shown = local_json(where, "inspect", str(digest))
    assert len(shown["manifests"]) == 2  # type: ignore[index]
    push_and_check(where, str(digest), f"{host}/from-crane/app:1.0", set())
    named = tmp_path / "crane-named"
    seeded.run(
        "crane", "pull", "--insecure", "--format=oci", "--annotate-ref",
        f"{host}/peer/app:1.0", str(named),
    )  # fmt: skip
    assert [r["ref"] for r in local_json(named, "ls")] == [f"{host}/peer/app:1.0"]  # type: ignore[index]


def test_oras_layout_with_referrers(seeded: Peers, tmp_path: Path) -> None:
    """oras copy -r: a short tag, untagged referrers, and untagged platform manifests."""
    host = seeded.host
    where = tmp_path / "oras"
    seeded.run(
        "oras", "copy", "-r", "--from-plain-http", f"{host}/peer/app:1.0",
        "--to-oci-layout", f"{where}:1.0",
    )  # fmt: skip
    rows = local_json(where, "ls")
    # The index's platform manifests are entries too; they are not listed as images.
    assert [(r["ref"], r["referrers"]) for r in rows] == [("1.0", 3)]  # type: ignore[index]
    tree = local_json(where, "referrers", "1.0", "--tree")
    assert tree_digests(tree) == demo_referrers(seeded.demo, "1.0")  # type: ignore[arg-type]
    push_and_check(where, "1.0", f"{host}/from-oras/app:1.0", demo_referrers(seeded.demo, "1.0"))


def test_cosign_save_layout(seeded: Peers, tmp_path: Path) -> None:
    """cosign v3 signs and attests with a key pair (legacy .sig/.att tags), then saves;
    ocitui lists, verifies and pushes both, and cosign verifies the pushed copy."""
    host = seeded.host
    env = {"COSIGN_PASSWORD": "ocitui-test", "COSIGN_YES": "true"}
    seeded.run("cosign", "generate-key-pair", env=env)
    key, pub = seeded.home / "cosign.key", seeded.home / "cosign.pub"
    digest = seeded.demo.resolve(f"{APP}:1.1").digest
    image = f"{host}/peer/app@{digest}"
    common = [
        "--key", str(key), "--use-signing-config=false", "--tlog-upload=false",
        "--new-bundle-format=false", "--allow-http-registry", "--allow-insecure-registry",
    ]  # fmt: skip
    seeded.run("cosign", "sign", *common, image, env=env)
    predicate = tmp_path / "predicate.json"
    predicate.write_text('{"buildType": "https://example.com/build"}')
    seeded.run(
        "cosign", "attest", *common, "--type", "slsaprovenance", "--predicate", str(predicate),
        image, env=env,
    )  # fmt: skip
    where = tmp_path / "saved"
    seeded.run(
        "cosign", "save", "--allow-http-registry", "--allow-insecure-registry",
        "--dir", str(where), image,
    )  # fmt: skip

    rows = local_json(where, "ls")
    assert [(r["digest"], r["cosignSaveKind"], r["legacy"]) for r in rows] == [  # type: ignore[index]
        (str(digest), "imageIndex", ["att", "sig"])
    ]
    listed = ocitui("--layout", str(where), "referrers", str(digest))
    assert "legacy .sig tag" in listed.stdout and "legacy .att tag" in listed.stdout
    verified = ocitui("--layout", str(where), "verify", str(digest), "--key", str(pub))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert " fail " not in verified.stdout, verified.stdout  # The .att is an attestation.
    assert "pass  attestation" in verified.stdout, verified.stdout

    dest = f"{host}/from-cosign/app:1.1"
    push_and_check(where, str(digest), dest, set())
    check = ["--key", str(pub), "--insecure-ignore-tlog", "--allow-http-registry"]
    seeded.run("cosign", "verify", *check, dest)
    seeded.run("cosign", "verify-attestation", *check, "--type", "slsaprovenance", dest)

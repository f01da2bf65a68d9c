"""A referrer graph made by the peers in a registry, pulled whole by ocitui and carried
across an air gap: oras pushes an artifact and attaches an SBOM with its own signature
(a referrer of a referrer), regctl attaches a report, cosign v3 signs the artifact with a
key. ``ocitui pull`` brings all four; ``referrers --tree``, ``verify``, ``export`` ->
``import`` and ``diff`` against the registry agree. Skipped locally without the peers,
required in CI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.realworld.cli import ocitui
from tests.realworld.test_peer_layouts import Peers, tree_digests
from tests.support.registries import DockerRegistry


@pytest.fixture
def peers(docker_registry: DockerRegistry, tmp_path: Path) -> Peers:
    home = tmp_path / "home"
    (home / "files").mkdir(parents=True)
    for name, text in (("main.txt", "main"), ("sbom.json", "{}"), ("note.txt", "signed")):
        (home / "files" / name).write_text(text)
    return Peers(home, docker_registry.host, None)  # type: ignore[arg-type]  # No demo here.


def test_a_graph_the_peers_made_travels_whole(peers: Peers, tmp_path: Path) -> None:
    repo = f"{peers.host}/peer-graph/art"
    plain = "--plain-http"
    peers.run("oras", "push", plain, f"{repo}:1", "--artifact-type", "application/vnd.example.main", "files/main.txt")  # fmt: skip
    subject = peers.run("oras", "resolve", plain, f"{repo}:1").strip()
    sbom = _digest(peers.run("oras", "attach", plain, f"{repo}:1", "--artifact-type", "application/spdx+json", "files/sbom.json"))  # fmt: skip
    sbom_sig = _digest(peers.run("oras", "attach", plain, f"{repo}@{sbom}", "--artifact-type", "application/vnd.example.sig", "files/note.txt"))  # fmt: skip
    peers.run("regctl", "registry", "set", peers.host, "--tls", "disabled")
    peers.run("regctl", "artifact", "put", "--subject", f"{repo}:1", "--artifact-type", "application/vnd.example.report", "-f", "files/note.txt")  # fmt: skip
    env = {"COSIGN_PASSWORD": "ocitui-test", "COSIGN_YES": "true"}
    peers.run("cosign", "generate-key-pair", env=env)
    peers.run(
        "cosign", "sign", "--key", "cosign.key", "--use-signing-config=false",
        "--tlog-upload=false", "--allow-http-registry", "--allow-insecure-registry",
        f"{repo}@{subject}", env=env,
    )  # fmt: skip

    layout = tmp_path / "staged"
    pulled = ocitui("--layout", str(layout), "pull", f"{repo}:1")
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert "verified:    4 referrers" in pulled.stdout, pulled.stdout
    remote = json.loads(ocitui("referrers", f"{repo}:1", "--remote", "--tree", "--json").stdout)
    tree = json.loads(
        ocitui("--layout", str(layout), "referrers", f"{repo}:1", "--tree", "--json").stdout
    )
    assert tree_digests(tree) == tree_digests(remote)
    assert len(tree_digests(tree)) == 4 and {sbom, sbom_sig} <= tree_digests(tree)
    pub = str(peers.home / "cosign.pub")
    verified = ocitui("--layout", str(layout), "verify", f"{repo}:1", "--key", pub)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    archive = tmp_path / "graph.tar.zst"
    assert ocitui("--layout", str(layout), "export", str(archive), f"{repo}:1").returncode == 0
    far = tmp_path / "far"
    imported = ocitui("--layout", str(far), "import", str(archive))
    assert imported.returncode == 0, imported.stderr
    again = ocitui("--layout", str(far), "referrers", f"{repo}:1", "--tree", "--json")
    assert tree_digests(json.loads(again.stdout)) == tree_digests(tree)
    assert ocitui("--layout", str(far), "verify", f"{repo}:1", "--key", pub).returncode == 0
    same = ocitui("--layout", str(far), "diff", f"{repo}:1", f"docker://{repo}:1")
    assert same.returncode == 0 and "identical" in same.stdout, same.stdout + same.stderr


def _digest(output: str) -> str:
    """The ``Digest: sha256:...`` line oras prints."""
    return next(line.split()[1] for line in output.splitlines() if line.startswith("Digest:"))

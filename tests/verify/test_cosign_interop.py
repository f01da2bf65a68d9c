"""Real cosign (v3) signs an image in a docker-registry; ocitui pulls it and verifies it
offline, and agrees with ``cosign verify`` on the right key and on a wrong key."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from ocitui.cli.main import main
from ocitui.core.layout import Layout
from tests.support.binaries import need
from tests.support.layouts import DEMO_LAYOUT
from tests.support.registries import DockerRegistry

pytestmark = pytest.mark.e2e

REGISTRY_FLAGS = ["--allow-http-registry", "--allow-insecure-registry"]


def _cosign(cosign: str, cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COSIGN_PASSWORD": "ocitui-test", "HOME": str(cwd)}
    return subprocess.run(
        [cosign, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=180, check=False
    )


def _keys(cosign: str, where: Path) -> Path:
    where.mkdir()
    result = _cosign(cosign, where, "generate-key-pair")
    assert result.returncode == 0, result.stderr
    return where / "cosign.pub"


@pytest.mark.parametrize("bundle_format", [True, False], ids=["v3-bundle", "legacy-sig"])
def test_cosign_and_ocitui_agree(
    tmp_path: Path,
    docker_registry: DockerRegistry,
    capsys: pytest.CaptureFixture[str],
    bundle_format: bool,
) -> None:
    cosign = need("cosign")
    host = docker_registry.host
    repo = f"{host}/cosign-{'bundle' if bundle_format else 'legacy'}/app"
    assert main(["push", "--layout", str(DEMO_LAYOUT), "app:1.1", f"{repo}:1.1"]) == 0
    digest = Layout.open(DEMO_LAYOUT).resolve("app:1.1").digest
    image = f"{repo}@{digest}"
    good = _keys(cosign, tmp_path / "good")
    wrong = _keys(cosign, tmp_path / "wrong")
    signed = _cosign(
        cosign,
        tmp_path / "good",
        "sign",
        "--key",
        "cosign.key",
        "--tlog-upload=false",
        "--use-signing-config=false",
        f"--new-bundle-format={str(bundle_format).lower()}",
        "--yes",
        *REGISTRY_FLAGS,
        image,
    )
    assert signed.returncode == 0, signed.stderr
    layout_dir = tmp_path / "staging"
    assert main(["pull", "--layout", str(layout_dir), f"{repo}:1.1"]) == 0
    capsys.readouterr()
    for key, expected in ((good, 0), (wrong, 1)):
        theirs = _cosign(
            cosign,
            tmp_path,
            "verify",
            "--key",
            str(key),
            "--insecure-ignore-tlog",
            *REGISTRY_FLAGS,
            image,
        )
        ours = main(
            ["verify", "--layout", str(layout_dir), "--key", str(key), f"{repo}:1.1", "--json"]
        )
        report = json.loads(capsys.readouterr().out)
        assert (theirs.returncode == 0) == (expected == 0), theirs.stderr
        assert ours == expected, report
        forms = [s["form"] for s in report["images"][0]["signatures"]]
        wanted = "sigstore bundle (DSSE" if bundle_format else "cosign simple signing"
        assert any(f.startswith(wanted) for f in forms), forms

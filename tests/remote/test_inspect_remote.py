"""``inspect --remote`` gives the document ``inspect`` gives for the layout, from a registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ocitui.cli.main import main
from tests.support.registries import DockerRegistry


def _strip(info: Any) -> Any:
    """Drop what legitimately differs between the layout and the registry views."""
    if isinstance(info, dict):
        return {
            k: _strip(v)
            for k, v in info.items()
            if k not in ("present", "ref", "name", "dev.ocitui.referrer.subject")
        }
    if isinstance(info, list):
        return [_strip(v) for v in info]
    return info


def test_inspect_remote_matches_local(
    demo_copy: Path, docker_registry: DockerRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = f"{docker_registry.host}/inspect/app:1.0"
    assert main(["push", "app:1.0", dest, "--layout", str(demo_copy), "--json"]) == 0
    capsys.readouterr()
    assert main(["inspect", "app:1.0", "--layout", str(demo_copy), "--json"]) == 0
    local = json.loads(capsys.readouterr().out)
    assert main(["inspect", dest, "--remote", "--json"]) == 0
    remote = json.loads(capsys.readouterr().out)
    assert remote["ref"] == dest
    assert _strip(remote) == _strip(local)
    child = local["manifests"][1]["digest"]
    assert (
        main(["inspect", f"{docker_registry.host}/inspect/app@{child}", "--remote", "--json"]) == 0
    )
    platform = json.loads(capsys.readouterr().out)
    assert platform["config"]["summary"]["platform"] == "linux/arm64/v8"
    assert main(["inspect", f"{docker_registry.host}/inspect/app:nope", "--remote"]) == 1
    assert "nope" in capsys.readouterr().err


def test_diff_against_a_registry_mirror(
    demo_copy: Path, docker_registry: DockerRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    """'Is the mirror identical, and did the signature come along?'"""
    mirror = f"{docker_registry.host}/mirror/app"
    layout = ["--layout", str(demo_copy)]
    assert main(["push", "app:1.0", f"{mirror}:1.0", *layout, "--json"]) == 0
    assert main(["push", "app:1.1", f"{mirror}:1.1", *layout, "--no-referrers", "--json"]) == 0
    capsys.readouterr()
    assert main(["diff", "app:1.0", f"docker://{mirror}:1.0", *layout, "--json"]) == 0
    same = json.loads(capsys.readouterr().out)
    assert same["identical"] is True
    assert main(["diff", "app:1.1", f"docker://{mirror}:1.1", *layout, "--json"]) == 1
    lost = json.loads(capsys.readouterr().out)
    assert lost["summary"]["referrers"] == 1  # the SBOM did not come along
    assert main(["diff", f"docker://{mirror}:1.0", f"docker://{mirror}:nope", *layout]) == 2
    assert capsys.readouterr().err.startswith("ocitui: error:")

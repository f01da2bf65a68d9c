"""``inspect --remote`` and ``inspect`` of the same image give identical JSON: a registry
and a layout holding the same content are read through the same document builder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ocitui.cli.main import main


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    assert main(argv) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("referrers_api", [True, False])
def test_inspect_remote_is_identical_to_inspect(
    demo_copy: Path,
    tmp_path: Path,
    fake_registry: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
    referrers_api: bool,
) -> None:
    registry = fake_registry(referrers_api=referrers_api)
    name = f"{registry.host}/same/app"
    assert main(["push", "app:1.0", f"{name}:1.0", "--layout", str(demo_copy), "--json"]) == 0
    pulled = ["--layout", str(tmp_path / "pulled")]
    assert main(["pull", f"{name}:1.0", *pulled, "--json"]) == 0
    capsys.readouterr()
    local = _json(capsys, ["inspect", f"{name}:1.0", *pulled, "--json"])
    remote = _json(capsys, ["inspect", f"{name}:1.0", "--remote", "--json"])
    assert local["referrers"] and local["legacy"] and local["manifests"]
    assert remote == local
    child = local["manifests"][0]["digest"]
    one = _json(capsys, ["inspect", f"{name}@{child}", *pulled, "--json"])
    assert _json(capsys, ["inspect", f"{name}@{child}", "--remote", "--json"]) == one

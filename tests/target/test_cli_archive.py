"""``inspect``, ``referrers`` and ``diff`` read an export archive in place, and ``diff``
takes a registry side first; nothing is imported into the layout."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ocitui.cli.main import main

APP = "registry.example.com/demo/app:1.0"


def _json(capsys: pytest.CaptureFixture[str], argv: list[str], code: int = 0) -> Any:
    assert main(argv) == code, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", ["app.tar", "app.tar.zst"])
def test_inspect_and_diff_an_archive_without_importing(
    demo_copy: Path, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = ["--layout", str(demo_copy)]
    archive = tmp_path / name
    assert main(["export", str(archive), APP, *layout]) == 0
    capsys.readouterr()
    before = (demo_copy / "index.json").read_bytes()
    local = _json(capsys, ["inspect", APP, *layout, "--json"])
    inside = _json(capsys, ["inspect", f"{archive}:{APP}", *layout, "--json"])
    assert inside == local
    sole = _json(capsys, ["inspect", f"oci-archive:{archive}", "--json"])
    assert sole["digest"] == local["digest"]
    tree = _json(capsys, ["referrers", f"{archive}:app:1.0", "--tree", "--json"])
    assert tree == _json(capsys, ["referrers", "app:1.0", "--tree", *layout, "--json"])
    same = _json(capsys, ["diff", f"{archive}:{APP}", "app:1.0", *layout, "--json", "--files"])
    assert same["identical"] is True
    other = _json(capsys, ["diff", "app:1.1", f"{archive}:app:1.0", *layout, "--json"], 1)
    assert other["identical"] is False
    assert (demo_copy / "index.json").read_bytes() == before


def test_archive_errors_are_one_line(
    demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "two.tar"
    layout = ["--layout", str(demo_copy)]
    assert main(["export", str(archive), APP, "registry.example.com/demo/app:1.1", *layout]) == 0
    capsys.readouterr()
    assert main(["inspect", f"oci-archive:{archive}"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ocitui: error:") and "name one" in err and err.count("\n") == 1
    assert main(["inspect", f"{archive}:nope:1"]) == 1
    assert "nope" in capsys.readouterr().err
    (tmp_path / "junk.tar").write_bytes(b"not a tar" * 100)
    assert main(["inspect", f"{tmp_path / 'junk.tar'}:x"]) == 1
    assert capsys.readouterr().err.startswith("ocitui: error:")


def test_diff_registry_side_first(
    demo_copy: Path, fake_registry: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    registry = fake_registry()
    dest = f"{registry.host}/mirror/app:1.0"
    layout = ["--layout", str(demo_copy)]
    assert main(["push", "app:1.0", dest, *layout, "--json"]) == 0
    capsys.readouterr()
    same = _json(capsys, ["diff", f"docker://{dest}", "app:1.0", *layout, "--json"])
    assert same["identical"] is True
    assert _json(capsys, ["diff", f"docker://{dest}", "app:1.1", *layout, "--json"], 1)

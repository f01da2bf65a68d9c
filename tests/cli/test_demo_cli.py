"""The issue's 'done when' checks on the bundled demo layout, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocitui.cli.main import main
from ocitui.core import media_types as mt
from tests.support.layouts import DEMO_LAYOUT

APP = "registry.example.com/demo/app:1.0"


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main([*argv, "--layout", str(DEMO_LAYOUT), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_ls_lists_demo_with_types_and_referrer_counts(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "ls")
    assert isinstance(rows, list)
    by_ref = {r["ref"]: r for r in rows}
    assert set(by_ref) == {
        APP,
        "registry.example.com/demo/app:1.1",
        "registry.example.com/demo/bundle:1.0",
    }
    assert by_ref[APP]["referrers"] == 3 and by_ref[APP]["legacy"] == ["sig"]
    assert by_ref[APP]["platforms"] == ["linux/amd64", "linux/arm64/v8"]
    assert by_ref["registry.example.com/demo/bundle:1.0"]["bundle"] is True
    every = _json(capsys, "ls", "--all")
    assert isinstance(every, list)
    types = {r["artifactType"] for r in every}
    assert {mt.SPDX_JSON, mt.SIGSTORE_BUNDLE, mt.IN_TOTO} <= types


def test_tree_puts_the_sboms_signature_under_the_sbom(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = _json(capsys, "referrers", "app:1.0", "--tree")
    assert isinstance(rows, list)
    sbom = next(r for r in rows if r["artifactType"] == mt.SPDX_JSON)
    assert [c["artifactType"] for c in sbom["referrers"]] == [mt.SIGSTORE_BUNDLE]
    only = _json(capsys, "referrers", "app:1.0", "--artifact-type", mt.IN_TOTO)
    assert isinstance(only, list) and [r["artifactType"] for r in only] == [mt.IN_TOTO]


def test_inspect_shows_bundle_images(capsys: pytest.CaptureFixture[str]) -> None:
    info = _json(capsys, "inspect", "bundle:1.0")
    assert isinstance(info, dict)
    images = info["bundle"]["images"]
    assert len(images) == 2 and all(i["present"] for i in images)
    assert info["bundle"]["markings"] == ["label"]


def test_reading_the_demo_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    before = sorted(p.name for p in Path(DEMO_LAYOUT).iterdir())
    _json(capsys, "ls", "--all")
    _json(capsys, "inspect", "app:1.0")
    assert sorted(p.name for p in Path(DEMO_LAYOUT).iterdir()) == before

"""The export/import commands, and skopeo reading what export writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ocitui.cli.main import main
from ocitui.core.layout import Layout
from tests.archive.conftest import Built

APP = "registry.example.com/demo/app:1"


def test_cli_export_import_json(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.tar.zst"
    src, dst = str(built.layout.root), str(tmp_path / "dst")
    assert main(["--layout", src, "export", "--json", "--split", "64K", str(out), "app:1"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["compression"] == "zstd" and len(exported["parts"]) >= 2
    assert APP in exported["refs"]
    parts_json = exported["partsManifest"]
    assert main(["--layout", dst, "import", "--json", parts_json]) == 0
    imported = json.loads(capsys.readouterr().out)
    assert APP in imported["refsAdded"]
    assert imported["blobsWritten"] == exported["blobs"]
    assert Layout.open(dst).resolve(APP).digest == built.app.digest


def test_cli_text_output_and_errors(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.tar"
    assert main(["--layout", str(built.layout.root), "export", str(out)]) == 0
    assert "exported" in capsys.readouterr().out
    assert main(["--layout", str(tmp_path / "dst"), "import", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"+ {APP}" in text
    out.write_bytes(out.read_bytes()[:5000])
    assert main(["--layout", str(tmp_path / "dst2"), "import", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("ocitui: error:") and "\n" not in err
    assert main(["export", "--split", "4X", str(out)]) == 1


@pytest.mark.parametrize("command", ["export", "import"])
def test_cli_help_has_examples(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert "examples:" in capsys.readouterr().out


def _skopeo() -> str:
    found = shutil.which("skopeo")
    if found is None:
        if os.environ.get("OCITUI_REQUIRE_E2E") == "1":
            pytest.fail("skopeo is required (OCITUI_REQUIRE_E2E=1) but not installed")
        pytest.skip("skopeo not installed")
    return found


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["app.tar", "app.tar.zst"])
def test_skopeo_reads_exported_archive(built: Built, tmp_path: Path, name: str) -> None:
    skopeo = _skopeo()
    from ocitui.core.archive import export_archive

    out = tmp_path / name
    export_archive(built.layout, out, ["app:1", "other:1"])
    # containers/image splits "oci-archive:PATH:NAME" at the first ':' only, so the name
    # may contain '/' and ':' (and the path may not contain ':').
    result = subprocess.run(
        [skopeo, "inspect", "--raw", f"oci-archive:{out}:{APP}"],
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == built.layout.read_blob(built.app.digest)
    result = subprocess.run(
        [skopeo, "inspect", f"oci-archive:{out}:registry.example.com/demo/other:1"],
        capture_output=True,
        check=False,
        timeout=60,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Digest"] == str(built.other.digest)

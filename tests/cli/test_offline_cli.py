"""The offline CLI end to end, through ``main()`` (exit codes, JSON shapes, one-line errors)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ocitui.cli.main import main
from ocitui.core import media_types as mt
from ocitui.core.layout import Layout
from tests.support.builders import put_image, put_index


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def small(layout_dir: Path) -> Path:
    layout = Layout.open(layout_dir, create=True)
    amd = put_image(layout, {"a": b"1"})
    arm = put_image(layout, {"a": b"2"}, arch="arm64")
    put_index(layout, [(amd, "linux/amd64"), (arm, "linux/arm64")], ref="r.io/team/app:1")
    return layout_dir


def test_ls_json_shape(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ls", "--layout", str(small), "--json")
    assert code == 0
    rows = json.loads(out)
    assert rows[0]["ref"] == "r.io/team/app:1"
    assert set(rows[0]) >= {
        "ref",
        "digest",
        "mediaType",
        "artifactType",
        "platforms",
        "size",
        "referrers",
    }
    assert rows[0]["platforms"] == ["linux/amd64", "linux/arm64"]
    assert rows[0]["referrers"] == 0 and rows[0]["size"] > 0


def test_attach_then_referrers_tree(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sbom = tmp_path / "sbom.json"
    sbom.write_text("{}")
    code, out, _ = run(
        capsys,
        "attach",
        "--layout",
        str(small),
        "app:1",
        "-t",
        mt.SPDX_JSON,
        f"{sbom}:{mt.SPDX_JSON}",
    )
    assert code == 0
    sbom_digest = out.strip()
    sig = tmp_path / "sig.json"
    sig.write_text("{}")
    code, out, _ = run(
        capsys,
        "attach",
        "--layout",
        str(small),
        sbom_digest,
        "-t",
        mt.SIGSTORE_BUNDLE,
        str(sig),
        "--json",
    )
    assert code == 0 and json.loads(out)["artifactType"] == mt.SIGSTORE_BUNDLE
    code, out, _ = run(capsys, "referrers", "--layout", str(small), "app:1", "--tree", "--json")
    rows = json.loads(out)
    assert rows[0]["digest"] == sbom_digest
    assert rows[0]["referrers"][0]["artifactType"] == mt.SIGSTORE_BUNDLE
    assert set(rows[0]) == {
        "digest",
        "mediaType",
        "artifactType",
        "size",
        "annotations",
        "referrers",
    }
    code, out, _ = run(capsys, "referrers", "--layout", str(small), "app:1", "--tree")
    assert "SPDX SBOM" in out and "    └── sigstore bundle" in out
    code, out, _ = run(capsys, "ls", "--layout", str(small), "--json")
    assert json.loads(out)[0]["referrers"] == 1
    code, out, _ = run(capsys, "ls", "--layout", str(small), "--all", "--json")
    assert len(json.loads(out)) == 3


def test_inspect_tag_rm_fsck_gc(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "inspect", "--layout", str(small), "app:1", "--json")
    info = json.loads(out)
    assert [m["platform"] for m in info["manifests"]] == ["linux/amd64", "linux/arm64"]
    code, out, _ = run(
        capsys, "inspect", "--layout", str(small), "app:1", "--platform", "linux/arm64", "--json"
    )
    assert json.loads(out)["config"]["summary"]["platform"] == "linux/arm64"
    assert run(capsys, "tag", "--layout", str(small), "app:1", "r.io/team/app:stable")[0] == 0
    assert run(capsys, "rm", "--layout", str(small), "r.io/team/app:1")[0] == 0
    code, out, _ = run(capsys, "ls", "--layout", str(small), "--json")
    assert [r["ref"] for r in json.loads(out)] == ["r.io/team/app:stable"]
    code, out, _ = run(capsys, "fsck", "--layout", str(small), "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    code, out, _ = run(capsys, "gc", "--layout", str(small), "--grace", "0", "--json")
    assert code == 0 and json.loads(out)["removed"] == []


def test_errors_are_one_line_with_exit_codes(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "inspect", "--layout", str(small), "nope:1")
    assert code == 1 and err.count("\n") == 1 and err.startswith("ocitui: error:")
    code, _, err = run(capsys, "ls", "--layout", str(tmp_path / "missing"))
    assert code == 1 and "no such layout" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["ls", "--bogus"])
    assert exit_info.value.code == 2
    (small / "index.json").write_text("{broken")
    code, _, err = run(capsys, "ls", "--layout", str(small))
    assert code == 1 and "malformed JSON" in err and "Traceback" not in err


def test_core_and_cli_do_not_import_textual_or_rich() -> None:
    probe = (
        "import sys, ocitui.core.layout, ocitui.core.layout.fsck, ocitui.core.layout.gc, "
        "ocitui.core.layout.attach, ocitui.core.layout.summary, ocitui.cli.main\n"
        "ocitui.cli.main.build_parser()\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')]\n"
        "print(','.join(bad))\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"imported: {done.stdout} {done.stderr}"


def test_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ocitui", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.startswith("ocitui ")

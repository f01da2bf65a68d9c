"""``ocitui verify`` through the CLI: the demo's real pass and fail, JSON, exit codes,
bundles, and the guarantee that verification imports no network code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ocitui.cli.main import main
from ocitui.core.layout import Layout
from tests.support.layouts import DEMO_LAYOUT, REPO_ROOT

DEMO_KEY = REPO_ROOT / "tools" / "demo" / "DEMO-ONLY-signing-key.pub"
APP = "registry.example.com/demo/app:1.0"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["verify", "--layout", str(DEMO_LAYOUT), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_key_passes_app_10_and_shows_the_failing_signature(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(capsys, "app:1.0", "--key", str(DEMO_KEY))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"PASS  {APP}  458a97824c1b: signed by SHA256:")
    assert any(line.startswith("  pass  signature  cosign simple signing") for line in lines)
    assert any(line.startswith("  fail  signature  sigstore bundle (DSSE") for line in lines)


def test_json_and_exit_1_when_one_ref_fails(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "app:1.0", "app:1.1", "--key", str(DEMO_KEY), "--json")
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    first, second = data["images"]
    assert first["satisfied"] and first["badge"] == "signed"
    forms = {s["form"]: s["verdict"] for s in first["signatures"]}
    assert forms["cosign simple signing"] == "pass"
    assert second["badge"] == "unsigned" and second["reason"] == "unsigned: no signature found"


def test_bundle_verifies_itself_and_every_locked_image(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "bundle:1.0", "--key", str(DEMO_KEY), "--json")
    assert code == 1  # The bundle and app:1.1 are unsigned in the demo.
    images = json.loads(out)["images"]
    assert [i["lockedBy"] for i in images] == [
        None,
        "registry.example.com/demo/bundle:1.0",
        "registry.example.com/demo/bundle:1.0",
    ]
    assert [i["satisfied"] for i in images] == [False, True, False]


def test_all_skips_signature_tags(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--all", "--key", str(DEMO_KEY), "--json")
    refs = [i["ref"] for i in json.loads(out)["images"] if i["lockedBy"] is None]
    assert code == 1
    assert refs == [
        APP,
        "registry.example.com/demo/app:1.1",
        "registry.example.com/demo/bundle:1.0",
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["app:1.0"], "give --key FILE"),
        (["--key", "x.pub"], "name at least one REF"),
        (
            ["app:1.0", "--certificate-identity", "a@b"],
            "OIDC issuer (or issuer regexp) is required",
        ),
        (
            ["app:1.0", "--certificate-identity", "a@b", "--certificate-oidc-issuer", "https://i"],
            "needs --trusted-root",
        ),
        (["app:1.0", "--key", "/nonexistent.pub"], "cannot read key file"),
        (["app:1.0", "--key", str(REPO_ROOT / "pyproject.toml")], "not a PEM public key"),
        (["app:1.0", "--policy", "p.yaml", "--key", "k"], "--policy replaces"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_verify_imports_no_network_code() -> None:
    """Offline by construction: the verify core never loads the registry client or httpx."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from ocitui.core.layout import Layout\n"
        "from ocitui.core.verify import Policy, Requirement, load_key_file, signable_refs, verify_refs\n"
        f"layout = Layout.open({str(DEMO_LAYOUT)!r})\n"
        f"policy = Policy.everything(Requirement((load_key_file(Path({str(DEMO_KEY)!r})),)))\n"
        "report = verify_refs(layout, signable_refs(layout), policy)\n"
        "bad = [m for m in ('httpx', 'ocitui.core.registry', 'ocitui.core.sync') if m in sys.modules]\n"
        "assert not bad, bad\n"
        "print('verified', len(report.images))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "verified 5" in result.stdout


def test_tui_with_a_bad_policy_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_text("rules: [")
    monkeypatch.setenv("OCITUI_POLICY", str(bad))
    assert main(["--layout", str(DEMO_LAYOUT)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ocitui: error: ") and "not valid YAML" in err and err.count("\n") == 1


def test_empty_layout_all_is_nothing_to_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = tmp_path / "empty"
    Layout.open(layout, create=True)
    assert main(["verify", "--layout", str(layout), "--all", "--key", str(DEMO_KEY)]) == 1
    assert "nothing to verify" in capsys.readouterr().err

"""Policy files, and ``--verify POLICY`` on pull, import, push and export: content that
fails never gets a name (``index.json`` is unchanged) and the refusal says why."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ocitui.cli.main import main
from ocitui.core.errors import VerifyError
from ocitui.core.layout import Layout
from ocitui.core.verify.policy import load_policy
from tests.support.layouts import DEMO_LAYOUT, REPO_ROOT
from tests.support.registries import DockerRegistry

DEMO_KEY = REPO_ROOT / "tools" / "demo" / "DEMO-ONLY-signing-key.pub"
APP10 = "registry.example.com/demo/app:1.0"
APP11 = "registry.example.com/demo/app:1.1"


def _policy(tmp_path: Path, text: str) -> Path:
    shutil.copy(DEMO_KEY, tmp_path / "demo.pub")
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return path


STRICT = """
rules:
  - match: registry.example.com/demo/*
    keys: [demo.pub]
"""


def test_policy_rules_first_match_wins_and_no_match_is_refused(tmp_path: Path) -> None:
    policy = load_policy(
        _policy(
            tmp_path,
            """
rules:
  - match: registry.example.com/demo/app
    keys: [demo.pub]
    attestations: [https://slsa.dev/provenance/v1]
  - match: registry.example.com/*
    unsigned: true
""",
        )
    )
    app = policy.requirement(APP10)
    assert app is not None and app.attestations == ("https://slsa.dev/provenance/v1",)
    other = policy.requirement("registry.example.com/x/y:1")
    assert other is not None and other.unsigned
    assert policy.requirement("docker.io/library/alpine:3") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: []", "no rules"),
        ("rules:\n  - match: '*'\n", "needs keys, identities or 'unsigned: true'"),
        ("rules:\n  - match: '*'\n    key: [demo.pub]\n", "unknown key(s) key"),
        ("rules:\n  - match: '*'\n    keys: [missing.pub]\n", "cannot read key file"),
        (
            "rules:\n  - match: '*'\n    identities: [{subject: a, issuer: b}]\n",
            "no trustedRoot",
        ),
        ("rules: [", "not valid YAML"),
    ],
)
def test_bad_policies_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(VerifyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_policy(_policy(tmp_path, text))


def test_verify_with_a_policy_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = _policy(tmp_path, STRICT)
    assert main(["verify", "--layout", str(DEMO_LAYOUT), "--policy", str(policy), "app:1.0"]) == 0
    assert main(["verify", "--layout", str(DEMO_LAYOUT), "--policy", str(policy), "app:1.1"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  registry.example.com/demo/app:1.1" in out


def _export(tmp_path: Path, *refs: str) -> Path:
    archive = tmp_path / "out.tar"
    assert main(["export", "--layout", str(DEMO_LAYOUT), str(archive), *refs]) == 0
    return archive


def test_import_verify_refuses_and_leaves_index_json_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = _policy(tmp_path, STRICT)
    archive = _export(tmp_path, APP10, APP11)
    target = tmp_path / "far-side"
    Layout.open(target, create=True)
    before = (target / "index.json").read_bytes()
    code = main(["import", "--layout", str(target), str(archive), "--verify", str(policy)])
    assert code == 1
    assert (target / "index.json").read_bytes() == before
    err = capsys.readouterr().err
    assert f"refused {APP11}: unsigned: no signature found" in err
    assert "refused by the verification policy" in err


def test_import_verify_merges_what_passes(tmp_path: Path) -> None:
    policy = _policy(tmp_path, STRICT)
    archive = _export(tmp_path, APP10)
    target = tmp_path / "far-side"
    assert main(["import", "--layout", str(target), str(archive), "--verify", str(policy)]) == 0
    assert Layout.open(target).resolve(APP10).ref_name == APP10


def test_export_and_push_verify_refuse_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = _policy(tmp_path, STRICT)
    archive = tmp_path / "x.tar"
    argv = ["export", "--layout", str(DEMO_LAYOUT), str(archive), APP11, "--verify", str(policy)]
    assert main(argv) == 1
    assert not archive.exists()
    argv = ["push", "--layout", str(DEMO_LAYOUT), APP11, "127.0.0.1:9/x:1", "--verify", str(policy)]
    assert main(argv) == 1  # Refused before any connection (port 9 would fail otherwise).
    assert f"refused {APP11}" in capsys.readouterr().err


@pytest.mark.e2e
def test_pull_verify_against_a_real_registry(
    tmp_path: Path, docker_registry: DockerRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    host = docker_registry.host
    policy = _policy(tmp_path, STRICT.replace("registry.example.com/demo/*", f"{host}/*"))
    for ref in (APP10, APP11):
        dest = f"{host}/verify/app:{ref.rsplit(':', 1)[1]}"
        assert main(["push", "--layout", str(DEMO_LAYOUT), ref, dest]) == 0
    target = tmp_path / "staging"
    Layout.open(target, create=True)
    before = (target / "index.json").read_bytes()
    assert (
        main(["pull", "--layout", str(target), f"{host}/verify/app:1.1", "--verify", str(policy)])
        == 1
    )
    assert (target / "index.json").read_bytes() == before
    assert "unsigned: no signature found" in capsys.readouterr().err
    assert (
        main(["pull", "--layout", str(target), f"{host}/verify/app:1.0", "--verify", str(policy)])
        == 0
    )
    layout = Layout.open(target)
    assert layout.resolve(f"{host}/verify/app:1.0")
    assert main(["verify", "--layout", str(target), "--policy", str(policy), "--all"]) == 0

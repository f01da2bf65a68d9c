"""docker config.json, credential helpers, DOCKER_AUTH_CONFIG, explicit registry config."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from ocitui.core.errors import AuthError
from ocitui.core.registry.credentials import Credential, DockerCredentials, config_key
from ocitui.core.registry.credhelper import helper_path


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def write_config(directory: Path, doc: dict[str, object]) -> dict[str, str]:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(json.dumps(doc))
    return {"DOCKER_CONFIG": str(directory), "PATH": os.environ.get("PATH", "")}


def make_helper(bin_dir: Path, suffix: str, script: str) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / f"docker-credential-{suffix}"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_auth_field_and_hub_key(tmp_path: Path) -> None:
    env = write_config(
        tmp_path,
        {
            "auths": {
                "https://index.docker.io/v1/": {"auth": b64("hubuser:hub:pass\x00")},
                "reg.example:5000": {"username": "u", "password": "p"},
                "https://legacy.example/v1/": {"auth": b64("lu:lp")},
                "bad.example": {"auth": b64(":nouser")},
            }
        },
    )
    creds = DockerCredentials(env=env)
    hub = creds.get("docker.io")
    assert hub is not None and hub.username == "hubuser" and hub.password == "hub:pass"
    assert creds.get("reg.example:5000") == Credential("u", "p")
    assert creds.get("legacy.example") == Credential("lu", "lp")
    assert creds.get("bad.example") is None
    assert creds.get("unknown.example") is None
    assert config_key("index.docker.io") == "https://index.docker.io/v1/"


def test_tokens_in_config(tmp_path: Path) -> None:
    env = write_config(
        tmp_path,
        {
            "auths": {
                "a.example": {"identitytoken": "refresh-secret"},
                "b.example": {"registrytoken": "bearer-secret"},
            }
        },
    )
    creds = DockerCredentials(env=env)
    a, b = creds.get("a.example"), creds.get("b.example")
    assert a is not None and a.identity_token == "refresh-secret"
    assert b is not None and b.registry_token == "bearer-secret"


def test_secrets_never_in_repr() -> None:
    cred = Credential("alice", "hunter2", "idtok", "regtok")
    for text in (repr(cred), str(cred), f"{cred}", repr([cred])):
        assert "hunter2" not in text and "idtok" not in text and "regtok" not in text
        assert "alice" in text


def test_cred_helpers_and_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    make_helper(
        bin_dir,
        "test",
        "read server\n"
        'if [ "$server" = "helped.example" ]; then\n'
        '  echo \'{"Username":"hu","Secret":"hs"}\'; exit 0; fi\n'
        'if [ "$server" = "tok.example" ]; then\n'
        '  echo \'{"Username":"<token>","Secret":"refresh"}\'; exit 0; fi\n'
        'echo "credentials not found in native keychain"; exit 1\n',
    )
    make_helper(bin_dir, "broken", 'echo "secret-leak-xyz"; exit 3\n')
    env = write_config(
        tmp_path / "cfg",
        {
            "credsStore": "test",
            "credHelpers": {"other.example": "broken"},
            "auths": {"file.example": {"auth": b64("f:p")}},
        },
    )
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    monkeypatch.setenv("PATH", env["PATH"])  # helpers resolve on the process PATH
    creds = DockerCredentials(env=env)
    assert creds.get("helped.example") == Credential("hu", "hs")
    tok = creds.get("tok.example")
    assert tok is not None and tok.identity_token == "refresh" and not tok.username
    # the store has nothing: fall back to the file
    assert creds.get("file.example") == Credential("f", "p")
    with pytest.raises(AuthError) as info:
        creds.get("other.example")
    assert "secret-leak-xyz" not in str(info.value)
    assert "docker-credential-broken" in str(info.value)


def test_helper_name_is_validated() -> None:
    for bad in ("../evil", "a b", "x;rm", ".."):
        with pytest.raises(AuthError):
            helper_path(bad)
    with pytest.raises(AuthError, match="not found on PATH"):
        helper_path("definitely-not-installed-xyz")


def test_docker_auth_config_env_and_explicit_config(tmp_path: Path) -> None:
    env = write_config(tmp_path / "cfg", {"auths": {"r.example": {"auth": b64("file:p")}}})
    env["DOCKER_AUTH_CONFIG"] = json.dumps(
        {
            "auths": {
                "r.example": {"auth": b64("envuser:envpass")},
                "s.example": {"username": "ignored", "password": "ignored"},
            }
        }
    )
    creds = DockerCredentials(env=env)
    assert creds.get("r.example") == Credential("envuser", "envpass")
    assert creds.get("s.example") is None  # only ``auth`` is honoured there
    explicit = tmp_path / "ocitui.json"
    explicit.write_text(json.dumps({"auths": {"r.example": {"auth": b64("mine:pw")}}}))
    assert DockerCredentials(registry_config=explicit, env=env).get("r.example") == (
        Credential("mine", "pw")
    )
    env["OCITUI_REGISTRY_CONFIG"] = str(explicit)
    assert DockerCredentials(env=env).get("r.example") == Credential("mine", "pw")


def test_malformed_config_is_a_clear_error(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(AuthError, match="not valid JSON"):
        DockerCredentials(env={"DOCKER_CONFIG": str(tmp_path)}).get("x.example")

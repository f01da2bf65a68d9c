"""``ocitui login``/``logout`` against the fake registry, and the remote CLI options."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from ocitui.cli.main import main
from ocitui.cli.remote import add_remote_args, make_client, registry_options
from ocitui.core.registry import Credential
from ocitui.core.registry.credentials import DockerCredentials
from tests.support.fake_registry import FakeRegistry

Factory = Callable[..., FakeRegistry]


def login(monkeypatch: pytest.MonkeyPatch, *argv: str, password: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(["login", *argv, "--password-stdin"])


@pytest.mark.parametrize("auth", ["basic", "bearer"])
def test_login_verifies_then_writes_0600(
    fake_registry: Factory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    auth: str,
) -> None:
    reg = fake_registry(auth=auth)
    config = Path(os.environ["DOCKER_CONFIG"]) / "config.json"
    assert login(monkeypatch, reg.host, "-u", "user", password="WRONG-secret") == 1
    err = capsys.readouterr().err
    assert "WRONG-secret" not in err and reg.host in err and not config.exists()
    assert "login refused (HTTP 401): wrong username or password?" in err, err
    assert "check 'ocitui login'" not in err and len(err.splitlines()) == 1, err
    assert login(monkeypatch, reg.host, "-u", "user", password="pass") == 0
    out, err = capsys.readouterr()
    assert "Login Succeeded" in out and "unencrypted" in err and "pass\n" not in out + err
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert DockerCredentials().get(reg.host) == Credential("user", "pass")
    assert main(["logout", reg.host]) == 0
    assert "Removed" in capsys.readouterr().out
    assert DockerCredentials().get(reg.host) is None
    assert main(["logout", reg.host]) == 0
    assert "Not logged in" in capsys.readouterr().out


def test_login_keeps_other_config_keys_and_uses_registry_config(
    fake_registry: Factory,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    reg = fake_registry(auth="basic")
    target = tmp_path / "ocitui-auth.json"
    target.write_text(
        json.dumps({"auths": {"other.example": {"auth": "eDp5"}}, "psFormat": "keep me"})
    )
    assert (
        login(
            monkeypatch, reg.host, "-u", "user", "--registry-config", str(target), password="pass"
        )
        == 0
    )
    doc = json.loads(target.read_text())
    assert doc["psFormat"] == "keep me" and "other.example" in doc["auths"]
    assert DockerCredentials(registry_config=target).get(reg.host) == Credential("user", "pass")
    assert not (Path(os.environ["DOCKER_CONFIG"]) / "config.json").exists()


def test_login_through_credential_helper(
    fake_registry: Factory,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    reg = fake_registry(auth="basic")
    store = tmp_path / "store.log"
    helper = tmp_path / "bin" / "docker-credential-fake"
    helper.parent.mkdir()
    helper.write_text(f'#!/bin/sh\necho "$1 $(cat)" >> {store}\n')
    helper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{helper.parent}:{os.environ['PATH']}")
    config = Path(os.environ["DOCKER_CONFIG"])
    config.mkdir(parents=True)
    (config / "config.json").write_text(json.dumps({"credsStore": "fake"}))
    assert login(monkeypatch, reg.host, "-u", "user", password="pass") == 0
    line = store.read_text().splitlines()[-1]
    action, payload = line.split(" ", 1)
    assert action == "store" and json.loads(payload)["ServerURL"] == reg.host
    assert "auths" not in json.loads((config / "config.json").read_text())


def test_login_without_terminal_or_username_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))
    assert main(["login", "127.0.0.1:1", "--password-stdin"]) == 1
    assert "--username" in capsys.readouterr().err
    assert main(["login", "not a host!", "-u", "x", "--password-stdin"]) == 1


def test_remote_args_build_options() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrers-mode", default="tag")  # a command's own wins
    add_remote_args(parser)
    args = parser.parse_args(["--plain-http", "--insecure", "--registry-config", "x.json"])
    options = registry_options(args)
    assert options.plain_http and options.insecure and options.referrers_mode == "tag"
    assert registry_options(args, retries=1).retries == 1
    client = make_client(args, referrers_mode="api")
    assert client.options.referrers_mode == "api"
    asyncio.run(client.aclose())

"""Registry options written before the command reach the command (or are refused)."""

from __future__ import annotations

import argparse

import pytest

from ocitui.cli import main as cli_main


def _parsed(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> argparse.Namespace:
    seen: list[argparse.Namespace] = []

    def fake_run(run: object, args: argparse.Namespace) -> int:
        seen.append(args)
        return 0

    monkeypatch.setattr(cli_main, "_run", fake_run)
    assert cli_main.main(argv) == 0
    return seen[0]


def test_options_before_the_command_reach_a_remote_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = _parsed(
        monkeypatch,
        ["--plain-http", "--ca-file", "ca.pem", "--referrers-mode", "tag", "pull", "r.io/a:1"],
    )
    assert args.command == "pull"
    assert args.plain_http is True
    assert args.ca_file == "ca.pem"
    assert args.referrers_mode == "tag"


def test_options_after_the_command_still_win(monkeypatch: pytest.MonkeyPatch) -> None:
    args = _parsed(
        monkeypatch,
        ["--referrers-mode", "tag", "pull", "r.io/a:1", "--referrers-mode", "api"],
    )
    assert args.referrers_mode == "api"


def test_without_global_options_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    args = _parsed(monkeypatch, ["--layout", "pull", "pull", "r.io/a:1"])
    assert args.plain_http is False
    assert args.layout == "pull"


def test_offline_command_refuses_registry_options(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli_main, "_run", lambda run, args: 0)
    with pytest.raises(SystemExit) as exc:
        cli_main.main(["--plain-http", "ls"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--plain-http before the command: 'ls' talks to no registry" in err

"""``ocitui --plain-http --insecure --ca-file F --registry-config F`` (no command) opens
the TUI with registry clients made from those options, as every remote command gets."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from ocitui.cli.main import main
from ocitui.core.registry import RegistryClient


def test_tui_gets_the_registry_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ocitui.tui.app

    seen: dict[str, Any] = {}

    def fake_run_app(layout: Any, **kwargs: Any) -> int:
        seen.update(kwargs, layout=layout)
        return 0

    import ocitui.core.registry
    from ocitui.core.registry import DockerCredentials

    configs: list[Any] = []

    def recording(registry_config: Any = None) -> DockerCredentials:
        configs.append(registry_config)
        return DockerCredentials(registry_config=registry_config, env={})

    monkeypatch.setattr(ocitui.tui.app, "run_app", fake_run_app)
    # cli.remote imports the registry client when it makes one (lazy start).
    monkeypatch.setattr(ocitui.core.registry, "DockerCredentials", recording)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)  # Textual draws there.
    ca = tmp_path / "ca.pem"
    ca.write_text("")
    config = tmp_path / "config.json"
    config.write_text('{"auths": {}}')
    argv = ["--layout", str(tmp_path / "layout"), "--plain-http", "--insecure"]
    argv += ["--ca-file", str(ca), "--registry-config", str(config)]
    assert main(argv) == 0
    client = seen["registry_factory"]()
    assert isinstance(client, RegistryClient)
    assert client.options.plain_http and client.options.insecure
    assert client.options.ca_file == str(ca)
    assert configs == [str(config)]
    assert main(["--layout", str(tmp_path / "layout")]) == 0
    plain = seen["registry_factory"]()
    assert not plain.options.plain_http and not plain.options.insecure

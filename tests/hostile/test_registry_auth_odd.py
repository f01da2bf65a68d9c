"""Odd challenges and redirects: one line naming the right host, no secret in any output."""

from __future__ import annotations

from pathlib import Path

from ocitui.core.layout import Layout
from tests.hostile.support import assert_one_line_error, run_cli, seed_layout_image
from tests.support.fake_registry import REDIRECT_SECRETS, FakeRegistry


def _pull(tmp_path: Path, mode: str, *extra: str) -> tuple[str, str, int]:
    with FakeRegistry(hostile=mode) as registry:
        seed_layout_image(Layout.open(tmp_path / "w", create=True), registry.state, "a/b", "1")
        result = run_cli("--layout", tmp_path / "t", "pull", f"{registry.host}/a/b:1", *extra)
        line = assert_one_line_error(result)
        return line, result.stdout + result.stderr, int(registry.host.rsplit(":", 1)[1])


def test_a_token_realm_with_control_characters_is_one_line(tmp_path: Path) -> None:
    line, _, _ = _pull(tmp_path, "realm-controls")
    assert "token service realm is not a usable URL" in line, line  # Was InvalidURL traceback.


def test_a_failed_redirect_names_its_target_and_leaks_nothing(tmp_path: Path) -> None:
    line, output, port = _pull(tmp_path, "redirect-away")
    # Was "cannot reach <the registry>", which answered fine.
    assert f"(redirected from 127.0.0.1:{port})" in line and "connection refused" in line, line
    assert f"cannot reach 127.0.0.1:{port} " not in line
    for secret in REDIRECT_SECRETS:
        assert secret not in output
    _, json_output, _ = _pull(tmp_path / "json", "redirect-away", "--json")
    for secret in REDIRECT_SECRETS:
        assert secret not in json_output

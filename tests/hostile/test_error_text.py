"""Odd values in layouts and registries: one short, quoted error line, never a Python repr.

Also the values Python's JSON decoder itself trips on: an integer of over 4,300 digits
(``ValueError`` outside ``JSONDecodeError``) and a config blob nested deeper than the C
decoder recurses (``RecursionError`` while ``ls`` builds its metadata).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.text_safety import ERROR_CHARS, shown
from tests.hostile.support import assert_one_line_error, run_cli, seed_layout_image
from tests.support.builders import put_image
from tests.support.fake_registry import FakeRegistry

REF = "example.com/team/app:1.0"


def _layout(tmp_path: Path, manifest: Callable[[dict[str, Any]], bytes] | None = None) -> Path:
    """A one-image layout; ``manifest`` rewrites the image manifest (stored re-addressed)."""
    root = tmp_path / "layout"
    doc = put_image(Layout.open(root, create=True), {"a.txt": b"a\n"}, ref=REF)
    if manifest is not None:
        data = manifest(json.loads(doc.raw))
        digest = Digest.of(data)
        (root / "blobs" / "sha256" / digest.encoded).write_bytes(data)
        index = json.loads((root / "index.json").read_bytes())
        index["manifests"][0].update(digest=str(digest), size=len(data))
        (root / "index.json").write_text(json.dumps(index))
    return root


def _edit_index(root: Path, edit: Callable[[str], str]) -> None:
    path = root / "index.json"
    path.write_text(edit(path.read_text()))


def test_shown_names_containers_and_cuts_strings() -> None:
    assert shown({"a": {"b": []}}) == "an object of 1 key"
    assert shown([1, 2]) == "a list of 2 items"
    assert shown(float("inf")) == "a non-finite number"
    assert shown(10**60) == "a number of over 40 digits"
    assert shown("\x1b[2J") == "'\\x1b[2J'"
    assert shown("y" * 500) == f"'{'y' * 80}...' (500 characters)"


def test_object_media_type_in_index_json_is_not_printed_as_a_dict(tmp_path: Path) -> None:
    root = _layout(tmp_path)
    _edit_index(
        root,
        lambda text: text.replace(
            '"mediaType": "application/vnd.oci.image.manifest.v1+json"',
            '"mediaType": {"a": {"b": []}}',
            1,
        ),
    )
    for command in (["ls"], ["fsck"], ["gc", "--dry-run"]):
        line = assert_one_line_error(run_cli("--layout", root, *command), "invalid mediaType")
        assert "an object of 1 key" in line and "{" not in line, line


def test_non_finite_and_long_values_in_a_manifest_are_named_not_dumped(tmp_path: Path) -> None:
    def infinite(doc: dict[str, Any]) -> bytes:
        return json.dumps(doc).replace('"size": ', '"size": 1e400, "x": ', 1).encode()

    line = assert_one_line_error(
        run_cli("--layout", _layout(tmp_path / "a", infinite), "inspect", REF)
    )
    assert "got a non-finite number" in line, line

    def long_type(doc: dict[str, Any]) -> bytes:
        doc["layers"][0]["mediaType"] = "x\x1b[2J\u202e" + "y" * 5000
        return json.dumps(doc).encode()

    line = assert_one_line_error(
        run_cli("--layout", _layout(tmp_path / "b", long_type), "inspect", REF)
    )
    assert "(5006 characters)" in line and "\\x1b[2J\\u202e" in line, line
    assert len(line) < 300, len(line)


def test_error_lines_are_capped(tmp_path: Path) -> None:
    root = _layout(tmp_path)
    name = "example.com/team/app:" + "t" * 70_000
    line = assert_one_line_error(run_cli("--layout", root, "inspect", name), "is not in the layout")
    assert len(line) <= ERROR_CHARS + 50, len(line)


def test_a_number_of_5000_digits_is_malformed_json_not_a_traceback(tmp_path: Path) -> None:
    root = _layout(tmp_path)
    _edit_index(root, lambda text: text.replace('"size": ', '"size": ' + "9" * 5000 + ', "x": ', 1))
    for command in (["ls"], ["fsck"], ["gc", "--dry-run"], ["inspect", REF]):
        assert_one_line_error(run_cli("--layout", root, *command), "too many digits")

    def huge(doc: dict[str, Any]) -> bytes:
        return json.dumps(doc).replace('"size": ', '"size": ' + "9" * 5000 + ', "x": ', 1).encode()

    other = _layout(tmp_path / "m", huge)
    assert_one_line_error(run_cli("--layout", other, "inspect", REF), "too many digits")
    listed = run_cli("--layout", other, "ls")
    assert listed.returncode == 0 and REF in listed.stdout, listed.stderr


def test_a_5000_digit_number_from_a_registry_is_one_line(tmp_path: Path) -> None:
    with FakeRegistry() as registry:
        work = Layout.open(tmp_path / "work", create=True)
        seed_layout_image(work, registry.state, "team/app", "1.0")
        digest = registry.state.repo("team/app").tags["1.0"]
        raw, media_type = registry.state.repo("team/app").manifests[digest]
        bad = raw.replace(b'"size":', b'"size":' + b"9" * 5000 + b',"x":', 1)
        registry.state.put_manifest("team/app", bad, media_type, "bad")
        target = tmp_path / "target"
        result = run_cli("--layout", target, "pull", f"{registry.host}/team/app:bad")
        assert_one_line_error(result, "too many digits")


def test_a_config_nested_100000_deep_does_not_stop_ls(tmp_path: Path) -> None:
    deep = b"[" * 100_000

    def with_deep_config(doc: dict[str, Any]) -> bytes:
        digest = Digest.of(deep)
        (tmp_path / "layout" / "blobs" / "sha256" / digest.encoded).write_bytes(deep)
        doc["config"].update(digest=str(digest), size=len(deep))
        return json.dumps(doc).encode()

    root = _layout(tmp_path, with_deep_config)
    for command in (["ls"], ["ls", "--json"], ["inspect", REF]):
        result = run_cli("--layout", root, *command)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        assert REF in result.stdout

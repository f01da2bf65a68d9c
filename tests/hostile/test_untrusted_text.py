"""The pure guards under the hostile cases: bounded-depth JSON (case 12), the sanitiser (15)."""

from __future__ import annotations

import json

import pytest

from ocitui.core import jsonsafe
from ocitui.core.bundles.locations import parse_image_locations
from ocitui.core.errors import BundleError, ManifestError
from ocitui.core.models import parse_document
from ocitui.core.text_safety import json_text_safe, one_line_safe, terminal_safe


@pytest.mark.parametrize("raw", [b"[" * 100_000, b'{"a":' * 100_000, b"[" * 65 + b"]" * 65])
def test_json_deeper_than_the_bound_is_a_decode_error_not_a_recursion(raw: bytes) -> None:
    with pytest.raises(json.JSONDecodeError, match="nested deeper than 64 levels"):
        jsonsafe.loads(raw)
    with pytest.raises(ManifestError, match="nested deeper"):
        parse_document(raw)


def test_json_at_the_bound_and_brackets_in_strings_parse() -> None:
    assert jsonsafe.loads(b"[" * 64 + b"]" * 64) is not None
    assert jsonsafe.loads(json.dumps({"s": "[" * 10_000 + '\\"'}).encode())["s"].startswith("[")
    with pytest.raises(json.JSONDecodeError, match="Expecting"):
        jsonsafe.loads(b'{"a": [1, 2}')  # Plain malformed JSON keeps the decoder's message.


def test_the_bound_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCITUI_MAX_JSON_DEPTH", "3")
    with pytest.raises(json.JSONDecodeError, match="deeper than 3"):
        jsonsafe.loads(b"[[[[1]]]]")
    monkeypatch.setenv("OCITUI_MAX_JSON_DEPTH", "nonsense")
    assert jsonsafe.loads(b"[[[[1]]]]") == [[[[1]]]]


def test_deep_yaml_from_a_registry_is_a_bundle_error() -> None:
    with pytest.raises(BundleError, match="nested deeper"):
        parse_image_locations(b"[" * 100_000)


def test_sanitiser_shows_controls_and_keeps_exact_json() -> None:
    hostile = "a\x1b[2J\r\x07\x9b\u202eb\nc"
    assert terminal_safe(hostile) == "a\\x1b[2J\\x0d\\x07\\x9b\\u202eb\nc"
    assert one_line_safe(hostile).count("\n") == 0
    text = json.dumps({"v": hostile}, ensure_ascii=False)
    safe = json_text_safe(text)
    assert not any(c in safe for c in "\x1b\x07\x9b\u202e")
    assert json.loads(safe)["v"] == hostile


def test_the_ascii_shortcut_changes_nothing_the_patterns_would() -> None:
    """The sanitisers skip the pattern for ASCII text made of safe characters only: every
    character, alone and inside longer text, still comes out as the patterns make it."""
    from ocitui.core import text_safety as ts

    def by_pattern(text: str) -> tuple[str, str, str]:
        return (
            ts._UNSAFE.sub(ts._visible, text),
            ts._UNSAFE_IN_LINE.sub(ts._visible, text),
            ts._UNSAFE.sub(ts._json_escape, text),
        )

    def by_function(text: str) -> tuple[str, str, str]:
        return (ts.terminal_safe(text), ts.one_line_safe(text), ts.json_text_safe(text))

    for code in [*range(0x3000), 0xFEFF, 0x10FFFF]:
        for text in (chr(code), f'{{"ref": "app{chr(code)}x"}}\n' * 3):
            assert by_function(text) == by_pattern(text), hex(code)
    assert ts.json_text_safe("[\n  1\n]\n") == "[\n  1\n]\n"
    assert ts.one_line_safe("a\tb\nc") == "a\\x09b\\x0ac"
    assert ts.terminal_safe("a\x7fb") == "a\\x7fb"

"""``print_json(floatless=True)`` (msgspec) writes exactly what the standard encoder writes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ocitui.cli.common import print_json
from ocitui.cli.terminal import sanitised_output

ROWS: list[Any] = [
    [],
    {},
    [[], {}, [[]], {"a": {}}],
    {
        "ref": "example.com/ünïcode/app:1.0",
        "digest": "sha256:" + "a" * 64,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": None,
        "platforms": ["linux/amd64", "linux/arm64/v8"],
        "size": 2**40 + 3,
        "referrers": 0,
        "bundle": True,
        "legacy": [],
    },
    {"annotations": {'quote"back\\slash/': "tab\tnl\n\x00\x1f\x7f\u2028 😀", "": ""}},
    [None, True, False, -1, 0, 10**30],
]


@pytest.mark.parametrize("data", ROWS)
def test_fast_output_is_byte_identical(data: Any, capsys: pytest.CaptureFixture[str]) -> None:
    print_json(data, floatless=True)
    fast = capsys.readouterr().out
    print_json(data)
    standard = capsys.readouterr().out
    assert fast == standard == json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("data", ROWS)
def test_fast_output_passes_the_json_sanitiser(
    data: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    with sanitised_output(True):
        print_json(data, floatless=True)
    fast = capsys.readouterr().out
    with sanitised_output(True):
        print_json(data)
    assert fast == capsys.readouterr().out
    assert "\x00" not in fast and "\x1f" not in fast
    assert json.loads(fast) == data


def test_what_msgspec_refuses_goes_the_standard_way(capsys: pytest.CaptureFixture[str]) -> None:
    for data in ({True: "bool key"}, {None: "null key"}, {1: "int key"}):
        print_json(data, floatless=True)
        assert capsys.readouterr().out == json.dumps(data, indent=2, ensure_ascii=False) + "\n"

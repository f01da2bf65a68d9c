"""The fast ``index.json`` reader (msgspec) gives exactly what the checked reader gives.

Big index files are decoded by msgspec; whenever that path cannot vouch for the result
(malformed JSON, too deep, an invalid entry, JSON that only Python's decoder accepts) the
checked path decides, so results and error messages are the same either way.
"""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest

from ocitui.core.bulk import no_gc
from ocitui.core.digest import Digest
from ocitui.core.errors import LayoutError
from ocitui.core.layout import index_file

WHERE = Path("index.json")
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def _entry(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "mediaType": MANIFEST,
        "digest": str(Digest.of(f"m{n}".encode())),
        "size": 100 + n,
        "annotations": {"org.opencontainers.image.ref.name": f"example.com/app:{n}"},
        **extra,
    }


def _index(entries: list[Any], **top: Any) -> bytes:
    return json.dumps({"schemaVersion": 2, "manifests": entries, **top}).encode()


def _nested(levels: int) -> Any:
    value: Any = "leaf"
    for _ in range(levels):
        value = [value]
    return value


def _outcome(raw: bytes, parse: Any) -> tuple[str, Any]:
    try:
        doc, entries = parse(raw, WHERE)
    except LayoutError as exc:
        return "error", str(exc)
    return "ok", (doc, [(e, e.to_json(), e.extra, e.annotations) for e in entries])


@pytest.fixture
def fast_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send every index, however small, through the fast reader first."""
    monkeypatch.setattr(index_file, "_FAST_ABOVE", 0)


CASES = {
    "plain": _index([_entry(n) for n in range(5)]),
    "platform, urls, unknown fields, top-level annotations": _index(
        [
            _entry(
                1,
                platform={"os": "linux", "architecture": "arm64", "variant": "v8"},
                urls=["https://example.com/blob"],
                future={"nested": [1, {"deeper": True}]},
            ),
            _entry(2, artifactType="application/spdx+json"),
        ],
        annotations={"a": "b"},
        subject=None,
    ),
    "unknown field nested to the limit": _index([_entry(1, extra=_nested(64 - 3))]),
    "unknown field one level too deep": _index([_entry(1, extra=_nested(64 - 2))]),
    "platform too deep": _index(
        [_entry(1, platform={"os": "linux", "architecture": "amd64", "os.features": _nested(70)})]
    ),
    "top-level field too deep": _index([_entry(1)], extra=_nested(64)),
    "top-level field at the limit": _index([_entry(1)], extra=_nested(63)),
    "far too deep for any decoder": b'{"schemaVersion":2,"manifests":[],"x":'
    + b"[" * 200_000
    + b"]" * 200_000
    + b"}",
    "invalid digest": _index([_entry(1), {**_entry(2), "digest": "sha256:nothex"}]),
    "negative size": _index([{**_entry(1), "size": -1}]),
    "boolean size": _index([{**_entry(1), "size": True}]),
    "annotation value not a string": _index([{**_entry(1), "annotations": {"a": 1}}]),
    "entry not an object": _index([_entry(1), "x"]),
    "NaN somewhere (Python's decoder accepts it)": _index([_entry(1)]).replace(
        b'"schemaVersion": 2', b'"x": NaN, "schemaVersion": 2'
    ),
    "byte order mark": b"\xef\xbb\xbf" + _index([_entry(1)]),
    "UTF-16": _index([_entry(1)]).decode().encode("utf-16"),
    "lone surrogate in an annotation": _index([_entry(1)]).replace(
        b'"example.com/app:1"', b'"app\\ud800"'
    ),
    "malformed JSON": _index([_entry(1)])[:-3],
    "not UTF-8": _index([_entry(1)]).replace(b"example", b"ex\xffample"),
    "wrong schemaVersion": json.dumps({"schemaVersion": 1, "manifests": []}).encode(),
    "no manifests list": json.dumps({"schemaVersion": 2}).encode(),
    "not an object": b"[1, 2]",
    "duplicate keys (last wins)": b'{"schemaVersion": 2, "manifests": [1], "manifests": []}',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_reader_agrees_with_the_checked_reader(name: str, fast_always: None) -> None:
    raw = CASES[name]
    assert _outcome(raw, index_file.parse_index) == _outcome(raw, index_file._parse_checked)


def test_fast_reader_defers_when_it_cannot_vouch() -> None:
    assert index_file._parse_fast(CASES["plain"]) is not None
    for name in (
        "unknown field one level too deep",
        "platform too deep",
        "top-level field too deep",
        "far too deep for any decoder",
        "invalid digest",
        "NaN somewhere (Python's decoder accepts it)",
        "byte order mark",
    ):
        assert index_file._parse_fast(CASES[name]) is None, name


def test_the_depth_limit_still_applies(monkeypatch: pytest.MonkeyPatch, fast_always: None) -> None:
    raw = _index([_entry(1, extra=_nested(8))])
    assert _outcome(raw, index_file.parse_index)[0] == "ok"
    monkeypatch.setenv("OCITUI_MAX_JSON_DEPTH", "10")
    kind, message = _outcome(raw, index_file.parse_index)
    assert kind == "error"
    assert "nested deeper than 10 levels" in message


def test_a_big_index_is_read_the_same_way_by_both_readers() -> None:
    raw = _index(
        [_entry(n, platform={"os": "linux", "architecture": "amd64"}) for n in range(2000)]
    )
    assert len(raw) > index_file._FAST_ABOVE
    assert _outcome(raw, index_file.parse_index) == _outcome(raw, index_file._parse_checked)


def test_no_gc_pauses_and_restores_the_collector() -> None:
    assert gc.isenabled()
    with no_gc():
        assert not gc.isenabled()
        with no_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), no_gc():
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with no_gc():
            pass
        assert not gc.isenabled()  # Someone else's pause is left alone.
    finally:
        gc.enable()


def test_digest_equality_and_hashing() -> None:
    a = Digest.of(b"x")
    same = Digest.parse(str(a))
    other = Digest.of(b"x", "sha512")
    assert a == same and hash(a) == hash(same) and {a: 1}[same] == 1
    assert a != other and a != str(a) and a != Digest.of(b"y")
    assert sorted([other, a]) == [a, other]

"""``bulk.build_frozen`` gives exactly what the dataclass ``__init__`` gives, and
``Descriptor.from_json_many`` exactly what ``Descriptor.from_json`` gives."""

from __future__ import annotations

import dataclasses

import pytest

from ocitui.core import media_types as mt
from ocitui.core.bulk import build_frozen
from ocitui.core.digest import Digest
from ocitui.core.errors import ManifestError
from ocitui.core.layout.summary import EntrySummary
from ocitui.core.models import Descriptor, Platform

DIGEST = Digest.of(b"x")


def _same(made: object, built: object) -> None:
    assert dataclasses.is_dataclass(made)
    assert type(made) is type(built)
    assert vars(made) == vars(built)  # Every field, compare=False ones included.
    assert made == built
    assert hash(made) == hash(built)
    assert repr(made) == repr(built)


def test_descriptor_from_json_equals_init() -> None:
    obj = {
        "mediaType": mt.OCI_MANIFEST,
        "digest": str(DIGEST),
        "size": 1,
        "annotations": {"a": "b"},
        "artifactType": "application/spdx+json",
        "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"},
        "urls": ["https://example.com/x"],
        "data": "eA==",
        "x-extra": [1],
    }
    made = Descriptor(
        mt.OCI_MANIFEST,
        DIGEST,
        1,
        {"a": "b"},
        "application/spdx+json",
        Platform("linux", "arm64", "v8"),
        ("https://example.com/x",),
        b"x",
        {"x-extra": [1]},
    )
    _same(made, Descriptor.from_json(obj))
    names = {f.name for f in dataclasses.fields(Descriptor)}
    assert set(vars(Descriptor.from_json(obj))) == names


def test_entry_summary_fields_are_all_named() -> None:
    values = {f.name: f"value of {f.name}" for f in dataclasses.fields(EntrySummary)}
    _same(EntrySummary(**values), build_frozen(EntrySummary, dict(values)))


def _each_way(items: list[object]) -> tuple[list[object], list[object]]:
    """``from_json_many`` and ``from_json`` on each item: descriptors or error texts."""

    def outcome(fn: object, *args: object) -> object:
        try:
            return fn(*args)  # type: ignore[operator]
        except ManifestError as exc:
            return f"error: {exc}"

    one_by_one = [outcome(Descriptor.from_json, item) for item in items]
    together: list[object] = []
    for item in items:  # One at a time too, so an error names its item.
        result = outcome(Descriptor.from_json_many, [item])
        together.append(result[0] if isinstance(result, list) else result)
    return one_by_one, together


PLAIN = {"mediaType": mt.OCI_MANIFEST, "digest": str(DIGEST), "size": 3}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"annotations": {"org.opencontainers.image.ref.name": "x:1", "a": "b"}},
        {"artifactType": "application/spdx+json"},
        {"artifactType": None, "annotations": None},
        {"annotations": []},
        {"annotations": ""},
        {"annotations": {"a": 1}},
        {"annotations": {"a": None}},
        {"annotations": ["a"]},
        {"size": 0},
        {"size": -1},
        {"size": True},
        {"size": 3.0},
        {"size": "3"},
        {"size": None},
        {"mediaType": "not a media type"},
        {"mediaType": None},
        {"mediaType": ["x"]},
        {"mediaType": "application/vnd.example.never-seen-before+json"},
        {"artifactType": ["x"]},
        {"artifactType": {"a": "b"}},
        {"artifactType": ""},
        {"artifactType": "no-slash"},
        {"digest": "sha256:" + "A" * 64},
        {"digest": "sha256:abc"},
        {"digest": "md5:" + "a" * 32},
        {"digest": None},
        {"digest": 7},
        {"platform": {"os": "linux", "architecture": "amd64"}},
        {"platform": None},
        {"urls": ["https://example.com/blob"]},
        {"urls": []},
        {"data": "eA=="},
        {"x-unknown": {"nested": [1]}},
    ],
)
def test_from_json_many_equals_from_json(changes: dict[str, object]) -> None:
    item = {**PLAIN, **changes}
    # Twice: the first may be the one that finds a media type valid.
    one_by_one, together = _each_way([item, dict(item)])
    assert len(together) == len(one_by_one) == 2
    for made, built in zip(one_by_one, together, strict=True):
        if isinstance(made, str):
            assert built == made
        else:
            _same(made, built)


def test_from_json_many_keeps_order_and_copies_annotations() -> None:
    annotations = {"a": "b"}
    items: list[object] = [
        {**PLAIN, "annotations": annotations},
        {**PLAIN, "platform": {"os": "linux", "architecture": "arm64"}},
        {**PLAIN, "digest": str(Digest.of(b"y")), "artifactType": "application/spdx+json"},
    ]
    built = Descriptor.from_json_many(items)
    for made, got in zip((Descriptor.from_json(i) for i in items), built, strict=True):
        _same(made, got)
    assert built[0].annotations == annotations and built[0].annotations is not annotations
    assert built[0].extra is not built[2].extra  # Each its own (mutable) dict.
    with pytest.raises(ManifestError, match="descriptor: must be an object"):
        Descriptor.from_json_many([items[0], "not an object"])

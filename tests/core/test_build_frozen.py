"""``bulk.build_frozen`` gives exactly what the dataclass ``__init__`` gives."""

from __future__ import annotations

import dataclasses

from ocitui.core import media_types as mt
from ocitui.core.bulk import build_frozen
from ocitui.core.digest import Digest
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

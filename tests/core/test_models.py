"""Descriptors, manifests and indexes: validation, raw bytes, type confusion."""

from __future__ import annotations

import json

import pytest

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import ManifestError
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor, Index, Manifest, parse_document

D = "sha256:" + "a" * 64
CONFIG = {"mediaType": mt.OCI_CONFIG, "digest": D, "size": 10}


def test_manifest_keeps_exact_bytes() -> None:
    raw = b'{ "schemaVersion": 2,  "config": ' + json.dumps(CONFIG).encode() + b', "layers": []}'
    doc = parse_document(raw)
    assert isinstance(doc, Manifest)
    assert doc.raw == raw
    assert doc.digest == Digest.of(raw)
    assert doc.effective_artifact_type == mt.OCI_CONFIG


def test_index_artifact_type_never_falls_back() -> None:
    raw = json.dumps({"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": []}).encode()
    doc = parse_document(raw)
    assert isinstance(doc, Index)
    assert mt.effective_artifact_type(doc.doc) is None


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"schemaVersion": 2, "manifests": [], "layers": []}, "ambiguous"),
        ({"schemaVersion": 2, "manifests": [], "config": CONFIG}, "ambiguous"),
        ({"schemaVersion": 1, "config": CONFIG}, "schemaVersion"),
        ({"schemaVersion": 2, "config": {**CONFIG, "digest": "sha256:../../x"}}, "digest"),
        ({"schemaVersion": 2, "config": {**CONFIG, "size": -1}}, "size"),
        ({"schemaVersion": 2, "config": {**CONFIG, "mediaType": "not a type"}}, "mediaType"),
        ({"schemaVersion": 2, "mediaType": "application/x-unknown", "config": CONFIG}, "unknown"),
    ],
)
def test_malformed_documents(doc: dict[str, object], message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        parse_document(json.dumps(doc).encode())


def test_type_confusion_with_served_type() -> None:
    raw = json.dumps({"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": []}).encode()
    with pytest.raises(ManifestError, match="served as"):
        parse_document(raw, mt.OCI_MANIFEST)


def test_oversized_and_garbage() -> None:
    with pytest.raises(ManifestError, match="limit"):
        parse_document(b" " * (MAX_MANIFEST_SIZE + 1))
    with pytest.raises(ManifestError, match="JSON"):
        parse_document(b"\xff\xfe not json")


def test_descriptor_round_trip_keeps_unknown_fields_and_checks_data() -> None:
    obj = {
        "mediaType": mt.OCI_EMPTY,
        "digest": mt.EMPTY_DIGEST,
        "size": 2,
        "data": "e30=",
        "x-extra": 1,
    }
    desc = Descriptor.from_json(obj)
    assert desc.data == b"{}"
    assert desc.to_json()["x-extra"] == 1
    with pytest.raises(ManifestError, match="embedded data"):
        Descriptor.from_json({**obj, "data": "e3x9"})

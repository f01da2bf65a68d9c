"""Manifests whose JSON means different things to different parsers are refused.

Go's ``encoding/json`` (docker, containerd, crane, oras, regctl, skopeo) matches object
keys to fields case-insensitively and lets the later key win; Python's ``json`` matches
exactly. ``{"layers": [A], "Layers": []}`` is therefore an image with layer A for a
Python reader and without layers for every Go tool: one digest, two contents. Exact
duplicate keys agree (the later wins in both) and are read as such.
"""

from __future__ import annotations

import json
from pathlib import Path

from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.models import parse_document
from tests.hostile.support import assert_one_line_error, run_cli, seed_layout_image
from tests.support.builders import put_image
from tests.support.fake_registry import FakeRegistry


def _with_case_variant(raw: bytes) -> bytes:
    doc = json.loads(raw)
    doc["Layers"] = []
    return json.dumps(doc).encode()


def test_exact_duplicate_keys_read_the_last_value_as_go_does() -> None:
    config = (
        '{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":2}'
    )
    raw = (
        '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
        f'"config":{config % ("a" * 64)},"config":{config % ("b" * 64)},"layers":[]}}'
    ).encode()
    assert str(parse_document(raw).children()[0].digest) == "sha256:" + "b" * 64


def test_a_case_variant_key_from_a_registry_is_refused(tmp_path: Path) -> None:
    with FakeRegistry() as registry:
        seed_layout_image(Layout.open(tmp_path / "w", create=True), registry.state, "a/b", "1")
        repo = registry.state.repo("a/b")
        raw, media_type = repo.manifests[repo.tags["1"]]
        registry.state.put_manifest("a/b", _with_case_variant(raw), media_type, "1")
        target = tmp_path / "t"
        result = run_cli("--layout", target, "pull", f"{registry.host}/a/b:1")
        # The pull ends with its report; the refused manifest is its failure line.
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert "key 'Layers' differs from 'layers' only in case" in result.stderr
        assert not Layout.open(target).tagged()


def test_a_case_variant_key_in_a_layout_is_refused_by_inspect(tmp_path: Path) -> None:
    root = tmp_path / "l"
    doc = put_image(Layout.open(root, create=True), {"a": b"a"}, ref="example.com/x/y:1")
    bad = _with_case_variant(doc.raw)
    digest = Digest.of(bad)
    (root / "blobs" / "sha256" / digest.encoded).write_bytes(bad)
    index = json.loads((root / "index.json").read_bytes())
    index["manifests"][0].update(digest=str(digest), size=len(bad))
    (root / "index.json").write_text(json.dumps(index))
    line = assert_one_line_error(run_cli("--layout", root, "inspect", "example.com/x/y:1"))
    assert "key 'Layers' differs from 'layers' only in case" in line, line

"""Batched index.json updates: same result as one-by-one, one rewrite, nothing lost."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest

from ocitui.core import media_types as mt
from ocitui.core.layout import Layout, index_file
from ocitui.core.models import Document, parse_document
from tests.support.builders import artifact_bytes, put_image


def _scenario(layout: Layout) -> None:
    """Referrers, tags, a moved tag, a re-added referrer, an untagged entry."""
    one = put_image(layout, {"a": b"1"})
    two = put_image(layout, {"a": b"2"}, arch="arm64")
    sbom: Document = parse_document(artifact_bytes(one.descriptor(), mt.SPDX_JSON, b"{}", layout))
    sig = parse_document(artifact_bytes(one.descriptor(), mt.SIGSTORE_BUNDLE, b"s", layout))
    layout.add_referrer(sbom)
    layout.set_tag("r.io/app:1", one.descriptor())
    layout.set_tag("r.io/app:latest", one.descriptor())
    layout.add_referrer(sig)
    layout.set_tag("r.io/app:latest", two.descriptor())  # moves the name
    layout.add_referrer(sbom)  # replaces its own untagged entry
    layout.add_untagged(two.descriptor())
    layout.add_untagged(two.descriptor())  # deduplicated
    layout.update_index(lambda entries: [e for e in entries if e.ref_name != "r.io/app:1"])
    layout.set_tag("r.io/app:1", two.descriptor())


def _index(root: Path) -> object:
    return json.loads((root / "index.json").read_bytes())


def test_batch_gives_the_same_index_as_one_by_one(tmp_path: Path) -> None:
    plain = Layout.open(tmp_path / "plain", create=True)
    _scenario(plain)
    batched = Layout.open(tmp_path / "batched", create=True)
    spy = mock.patch.object(index_file, "write_atomic", wraps=index_file.write_atomic)
    with spy as write, batched.batch():
        _scenario(batched)
        assert batched.entries() == []  # nothing visible before the commit
    assert write.call_count == 1
    assert _index(tmp_path / "batched") == _index(tmp_path / "plain")
    assert len(batched.entries()) == 5


def test_nested_batches_commit_once(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    doc = put_image(layout, {"a": b"1"})
    spy = mock.patch.object(index_file, "write_atomic", wraps=index_file.write_atomic)
    with spy as write, layout.batch():
        with layout.batch():
            layout.set_tag("r.io/a:1", doc.descriptor())
        layout.set_tag("r.io/a:2", doc.descriptor())
        assert write.call_count == 0
    assert write.call_count == 1
    assert sorted(e.ref_name or "" for e in layout.entries()) == ["r.io/a:1", "r.io/a:2"]


def test_batch_keeps_a_concurrent_writers_entries(layout_dir: Path) -> None:
    mine = Layout.open(layout_dir, create=True)
    other = Layout.open(layout_dir)
    doc = put_image(mine, {"a": b"1"})
    with mine.batch():
        mine.set_tag("r.io/mine:1", doc.descriptor())
        other.set_tag("r.io/other:1", doc.descriptor())  # lands while the batch is open
    assert sorted(e.ref_name or "" for e in mine.entries()) == ["r.io/mine:1", "r.io/other:1"]


def test_changes_recorded_before_an_error_are_committed(layout_dir: Path) -> None:
    layout = Layout.open(layout_dir, create=True)
    doc = put_image(layout, {"a": b"1"})
    with pytest.raises(RuntimeError), layout.batch():
        layout.set_tag("r.io/a:1", doc.descriptor())
        raise RuntimeError("network went away")
    assert [e.ref_name for e in layout.entries()] == ["r.io/a:1"]

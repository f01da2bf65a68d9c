"""Malicious layouts (cases 8, 11, 12, 13, 14, 15): no hang, no crash, no raw controls.

Layouts are built with the core's own writers and then damaged by hand, the way an
attacker (or a broken tool) would leave them; the CLI runs in a subprocess.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.layout.referrers import SUBJECT_HINT
from ocitui.core.models import Descriptor, canonical_json, parse_document
from tests.hostile.support import assert_one_line_error, run_cli
from tests.support.builders import artifact_bytes, put_image

CREATED = "org.opencontainers.image.created"


def _layout(tmp_path: Path) -> tuple[Layout, Path]:
    root = tmp_path / "layout"
    layout = Layout.open(root, create=True)
    put_image(layout, {"a.txt": b"a\n"}, ref="example.com/team/app:1.0")
    return layout, root


def _rewrite_index(root: Path, edit: object) -> None:
    doc = json.loads((root / "index.json").read_bytes())
    doc["manifests"] = edit(doc["manifests"])  # type: ignore[operator]
    (root / "index.json").write_text(json.dumps(doc))


def _fake(n: int) -> str:
    return str(Digest.of(f"node-{n}".encode()))


def _raw_blob(root: Path, data: bytes) -> Digest:
    """Write a blob straight into ``blobs/`` (no fsync: thousands of them stay fast)."""
    digest = Digest.of(data)
    (root / "blobs" / "sha256" / digest.encoded).write_bytes(data)
    return digest


def _tree_lines(text: str) -> int:
    return len([line for line in text.splitlines() if "── " in line and "..." not in line])


def test_case8_fifo_in_blobs_never_blocks(tmp_path: Path) -> None:
    layout, root = _layout(tmp_path)
    entry = layout.tagged()[0]
    doc = layout.get_document(entry.digest)
    config = root / "blobs" / "sha256" / doc.children()[0].digest.encoded
    config.unlink()
    os.mkfifo(config)
    for args in (
        ["ls"],
        ["inspect", "app:1.0"],
        ["push", "app:1.0", "127.0.0.1:9/x:1", "--dry-run"],
    ):
        result = run_cli("--layout", root, *args, timeout=20)
        assert "Traceback" not in result.stderr, (args, result.stderr)
    result = run_cli("--layout", root, "fsck", timeout=20)
    assert result.returncode == 1
    assert "not a regular file" in result.stdout + result.stderr


def test_case11_duplicate_subject_hints_keep_the_tree_linear(tmp_path: Path) -> None:
    _, root = _layout(tmp_path)
    base = json.loads((root / "index.json").read_bytes())["manifests"][0]["digest"]
    chain = [base] + [_fake(i) for i in range(1, 31)]

    def edit(entries: list[dict[str, object]]) -> list[dict[str, object]]:
        # Each node claims the two previous nodes as subjects: 2^30 paths, 30 digests.
        for i in range(1, len(chain)):
            for parent in {chain[i - 1], chain[max(0, i - 2)]}:
                entries.append(
                    {
                        "mediaType": mt.OCI_MANIFEST,
                        "digest": chain[i],
                        "size": 100,
                        "artifactType": "application/vnd.example.x",
                        "annotations": {SUBJECT_HINT: parent},
                    }
                )
        return entries

    _rewrite_index(root, edit)
    started = time.monotonic()
    result = run_cli("--layout", root, "referrers", "app:1.0", "--tree", timeout=30)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 20
    assert _tree_lines(result.stdout) == 30


def test_case12_deeply_nested_index_json_is_one_line_error(tmp_path: Path) -> None:
    _, root = _layout(tmp_path)
    (root / "index.json").write_bytes(b"[" * 100_000)
    for args in (["ls"], ["fsck"], ["gc", "--dry-run"]):
        assert_one_line_error(run_cli("--layout", root, *args), "nested deeper than 64 levels")


def test_case12_deeply_nested_manifest_is_one_line_error(tmp_path: Path) -> None:
    layout, root = _layout(tmp_path)
    digest = layout.put_blob(b'{"schemaVersion":2,"x":' + b"[" * 100_000 + b"}")

    def edit(entries: list[dict[str, object]]) -> list[dict[str, object]]:
        entries.append(
            {
                "mediaType": mt.OCI_MANIFEST,
                "digest": str(digest),
                "size": 100_024,
                "annotations": {"org.opencontainers.image.ref.name": "example.com/deep:1"},
            }
        )
        return entries

    _rewrite_index(root, edit)
    assert_one_line_error(run_cli("--layout", root, "inspect", "deep:1"), "nested deeper")
    result = run_cli("--layout", root, "fsck", "--json")
    assert "Traceback" not in result.stderr
    assert "nested deeper" in result.stdout


def test_case13_deep_referrer_chain_is_bounded(tmp_path: Path) -> None:
    layout, root = _layout(tmp_path)
    subject = layout.tagged()[0]
    entries = []
    for i in range(1100):
        raw = artifact_bytes(subject, "application/vnd.example.chain", b"x", layout, {"n": str(i)})
        _raw_blob(root, raw)
        subject = Descriptor(mt.OCI_MANIFEST, Digest.of(raw), len(raw))
        entries.append(
            subject.with_changes(
                artifact_type="application/vnd.example.chain",
                annotations={SUBJECT_HINT: str(json.loads(raw)["subject"]["digest"])},
            ).to_json()
        )
    _rewrite_index(root, lambda old: [*old, *entries])
    env = {"OCITUI_MAX_GRAPH_DEPTH": "40"}
    result = run_cli("--layout", root, "referrers", "app:1.0", "--tree", env=env)
    assert result.returncode == 0, result.stderr
    assert _tree_lines(result.stdout) == 40
    assert "graph-depth limit" in result.stdout
    for args in (["referrers", "app:1.0", "--tree", "--json"], ["inspect", "app:1.0", "--json"]):
        result = run_cli("--layout", root, *args)
        assert result.returncode == 0, result.stderr
        json.loads(result.stdout)
    result = run_cli("--layout", root, "fsck")
    assert result.returncode == 0, result.stdout + result.stderr
    result = run_cli("--layout", root, "export", tmp_path / "out.tar", "app:1.0")
    assert result.returncode == 0, result.stderr


def test_case13_deeply_nested_indexes_are_walked_without_recursion(tmp_path: Path) -> None:
    layout, root = _layout(tmp_path)
    child = layout.tagged()[0]
    for _ in range(1100):
        raw = canonical_json(
            {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": [child.to_json()]}
        )
        child = Descriptor(mt.OCI_INDEX, _raw_blob(root, raw), len(raw))
    layout.set_tag("example.com/team/nested:1", child)
    for args in (["inspect", "nested:1"], ["fsck"], ["gc", "--dry-run"]):
        result = run_cli("--layout", root, *args)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    result = run_cli("--layout", root, "export", tmp_path / "out.tar", "nested:1")
    assert result.returncode == 0, result.stderr


def test_case14_blobs_sha256_as_a_regular_file_is_one_line_error(tmp_path: Path) -> None:
    _, root = _layout(tmp_path)
    folder = root / "blobs" / "sha256"
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    folder.write_bytes(b"not a directory")
    for args in (["ls"], ["fsck"], ["gc"], ["export", tmp_path / "out.tar"]):
        assert_one_line_error(run_cli("--layout", root, *args), "blobs/sha256 is a regular file")


def test_case15_escape_sequences_are_shown_not_obeyed(tmp_path: Path) -> None:
    layout, root = _layout(tmp_path)
    subject = layout.tagged()[0]
    hostile = "2026\x1b[2J\x1b]0;pwned\x07\u202e\x9b31m"
    raw = artifact_bytes(subject, "application/vnd.example.x", b"x", layout, {CREATED: hostile})
    layout.add_referrer(parse_document(raw))

    def edit(entries: list[dict[str, object]]) -> list[dict[str, object]]:
        first = entries[0]
        first["annotations"] = {"org.opencontainers.image.ref.name": "evil\x1b[2J:1"}
        return entries

    _rewrite_index(root, edit)
    for args in (["ls", "--all"], ["referrers", "evil\x1b[2J:1"], ["inspect", "evil\x1b[2J:1"]):
        result = run_cli("--layout", root, *args)
        assert result.returncode == 0, (args, result.stderr)
        for char in ("\x1b", "\x07", "\x9b", "\u202e"):
            assert char not in result.stdout + result.stderr, (args, char)
        assert "\\x1b[2J" in result.stdout
    result = run_cli("--layout", root, "referrers", "evil\x1b[2J:1", "--json")
    assert json.loads(result.stdout)[0]["annotations"][CREATED] == hostile
    assert "\x1b" not in result.stdout
    result = run_cli("--layout", root, "inspect", "nosuch\x1b[2J")
    assert_one_line_error(result, "\\x1b[2J")
    assert "\x1b" not in result.stderr

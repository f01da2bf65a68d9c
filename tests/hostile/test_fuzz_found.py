"""Regressions for what the fuzz harnesses found (``tests/hostile/fuzz_*.py``).

One test per bug; each failed on the main the harness ran against.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from ocitui.core import jsonsafe
from ocitui.core.errors import ManifestError
from ocitui.core.layout import Layout
from ocitui.core.models import parse_document
from tests.hostile.support import assert_one_line_error, run_cli, seed_layout_image
from tests.support.fake_registry import FakeRegistry, ResponseParts

DEMO = Path(__file__).resolve().parents[2] / "layouts" / "demo"


def _demo(tmp_path: Path) -> Path:
    root = tmp_path / "layout"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".ocitui*"))
    return root


@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_oci_layout_that_is_no_regular_file_is_refused_without_blocking(
    tmp_path: Path, kind: str
) -> None:
    # Found: oci-layout symlinked to /dev/zero (or a FIFO) hung every command forever.
    root = _demo(tmp_path)
    header = root / "oci-layout"
    header.unlink()
    if kind == "dev-zero":
        header.symlink_to("/dev/zero")
    else:
        os.mkfifo(header)
    result = run_cli("--layout", root, "ls", timeout=20)
    assert_one_line_error(result, "cannot read oci-layout: not a regular file")


def test_lone_surrogate_escapes_decode_as_replacement_characters() -> None:
    # Found: "\\ud800" in an index.json annotation (valid JSON grammar) made export and
    # push --json end in a UnicodeEncodeError traceback; Go tools decode it as U+FFFD.
    doc = jsonsafe.loads(b'{"k\\ud800":["\\udfff x","\\ud83d\\ude00",{"a":"\\uDBFF"}]}')
    assert doc == {"k\ufffd": ["\ufffd x", "\U0001f600", {"a": "\ufffd"}]}
    assert jsonsafe.loads('["\ud800"]') == ["\ufffd"]  # Already decoded text, same rule.


def test_json_that_is_not_utf8_is_a_decode_error() -> None:
    # Found: callers that catch JSONDecodeError only saw a UnicodeDecodeError escape.
    with pytest.raises(json.JSONDecodeError, match="not UTF-8"):
        jsonsafe.loads(b'{"a":"\xff"}')
    with pytest.raises(ManifestError):
        parse_document(b'{"schemaVersion":2,"a":"\xff\xfe"}')


def test_export_and_ls_of_a_lone_surrogate_annotation(tmp_path: Path) -> None:
    root = _demo(tmp_path)
    doc = json.loads((root / "index.json").read_bytes())
    doc["manifests"][0]["annotations"]["org.opencontainers.image.created"] = "x\ud800"
    (root / "index.json").write_text(json.dumps(doc))  # ensure_ascii: written as \\ud800
    result = run_cli("--layout", root, "export", tmp_path / "out.tar")
    assert result.returncode == 0, result.stderr
    result = run_cli("--layout", root, "push", "--all-to", "127.0.0.1:9/x", "--dry-run", "--json")
    assert "Traceback" not in result.stderr
    result = run_cli("--layout", root, "ls", "--all", "--json")
    assert result.returncode == 0, result.stderr


def test_a_blob_answered_401_twice_is_a_failed_blob_not_a_traceback(tmp_path: Path) -> None:
    # Found: a blob GET answered 401 (no challenge) twice: the first 401 body was read
    # to free the connection, then the error path read it again -> httpx.StreamConsumed.
    def deny_blobs(parts: ResponseParts) -> ResponseParts:
        if "/blobs/sha256:" in parts.path and parts.method == "GET":
            parts.status = 401
        return parts

    with FakeRegistry() as registry:
        work = Layout.open(tmp_path / "work", create=True)
        seed_layout_image(work, registry.state, "team/app", "1.0")
        registry.rewrite = deny_blobs
        target = tmp_path / "target"
        result = run_cli("--layout", target, "pull", f"{registry.host}/team/app:1.0")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    assert "HTTP 401" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("entry", "field", "value"),
    [(1, "mediaType", {"a": []}), (2, "digest", [1, "a"]), (3, "annotations", {"kind": []})],
)
def test_unhashable_values_in_index_entries_are_judged_not_crashed_on(
    tmp_path: Path, entry: int, field: str, value: object
) -> None:
    # Found: referrers/inspect/diff looked raw entry values up in sets (TypeError:
    # unhashable type) before the entry was validated.
    root = _demo(tmp_path)
    doc = json.loads((root / "index.json").read_bytes())
    doc["manifests"][entry][field] = value
    (root / "index.json").write_text(json.dumps(doc))
    for args in (
        ["referrers", "app:1.0"],
        ["inspect", "app:1.0"],
        ["referrers", "app:1.0", "--tree"],
    ):
        result = run_cli("--layout", root, *args)
        assert "Traceback" not in result.stderr, (args, result.stderr)
        assert result.returncode in (0, 1), (args, result.stderr)
        if result.returncode == 1:
            assert_one_line_error(result, f"manifests[{entry}]")


def test_serve_answers_a_malformed_request_line_with_one_log_line(tmp_path: Path) -> None:
    # Found: a request line with raw control bytes made aiohttp's access log ask the
    # request for its application (AssertionError traceback), then aiohttp's own error
    # log printed the parser's traceback: a client could fill the server's terminal.
    import socket

    from tests.hostile import fuzz_runner, fuzz_serve

    port = fuzz_serve._free_port()
    env = {"PYTHONPATH": str(DEMO.parents[1]), "HOME": str(tmp_path)}
    server = fuzz_runner.Background(
        ["--layout", str(DEMO), "serve", "--addr", f"127.0.0.1:{port}"], env=env
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET /v2/\x1b[2J/x HTTP/1.1\r\nHost: a\r\n\r\n")
            assert sock.recv(100)[8:13] == b" 400 "
    finally:
        outcome = server.stop()
    assert "Traceback" not in outcome.stderr, outcome.stderr
    assert "\x1b" not in outcome.stderr
    assert '"UNKNOWN /" 400' in outcome.stderr  # The access log has it too.
    errors = [line for line in outcome.stderr.splitlines() if line.startswith("ocitui serve:")]
    assert len(errors) == 1 and "InvalidURLError" in errors[0], outcome.stderr


def test_metadata_cache_symlinked_to_another_database_is_not_written(tmp_path: Path) -> None:
    # Found (reading the fuzz case where the cache was a symlink): SQLite follows a
    # symlink, so a layout could make ls create tables in, or drop the 'manifests' table
    # of, a database elsewhere.
    import sqlite3

    root = _demo(tmp_path)
    other = tmp_path / "someone-elses.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE manifests (precious TEXT)")
        db.execute("INSERT INTO manifests VALUES ('keep me')")
    db.close()
    before = other.read_bytes()
    (root / ".ocitui-metadata.sqlite").unlink(missing_ok=True)
    (root / ".ocitui-metadata.sqlite").symlink_to(other)
    for args in (["ls"], ["ls", "--all", "--json"], ["inspect", "app:1.0"]):
        result = run_cli("--layout", root, *args)
        assert result.returncode == 0, (args, result.stderr)
    assert other.read_bytes() == before
    assert not (root / ".ocitui-metadata.sqlite").is_symlink()


def test_a_failed_await_cancels_its_siblings_before_raising() -> None:
    # Found: a push whose planning hit an error left sibling walks sending requests on
    # the closed client; asyncio printed their RuntimeError tracebacks at shutdown.
    import asyncio

    from ocitui.core.tasks import gather_or_cancel

    ended: list[str] = []

    async def fails() -> int:
        await asyncio.sleep(0.01)
        raise ValueError("first")

    async def slow() -> int:
        try:
            await asyncio.sleep(5)
        finally:
            ended.append("slow")
        return 1

    async def main() -> None:
        with pytest.raises(ValueError, match="first"):
            await gather_or_cancel(fails(), slow())
        assert ended == ["slow"]  # Cancelled and finished before the failure arrived.
        assert await gather_or_cancel(asyncio.sleep(0, 1), asyncio.sleep(0, 2)) == [1, 2]

    asyncio.run(main())


def test_an_upload_opened_without_a_location_is_a_one_line_error(tmp_path: Path) -> None:
    # Found: a 202 to the upload POST without (or with an empty) Location header ended
    # push in a ValueError traceback from resolve_location.
    def no_location(parts: ResponseParts) -> ResponseParts:
        if parts.method == "POST" and "/blobs/uploads/" in parts.path:
            parts.headers = [(k, v) for k, v in parts.headers if k.lower() != "location"]
            parts.headers.append(("Location", ""))
        return parts

    with FakeRegistry() as registry:
        registry.rewrite = no_location
        root = _demo(tmp_path)
        result = run_cli("--layout", root, "push", "app:1.0", f"{registry.host}/fuzz/x:1")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    assert "upload answer has no Location header" in result.stdout + result.stderr

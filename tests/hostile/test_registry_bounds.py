"""Malicious registries (cases 5, 6, 7, 10, 12): every loop and wait is bounded.

Each case runs the CLI in a subprocess against :class:`FakeRegistry` in a ``hostile``
mode, with small bounds from the environment, and checks the exact outcome.
"""

from __future__ import annotations

import time
from pathlib import Path

from ocitui.core.layout import Layout
from tests.hostile.support import (
    assert_blobs_verified,
    assert_one_line_error,
    run_cli,
    seed_layout_image,
)
from tests.support.builders import artifact_bytes
from tests.support.fake_registry import FakeRegistry


def _seeded(tmp_path: Path, registry: FakeRegistry) -> tuple[Path, str]:
    work = Layout.open(tmp_path / "work", create=True)
    seed_layout_image(work, registry.state, "team/app", "1.0")
    target = tmp_path / "target"
    Layout.open(target, create=True)
    return target, f"{registry.host}/team/app:1.0"


def _blob_gets(registry: FakeRegistry) -> int:
    return sum(1 for r in registry.requests if r.method == "GET" and "/blobs/sha256:" in r.path)


def test_case5_wrong_content_range_is_bounded_by_attempts(tmp_path: Path) -> None:
    with FakeRegistry(hostile="bad-content-range") as registry:
        target, ref = _seeded(tmp_path, registry)
        before = (target / "index.json").read_bytes()
        result = run_cli("--layout", target, "pull", ref, env={"OCITUI_MAX_BLOB_ATTEMPTS": "4"})
        assert_one_line_error(result, "after 4 requests", "OCITUI_MAX_BLOB_ATTEMPTS")
        # Two blobs (config, layer) fetched concurrently: at most 4 requests each.
        assert _blob_gets(registry) <= 8
    assert (target / "index.json").read_bytes() == before
    assert_blobs_verified(target)


def test_case6_endless_referrers_pages_stop_at_the_page_bound(tmp_path: Path) -> None:
    with FakeRegistry(hostile="endless-referrers") as registry:
        target, ref = _seeded(tmp_path, registry)
        result = run_cli(
            "--layout", target, "referrers", ref, "--remote", env={"OCITUI_MAX_PAGES": "15"}
        )
        assert_one_line_error(result, "past 15 pages", "OCITUI_MAX_PAGES")
        pages = [r for r in registry.requests if "/referrers/" in r.path]
        assert len(pages) <= 15


def test_case6_endless_tag_pages_do_not_keep_a_pull_alive(tmp_path: Path) -> None:
    with FakeRegistry(hostile="endless-tags") as registry:
        target, ref = _seeded(tmp_path, registry)
        result = run_cli("--layout", target, "pull", ref, env={"OCITUI_MAX_PAGES": "10"})
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        tag_pages = [r for r in registry.requests if r.path.split("?")[0].endswith("/tags/list")]
        assert len(tag_pages) <= 10
    assert_blobs_verified(target)


def test_case7_drip_fed_body_hits_the_request_deadline(tmp_path: Path) -> None:
    with FakeRegistry(hostile="drip-blob", drip_interval=0.5) as registry:
        target, ref = _seeded(tmp_path, registry)
        before = (target / "index.json").read_bytes()
        started = time.monotonic()
        result = run_cli(
            "--layout", target, "pull", ref, env={"OCITUI_REQUEST_DEADLINE": "2"}, timeout=40
        )
        elapsed = time.monotonic() - started
        assert_one_line_error(result, "longer than 2 s", "OCITUI_REQUEST_DEADLINE")
        assert elapsed < 20
    assert (target / "index.json").read_bytes() == before
    assert_blobs_verified(target)


def test_case7_sync_deadline_stops_new_requests(tmp_path: Path) -> None:
    with FakeRegistry() as registry:
        target, ref = _seeded(tmp_path, registry)
        registry.response_delay = 0.4
        result = run_cli(
            "--layout", target, "pull", ref, env={"OCITUI_SYNC_DEADLINE": "0.5"}, timeout=40
        )
        assert_one_line_error(result, "OCITUI_SYNC_DEADLINE")


def test_case12_deeply_nested_referrers_answer_is_one_line_error(tmp_path: Path) -> None:
    with FakeRegistry(hostile="deep-json") as registry:
        target, ref = _seeded(tmp_path, registry)
        result = run_cli("--layout", target, "referrers", ref, "--remote")
        assert_one_line_error(result, "nested deeper than 64 levels")


def test_case10_remote_referrer_fetches_are_bounded(tmp_path: Path) -> None:
    with FakeRegistry() as registry:
        work = Layout.open(tmp_path / "work", create=True)
        seed_layout_image(work, registry.state, "team/app", "1.0")
        subject_digest = next(iter(registry.state.repo("team/app").manifests))
        raw, media_type = registry.state.repo("team/app").manifests[subject_digest]
        from ocitui.core.models import parse_document

        subject = parse_document(raw, media_type).descriptor()
        for i in range(24):
            art = artifact_bytes(subject, "application/vnd.example.n", str(i).encode(), work)
            for blob in parse_document(art).children():
                registry.state.put_blob("team/app", work.read_blob(blob.digest))
            registry.state.put_manifest("team/app", art, media_type)
        registry.response_delay = 0.05
        result = run_cli(
            "--layout",
            tmp_path / "work",
            "referrers",
            f"{registry.host}/team/app:1.0",
            "--remote",
            "--json",
            env={"OCITUI_REFERRER_CONCURRENCY": "3"},
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.count('"digest"') >= 24
        assert registry.peak_in_flight <= 3

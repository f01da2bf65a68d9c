"""A pull of many small referrers killed (SIGKILL) while it stores blobs in groups, then
while it stores manifests: nothing half-written is visible, ``index.json`` names nothing
(it is written once, at the end), and the next pull completes a verified layout.

Durability across a power cut cannot be shown by killing a process (the page cache
survives); the fsync-before-rename order it rests on is asserted in
``tests/layout/test_group_commit.py`` and
``tests/sync/test_pull_fake.py::test_pull_fsyncs_the_blob_directory_once_and_before_index_json``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ocitui.core.layout import Layout
from tests.hostile.support import assert_blobs_verified, run_cli, start_cli
from tests.hostile.test_referrer_scale import seed_referrers
from tests.support.fake_registry import FakeRegistry

COUNT = 150


def _stored(root: Path) -> int:
    try:
        return sum(1 for _ in os.scandir(root / "blobs" / "sha256"))
    except FileNotFoundError:
        return 0


def _pull_until(ref: str, root: Path, stored: int) -> None:
    """Start a pull and SIGKILL it once ``stored`` blobs are under ``blobs/``."""
    puller = start_cli("--layout", root, "pull", ref)
    try:
        deadline = time.monotonic() + 120
        while _stored(root) < stored and puller.poll() is None:
            assert time.monotonic() < deadline, "the pull made no progress"
            time.sleep(0.005)
        assert puller.poll() is None, "the pull ended before it could be killed"
    finally:
        puller.kill()
        puller.wait(30)


def _assert_nothing_named_nothing_torn(root: Path) -> None:
    layout = Layout.open(root)
    assert layout.entries() == []
    assert_blobs_verified(root)


def test_a_killed_referrer_pull_leaves_nothing_half_written(tmp_path: Path) -> None:
    with FakeRegistry(referrers_api=False) as registry:
        ref, subject = seed_referrers(registry, tmp_path, COUNT)
        registry.response_delay = 0.002  # Room to stop it part-way through each phase.
        root = tmp_path / "target"
        # Blob phase: the image's blobs, the shared empty config, then one payload each.
        _pull_until(ref, root, stored=COUNT // 2)
        _assert_nothing_named_nothing_torn(root)
        # Manifest phase (blobs all stored by now): the referrers' manifests, in groups.
        _pull_until(ref, root, stored=COUNT + 3 + COUNT // 2)
        _assert_nothing_named_nothing_torn(root)
        registry.response_delay = 0.0
        done = run_cli("--layout", root, "pull", ref, timeout=120)
    assert done.returncode == 0, done.stderr
    layout = Layout.open(root)
    assert len(layout.referrers(subject.digest)) == COUNT
    assert_blobs_verified(root)
    assert run_cli("--layout", root, "fsck").returncode == 0

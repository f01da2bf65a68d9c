"""Case 10 (many referrers) and the rest of case 6 (a plain pull lists no tags).

An image with N referrers costs a bounded number of requests per referrer: its manifest,
its payload blob and, with the referrers API, the listing of its own referrers; no cosign
legacy-tag probes and no fallback-tag GETs per referrer once a graph is big (one tag
listing answers them), and one ``index.json`` rewrite for the whole pull.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout, index_file
from ocitui.core.models import Descriptor, canonical_json, parse_document
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import SyncFilter, plan_pull, pull
from ocitui.core.target.registry import PROBES_BEFORE_LISTING
from tests.hostile.support import seed_layout_image
from tests.support.builders import artifact_bytes
from tests.support.fake_registry import FakeRegistry

COUNT = 300
REPO = "team/app"
#: Requests that do not grow with the number of referrers: the root, its blobs and
#: probes, the API probe, the fallback index, the probes made before the tag listing.
FIXED = 16 + 3 * PROBES_BEFORE_LISTING


def seed_referrers(registry: FakeRegistry, tmp_path: Path, count: int) -> tuple[str, Descriptor]:
    """``team/app:1.0`` with ``count`` referrers (and, without the referrers API, their
    ``sha256-<hex>`` fallback index); plus 200 unrelated tags in the repository."""
    work = Layout.open(tmp_path / "seed", create=True)
    seed_layout_image(work, registry.state, REPO, "1.0")
    raw, media_type = next(iter(registry.state.repo(REPO).manifests.values()))
    subject = parse_document(raw, media_type).descriptor()
    listed = []
    for number in range(count):
        art = artifact_bytes(subject, "application/vnd.example.sig", str(number).encode(), work)
        for blob in parse_document(art).children():
            registry.state.put_blob(REPO, work.read_blob(blob.digest))
        registry.state.put_manifest(REPO, art, mt.OCI_MANIFEST)
        listed.append(
            {
                **parse_document(art).descriptor().to_json(),
                "artifactType": "application/vnd.example.sig",
            }
        )
    if not registry.referrers_api:
        index = json.dumps({"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": listed})
        registry.state.put_manifest(REPO, index.encode(), mt.OCI_INDEX, subject.digest.tag_form)
    for number in range(200):
        registry.state.put_manifest(REPO, raw, media_type, f"build-{number}")
    return f"{registry.host}/{REPO}:1.0", subject


@pytest.mark.parametrize("api", [True, False], ids=["referrers-api", "fallback-tag"])
async def test_case10_n_referrers_cost_a_bounded_number_of_requests_each(
    fake_registry: Callable[..., FakeRegistry], tmp_path: Path, api: bool
) -> None:
    registry = fake_registry(referrers_api=api)
    ref, subject = seed_referrers(registry, tmp_path, COUNT)
    layout = Layout.open(tmp_path / "layout", create=True)
    # Per referrer: its manifest (and, with the API, its own referrers listing) to plan;
    # its payload blob to pull. Nothing else grows with N.
    per_plan, per_pull = (2, 3) if api else (1, 2)
    async with RegistryClient() as client:
        registry.state.clear_log()
        plan = await plan_pull(client, layout, [ref], SyncFilter())
        planned = len(registry.requests)
        assert plan.summary()["referrers"] == COUNT
        assert planned <= per_plan * COUNT + FIXED, planned
        registry.state.clear_log()
        spy = mock.patch.object(index_file, "write_atomic", wraps=index_file.write_atomic)
        with spy as writes:
            report = await pull(client, layout, [ref])
        assert report.ok, report.failed
        assert writes.call_count == 1  # One index.json rewrite for 300 referrers.
    pulled = len(registry.requests)
    assert pulled <= per_pull * COUNT + FIXED, pulled
    legacy = registry.state.requests_matching("HEAD", r"\.(sig|att|sbom)$")
    assert len(legacy) <= 3 * PROBES_BEFORE_LISTING + 3
    assert len(registry.state.requests_matching("GET", r"/tags/list")) == 1
    assert len(layout.referrers(subject.digest)) == COUNT


async def test_case6_a_plain_pull_lists_no_tags(
    fake_registry: Callable[..., FakeRegistry], tmp_path: Path
) -> None:
    registry = fake_registry()
    ref, subject = seed_referrers(registry, tmp_path, 3)
    work = Layout.open(tmp_path / "seed")
    signed = json.loads(artifact_bytes(subject, "application/vnd.dev.cosign.s", b"s", work))
    del signed["subject"]  # A cosign legacy signature names its image by the tag alone.
    sig = canonical_json(signed)
    for blob in parse_document(sig).children():
        registry.state.put_blob(REPO, work.read_blob(blob.digest))
    registry.state.put_manifest(REPO, sig, mt.OCI_MANIFEST, f"{subject.digest.tag_form}.sig")
    layout = Layout.open(tmp_path / "layout", create=True)
    async with RegistryClient() as client:
        registry.state.clear_log()
        report = await pull(client, layout, [ref])
    assert report.ok, report.failed
    assert registry.state.requests_matching("GET", r"/tags/list") == []
    # The legacy .sig tag was found by its HEAD, and the referrers came along.
    assert (
        dict(layout.legacy_attachments(subject.digest))["sig"].digest == parse_document(sig).digest
    )
    assert len(layout.referrers(subject.digest)) == 3


async def test_case10_each_referrer_manifest_is_parsed_once_and_stored_in_groups(
    fake_registry: Callable[..., FakeRegistry], tmp_path: Path
) -> None:
    """The walk parses each manifest once and the plan carries the parse: storing it,
    recording it in index.json and checking it at the destination do not parse again.
    Exactly two requests per referrer (its manifest, its payload); the payloads and
    manifests reach the disk in groups, and the layout is complete and verified."""
    from collections import Counter

    from ocitui.core.layout.fsck import fsck
    from ocitui.core.sync import plan as plan_module
    from ocitui.core.sync import verify, walk
    from ocitui.core.target import group_commit
    from ocitui.core.target import layout as layout_target
    from tests.hostile.support import assert_blobs_verified

    registry = fake_registry(referrers_api=False)
    count = 120
    ref, subject = seed_referrers(registry, tmp_path, count)
    layout = Layout.open(tmp_path / "layout", create=True)
    parsed: Counter[str] = Counter()

    def counting(raw: bytes, *args: object, **kwargs: object) -> object:
        parsed[str(Digest.of(raw))] += 1
        return parse_document(raw, *args, **kwargs)  # type: ignore[arg-type]

    groups: list[int] = []
    real_next = group_commit.GroupCommit._next_group

    def next_group(self: group_commit.GroupCommit) -> list[tuple[Digest, bytes]]:
        group = real_next(self)
        groups.append(len(group))
        return group

    with (
        mock.patch.object(walk, "parse_document", counting),
        mock.patch.object(plan_module, "parse_document", counting),
        mock.patch.object(verify, "parse_document", counting),
        mock.patch.object(layout_target, "parse_document", counting),
        mock.patch.object(group_commit.GroupCommit, "_next_group", next_group),
    ):
        async with RegistryClient() as client:
            registry.state.clear_log()
            report = await pull(client, layout, [ref])
    assert report.ok, report.failed
    referrers = layout.referrers(subject.digest)
    assert len(referrers) == count and report.referrers_verified == count
    assert {parsed[str(r.digest)] for r in referrers} == {1}
    manifest_gets = registry.state.requests_matching("GET", r"/manifests/sha256:")
    referrer_digests = {str(r.digest) for r in referrers}
    fetched = Counter(r.path.rsplit("/", 1)[1] for r in manifest_gets)
    assert {fetched[d] for d in referrer_digests} == {1}
    payloads = {str(r.digest): r for r in referrers}
    assert len(payloads) == count
    blob_gets = registry.state.requests_matching("GET", r"/blobs/sha256:")
    assert len(blob_gets) == len({r.path for r in blob_gets}) == count + 3  # + layer, 2 configs
    # 2 * count payloads and manifests (+ the image's few blobs), each stored once, in
    # groups: a referrer's manifest is written as soon as its payload is in place, with
    # whatever else arrived meanwhile (how many per group depends on timing).
    assert sum(groups) == 2 * count + 4 and len(groups) < sum(groups) and max(groups) > 1
    assert_blobs_verified(layout.root)
    assert fsck(layout).ok

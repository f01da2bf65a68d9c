"""Pull from the spec-faithful fake registry (referrers API path, faults, request log)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.models import canonical_json
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import (
    PLATFORMS_ANNOTATION,
    BlobDone,
    Event,
    SyncFilter,
    plan_pull,
    pull,
)
from tests.sync.graph import BUNDLE, INTOTO, SBOM, Graph, build_graph, seed_state


@pytest.fixture
def source(fake_registry: Callable[..., Any]) -> tuple[Any, Graph, str]:
    registry = fake_registry()
    graph = build_graph()
    seed_state(registry.state, "team/app", graph)
    return registry, graph, f"{registry.host}/team/app:v1"


def blob_requests(registry: Any) -> list[Any]:
    return registry.state.requests_matching(None, r"/blobs/sha256:")


async def test_pull_takes_everything_attached(source, client: RegistryClient, new_layout) -> None:
    registry, graph, ref = source
    layout = new_layout()
    report = await pull(client, layout, [ref])
    assert report.ok, report.to_json()
    assert all(layout.has_blob(d, len(b)) for d, b in graph.blobs.items())
    index = graph.names["index"]
    assert layout.resolve(ref).digest == index
    assert {d.digest for d in layout.referrers(index)} == {
        graph.names["sbom"],
        graph.names["attestation"],
    }
    assert [d.digest for d in layout.referrers(graph.names["sbom"])] == [
        graph.names["sbom-signature"]
    ]
    assert [d.digest for d in layout.referrers(graph.names["linux/arm64"])] == [
        graph.names["arm-signature"]
    ]
    legacy = layout.resolve(f"{registry.host}/team/app:sha256-{index.encoded}.sig")
    assert legacy.digest == graph.names["legacy-sig"]
    assert report.referrers_verified == 4
    assert report.left_behind == []


async def test_second_pull_makes_no_blob_requests(source, client, new_layout) -> None:
    registry, graph, ref = source
    layout = new_layout()
    assert (await pull(client, layout, [ref])).ok
    registry.state.clear_log()
    report = await pull(client, layout, [ref])
    assert report.ok
    assert blob_requests(registry) == []
    assert report.blobs_copied == 0 and report.blobs_skipped == len(graph.blobs)
    # Children and referrers by digest come from the layout, not the registry.
    assert registry.state.requests_matching("GET", r"/manifests/sha256:") == []
    # The tag it holds is checked with a HEAD; its body is not fetched again.
    assert registry.state.requests_matching("HEAD", r"/manifests/v1")
    assert registry.state.requests_matching("GET", r"/manifests/v1") == []


async def test_a_moved_tag_follows_the_head(source, client, new_layout) -> None:
    registry, graph, ref = source
    layout = new_layout()
    assert (await pull(client, layout, [ref])).ok
    moved = graph.names["linux/amd64"]
    registry.state.repos["team/app"].tags["v1"] = str(moved)
    registry.state.clear_log()
    report = await pull(client, layout, [ref])
    assert report.ok, report.to_json()
    assert layout.resolve(ref).digest == moved
    # The new target (a manifest the layout already holds) was read from the layout.
    assert registry.state.requests_matching("GET", r"/manifests/") == []


async def test_platform_filter_n_of_m(source, client, new_layout) -> None:
    _registry, graph, ref = source
    layout = new_layout()
    wanted = SyncFilter.build(["linux/amd64", "linux/arm64"])
    report = await pull(client, layout, [ref], wanted)
    assert report.ok, report.to_json()
    entry = layout.resolve(ref)
    assert entry.digest == graph.names["index"]  # original bytes and digest
    assert layout.has_blob(graph.names["index"])
    assert entry.annotations[PLATFORMS_ANNOTATION] == "linux/amd64,linux/arm64"
    assert not layout.has_blob(graph.names["linux/s390x"])
    assert layout.has_blob(graph.names["linux/arm64"])
    # The referrers of the chosen platform come along.
    assert [d.digest for d in layout.referrers(graph.names["linux/arm64"])] == [
        graph.names["arm-signature"]
    ]
    behind = [(i.reason, i.descriptor.digest) for i in report.left_behind]
    assert behind == [("platform", graph.names["linux/s390x"])]
    assert report.left_behind[0].size > 4096  # manifest + config + layer
    # Pulling the rest later completes the index and drops the annotation.
    assert (await pull(client, layout, [ref])).ok
    assert PLATFORMS_ANNOTATION not in layout.resolve(ref).annotations


async def test_artifact_type_include(source, client, new_layout) -> None:
    _registry, graph, ref = source
    layout = new_layout()
    report = await pull(client, layout, [ref], SyncFilter.build(artifact_types=[SBOM]))
    assert report.ok
    index = graph.names["index"]
    assert [d.digest for d in layout.referrers(index)] == [graph.names["sbom"]]
    reasons = {(i.reason, i.descriptor.digest) for i in report.left_behind}
    assert ("artifact-type", graph.names["attestation"]) in reasons
    assert ("artifact-type", graph.names["sbom-signature"]) in reasons
    assert ("artifact-type", graph.names["arm-signature"]) in reasons
    assert ("artifact-type", graph.names["legacy-sig"]) in reasons


async def test_artifact_type_exclude(source, client, new_layout) -> None:
    _registry, graph, ref = source
    layout = new_layout()
    report = await pull(client, layout, [ref], SyncFilter.build(exclude_artifact_types=[INTOTO]))
    assert report.ok
    assert {d.digest for d in layout.referrers(graph.names["index"])} == {graph.names["sbom"]}
    assert layout.referrers(graph.names["sbom"])[0].artifact_type == BUNDLE
    assert [(i.reason, i.descriptor.digest) for i in report.left_behind] == [
        ("artifact-type", graph.names["attestation"])
    ]


async def test_no_referrers_reports_what_stays(source, client, new_layout) -> None:
    _registry, graph, ref = source
    layout = new_layout()
    report = await pull(client, layout, [ref], SyncFilter.build(referrers=False))
    assert report.ok
    assert layout.referrers(graph.names["index"]) == []
    behind = {i.descriptor.digest for i in report.left_behind}
    assert behind == {
        graph.names[n] for n in ("sbom", "attestation", "arm-signature", "legacy-sig")
    }
    assert all(i.reason == "no-referrers" for i in report.left_behind)


async def test_dry_run_plan_content(source, client, new_layout) -> None:
    registry, graph, ref = source
    layout = new_layout()
    plan = await plan_pull(client, layout, [ref], SyncFilter.build(["linux/amd64"]))
    data = plan.to_json()
    summary = data["summary"]
    assert summary["referrers"] == 3  # sbom, its signature, attestation (arm64 left behind)
    assert summary["tags"] == 2  # the ref and the legacy .sig tag
    assert summary["leftBehind"] == 2 and summary["manifestsPresent"] == 0
    roles = sorted(m["role"] for m in data["manifests"])
    assert roles == ["index", "legacy", "platform", "referrer", "referrer", "referrer"]
    levels = {m["digest"]: i for i, m in enumerate(data["manifests"])}
    assert levels[str(graph.names["linux/amd64"])] < levels[str(graph.names["index"])]
    assert levels[str(graph.names["index"])] < levels[str(graph.names["sbom"])]
    assert levels[str(graph.names["sbom"])] < levels[str(graph.names["sbom-signature"])]
    report = await pull(client, layout, [ref], dry_run=True)
    assert report.dry_run and blob_requests(registry) == []
    assert layout.entries() == []


async def test_faults_are_retried(source, client, new_layout) -> None:
    registry, graph, ref = source
    registry.inject(r"/blobs/sha256:", "500", times=2, method="GET")
    registry.inject(r"/blobs/sha256:", "429", times=1, method="GET", retry_after=0)
    registry.inject(r"/blobs/sha256:", "reset", times=2, method="GET")
    registry.inject(r"/manifests/", "503", times=1)
    layout = new_layout()
    report = await pull(client, layout, [ref], concurrency=2)
    assert report.ok, report.to_json()
    assert all(layout.has_blob(d) for d in graph.blobs)


async def test_interrupted_pull_resumes_from_ingest(fake_registry, client, new_layout) -> None:
    registry = fake_registry()
    graph = build_graph(layer_size=64 * 1024)
    seed_state(registry.state, "team/app", graph)
    ref = f"{registry.host}/team/app:v1"
    layout = new_layout()
    big = max(graph.blobs, key=lambda d: len(graph.blobs[d]))
    data = graph.blobs[big]
    with layout.ingest(big, len(data)) as writer:  # an earlier run stopped half-way
        writer.write(data[: len(data) // 2])
    report = await pull(client, layout, [ref])
    assert report.ok
    gets = registry.state.requests_matching("GET", f"/blobs/{big}")
    assert [r.headers.get("Range") for r in gets] == [f"bytes={len(data) // 2}-"]
    assert layout.read_blob(big) == data


async def test_cancelled_pull_keeps_layout_consistent(source, client, new_layout) -> None:
    registry, _graph, ref = source
    layout = new_layout()
    task: asyncio.Task[Any] | None = None

    def emit(event: Event) -> None:
        if isinstance(event, BlobDone) and task is not None:
            task.cancel()

    task = asyncio.ensure_future(pull(client, layout, [ref], concurrency=1, emit=emit))
    with pytest.raises(asyncio.CancelledError):
        await task
    assert layout.entries() == []  # no name for an incomplete graph
    registry.state.clear_log()
    report = await pull(client, layout, [ref])
    assert report.ok and report.blobs_skipped >= 1


async def test_fallback_tag_lies_are_caught(fake_registry, client, new_layout) -> None:
    registry = fake_registry(referrers_api=False)
    graph = build_graph()
    seed_state(registry.state, "team/app", graph)
    index = graph.names["index"]
    liar = graph.names["arm-signature"]  # refers to the arm64 child, not the index
    raw = next(r for r, _, _ in graph.manifests if Digest.of(r) == liar)
    fallback = canonical_json(
        {
            "schemaVersion": 2,
            "mediaType": mt.OCI_INDEX,
            "manifests": [
                {
                    "mediaType": mt.OCI_MANIFEST,
                    "digest": str(liar),
                    "size": len(raw),
                    "artifactType": BUNDLE,
                }
            ],
        }
    )
    registry.state.put_manifest("team/app", fallback, mt.OCI_INDEX, index.tag_form)
    layout = new_layout()
    report = await pull(client, layout, [f"{registry.host}/team/app:v1"])
    assert ("bad-subject", liar) in {(i.reason, i.descriptor.digest) for i in report.left_behind}
    assert any("does not refer" in w for w in report.warnings)
    assert all(d.digest != liar for d in layout.referrers(index))


def test_cli_referrers_remote_matches_local(fake_registry, tmp_path, capsys) -> None:
    from ocitui.cli.main import main

    registry = fake_registry()
    graph = build_graph()
    seed_state(registry.state, "team/app", graph)
    ref = f"{registry.host}/team/app:v1"
    layout = ["--layout", str(tmp_path / "l")]
    assert main(["pull", ref, *layout]) == 0
    capsys.readouterr()
    assert main(["referrers", ref, "--tree", "--json", *layout]) == 0
    local = json.loads(capsys.readouterr().out)
    registry.state.clear_log()
    assert main(["referrers", ref, "--tree", "--json", "--remote", *layout]) == 0
    remote = json.loads(capsys.readouterr().out)
    assert registry.state.requests_matching("GET", "/referrers/")
    strip = {"dev.ocitui.referrer.subject"}

    def norm(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for original in rows:
            row = {k: v for k, v in original.items() if k != "source"}
            if isinstance(row.get("annotations"), dict):
                row["annotations"] = {k: v for k, v in row["annotations"].items() if k not in strip}
            if isinstance(row.get("referrers"), list):
                row["referrers"] = norm(row["referrers"])
            out.append(row)
        return sorted(out, key=lambda r: json.dumps(r, sort_keys=True))

    assert norm(remote) == norm(local)
    assert len(remote) == 2 and len(next(r for r in remote if r["referrers"])["referrers"]) == 1


async def test_pull_fsyncs_the_blob_directory_once_and_before_index_json(
    source, client: RegistryClient, new_layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every blob's bytes are fsynced before its rename; the directory once, before the
    index names them (it was two fsyncs per blob)."""
    from ocitui.core.target import layout as layout_target
    from tests.support.durability import record_durability

    _, _, ref = source
    layout = new_layout()
    order = record_durability(monkeypatch, layout_target, files=True)
    report = await pull(client, layout, [ref])
    assert report.ok, report.to_json()
    blobs = report.blobs_copied
    assert blobs >= 5
    assert order.count("file") >= blobs  # each blob's bytes, before its rename
    batched = [i for i, what in enumerate(order) if what == "dir:sha256"]
    # Manifests stored one by one still sync their own directory; the blobs share one.
    assert len(batched) <= 1 + report.manifests_written < blobs + report.manifests_written
    first_index_write = order.index("write:index.json")
    assert batched and batched[0] < first_index_write


async def test_push_heads_each_missing_blob_once(source, client, new_layout) -> None:
    """The plan HEADs every blob at the destination; the upload does not ask again."""
    from ocitui.core.reference import parse_reference
    from ocitui.core.sync import push

    registry, _, ref = source
    layout = new_layout()
    assert (await pull(client, layout, [ref])).ok
    registry.state.clear_log()
    dest = parse_reference(f"{registry.host}/elsewhere/app:v1")
    report = await push(layout, client, [(ref, dest)])
    assert report.ok, report.to_json()
    heads = registry.state.requests_matching("HEAD", r"/elsewhere/app/blobs/")
    uploads = registry.state.requests_matching("POST", r"/elsewhere/app/blobs/uploads/")
    assert uploads and len(heads) == len({h.path for h in heads})


async def test_push_and_pull_reuse_connections(source, client, new_layout) -> None:
    """Responses whose bodies are not wanted (HEAD, 202, 201) are read to their end, so
    their connections go back to the pool: a sync opens about as many connections as it
    runs requests at once, not one per request (it was one per HEAD, POST and PUT)."""
    from ocitui.core.reference import parse_reference
    from ocitui.core.sync import push

    registry, _, ref = source
    layout = new_layout()
    assert (await pull(client, layout, [ref])).ok
    pulled = len(registry.requests)
    assert registry.connections <= 12 < pulled
    before = registry.connections
    registry.state.clear_log()
    dest = parse_reference(f"{registry.host}/elsewhere/app:v1")
    report = await push(layout, client, [(ref, dest)])
    assert report.ok, report.to_json()
    pushed = len(registry.requests)
    assert registry.state.requests_matching("HEAD", r"/elsewhere/app/blobs/")
    assert registry.state.requests_matching("POST", r"/elsewhere/app/blobs/uploads/")
    assert registry.connections - before <= 10 < pushed

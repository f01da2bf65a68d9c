"""One behaviour contract, run over every :class:`Target`: a layout, a registry (the
fake registry, referrers API on), and archives (plain tar, ``.tar.zst``, split parts).

The same graph is in each: ``demo/app:1`` (an index of two images) with an SBOM, a
signature of the SBOM and a legacy cosign ``.sig`` tag.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ocitui.core.archive import export_archive
from ocitui.core.digest import Digest
from ocitui.core.errors import LayoutError, ManifestError, NotFound
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor, Manifest, parse_document
from ocitui.core.reference import Reference, parse_reference
from ocitui.core.registry import RegistryClient, RegistryOptions
from ocitui.core.sync import push
from ocitui.core.target import (
    ArchiveTarget,
    LayoutTarget,
    RegistryTarget,
    SpoolSink,
    TagWrite,
    Target,
)
from tests.archive import builders

NAME = "registry.example.com/demo/app"
SBOM = "application/spdx+json"
SIG = "application/vnd.dev.sigstore.bundle.v0.3+json"
KINDS = ["layout", "registry", "archive-tar", "archive-zst", "archive-split"]


@dataclass
class Graph:
    """What was built, to assert against."""

    layout: Layout
    app: Descriptor
    amd: Descriptor
    sbom: Descriptor
    sig_tag: Descriptor
    layer: bytes


@dataclass
class Case:
    """A target holding the graph, and the repository it is in."""

    kind: str
    target: Target
    repo: Reference
    graph: Graph


def build(root: Path) -> Graph:
    layout = Layout.open(root, create=True)
    payload = random.Random(7).randbytes(300_000)  # Over the archive's in-memory size.
    amd = builders.image(layout, None, payload=payload)
    arm = builders.image(layout, None, payload=b"arm" * 10)
    app = builders.index(layout, f"{NAME}:1", [amd, arm])
    sbom = builders.referrer(layout, app, SBOM, b'{"spdx": 1}')
    builders.referrer(layout, sbom, SIG, b'{"sig": 1}')
    sig_tag = builders.legacy_sig(layout, NAME, app)
    return Graph(layout, app, amd, sbom, sig_tag, payload)


async def _no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
async def client() -> AsyncIterator[RegistryClient]:
    async with RegistryClient(RegistryOptions(retries=2), sleep=_no_sleep) as c:
        yield c


@pytest.fixture(params=KINDS)
async def case(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    client: RegistryClient,
    fake_registry: Callable[..., Any],
) -> Case:
    graph = build(tmp_path / "src")
    kind: str = request.param
    if kind == "layout":
        return Case(kind, LayoutTarget(graph.layout), parse_reference(NAME), graph)
    if kind == "registry":
        registry = fake_registry()
        dest = parse_reference(f"{registry.host}/demo/app:1")
        report = await push(graph.layout, client, [(f"{NAME}:1", dest)])
        assert report.ok, report.to_json()
        repo = Reference(dest.registry, dest.repository)
        return Case(kind, RegistryTarget(client), repo, graph)
    suffix = {"archive-tar": ".tar", "archive-zst": ".tar.zst", "archive-split": ".tar.zst"}
    path = tmp_path / f"app{suffix[kind]}"
    split = 100_000 if kind == "archive-split" else None
    export_archive(graph.layout, path, split=split)
    opened = path.with_name(path.name + ".parts.json") if split else path
    return Case(kind, ArchiveTarget.open(opened), parse_reference(NAME), graph)


async def test_resolve_gives_verified_bytes_and_the_name(case: Case) -> None:
    desc, raw = await case.target.resolve(case.repo, str(case.repo.with_tag("1")))
    assert desc.digest == case.graph.app.digest == Digest.of(raw)
    assert desc.ref_name == str(case.repo.with_tag("1"))


async def test_fetch_manifest_and_absent(case: Case) -> None:
    raw = await case.target.fetch(case.repo, case.graph.amd)
    assert Digest.of(raw) == case.graph.amd.digest
    absent = case.graph.amd.with_changes(digest=Digest.of(b"nothing"))
    with pytest.raises(NotFound):
        await case.target.fetch(case.repo, absent)


async def test_small_and_streamed_blobs(case: Case) -> None:
    doc = parse_document(await case.target.fetch(case.repo, case.graph.amd))
    assert isinstance(doc, Manifest)
    config = await case.target.fetch_blob(case.repo, doc.config, max_size=1 << 20)
    assert Digest.of(config) == doc.config.digest
    layer = doc.layers[0]
    with pytest.raises(ManifestError):
        await case.target.fetch_blob(case.repo, layer, max_size=1000)
    sink = SpoolSink(layer)
    seen: list[int] = []
    await case.target.stream_blob(case.repo, layer, sink, seen.append)
    assert sink.value() == case.graph.layer
    assert sum(seen) == len(case.graph.layer)


async def test_exists_by_media_type(case: Case) -> None:
    doc = parse_document(await case.target.fetch(case.repo, case.graph.amd))
    assert isinstance(doc, Manifest)
    assert await case.target.exists(case.repo, case.graph.amd)
    assert await case.target.exists(case.repo, doc.layers[0])
    absent = doc.layers[0].with_changes(digest=Digest.of(b"nothing"))
    assert not await case.target.exists(case.repo, absent)


async def test_referrers_with_artifact_type_filter(case: Case) -> None:
    found = await case.target.referrers(case.repo, case.graph.app.digest)
    assert [d.digest for d in found] == [case.graph.sbom.digest]
    assert found[0].artifact_type == SBOM
    assert await case.target.referrers(case.repo, case.graph.app.digest, [SIG]) == []
    nested = await case.target.referrers(case.repo, case.graph.sbom.digest, [SIG])
    assert [d.artifact_type for d in nested] == [SIG]


async def test_legacy_tags_and_tag_lookup(case: Case) -> None:
    legacy = await case.target.legacy(case.repo, case.graph.app.digest)
    assert dict(legacy)["sig"].digest == case.graph.sig_tag.digest
    found = await case.target.lookup_tag(case.repo, "1")
    assert found is not None and found.digest == case.graph.app.digest
    assert await case.target.lookup_tag(case.repo, "nope") is None
    tags = await case.target.tags(case.repo)
    assert "1" in tags
    assert f"sha256-{case.graph.app.digest.encoded}.sig" in tags


async def test_capabilities(case: Case) -> None:
    caps = case.target.capabilities
    assert caps.local == (case.kind != "registry")
    assert caps.read_only == case.kind.startswith("archive")
    assert caps.can_mount == (case.kind == "registry")
    # Only a writable layout is a local store (lease, index gate, unreferenced blobs).
    assert (case.target.local_store is not None) == (case.kind == "layout")


async def test_writes_copy_a_graph_or_are_refused(case: Case, tmp_path: Path) -> None:
    """Copy ``amd`` (blobs, manifest, a tag) from a fresh layout into the target."""
    other = build(tmp_path / "other")
    source = LayoutTarget(other.layout)
    src_repo = parse_reference(NAME)
    raw = await source.fetch(src_repo, other.amd)
    doc = parse_document(raw)
    assert isinstance(doc, Manifest)
    tag = TagWrite(case.repo, "copied", str(case.repo.with_tag("copied")), other.amd, raw)
    if case.target.capabilities.read_only:
        with pytest.raises(LayoutError):
            await case.target.push_manifest(case.repo, raw, doc.media_type)
        with pytest.raises(LayoutError):
            await case.target.commit([], [tag])
        return
    starts: list[int] = []
    for blob in doc.children():
        how = await case.target.push_blob(
            case.repo, blob, source, src_repo, started=starts.append, on_progress=None
        )
        assert how in ("exists", "downloaded", "uploaded", "mounted")
    await case.target.push_manifest(case.repo, raw, doc.media_type)
    assert await case.target.commit([], [tag]) == 1
    found = await case.target.lookup_tag(case.repo, "copied")
    assert found is not None and found.digest == other.amd.digest
    assert await case.target.fetch(case.repo, other.amd) == raw


async def test_registry_copies_from_a_remote_source_through_a_spool(
    tmp_path: Path, client: RegistryClient, fake_registry: Callable[..., Any]
) -> None:
    """A source that is not on this machine is spooled, verified, then uploaded."""
    graph = build(tmp_path / "src")
    registry = fake_registry()
    dest = parse_reference(f"{registry.host}/demo/app:1")
    assert (await push(graph.layout, client, [(f"{NAME}:1", dest)])).ok
    target = RegistryTarget(client)
    src_repo = Reference(dest.registry, dest.repository)
    other_repo = Reference(dest.registry, "other/app")
    doc = parse_document(await target.fetch(src_repo, graph.amd))
    assert isinstance(doc, Manifest)
    layer = doc.layers[0]
    how = await target.push_blob(
        other_repo, layer, target, src_repo, started=lambda _n: None, on_progress=None
    )
    assert how == "uploaded"
    assert await target.exists(other_repo, layer)

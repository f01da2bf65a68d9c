"""The registry pane's model against the fake registry: the catalog (and a registry that
refuses it), a repository's tags, a tag's platforms, verified referrers and legacy tag,
and a referrer whose ``subject`` names something else (flagged, never valid)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ocitui.core.reference import parse_reference
from ocitui.core.target.registry import RegistryTarget
from ocitui.core.views_registry import RemoteNode, expand, node_rows, read_catalog
from tests.support.fake_registry import FakeRegistry
from tests.tui.loopback import REGISTRY, REPO, loopback_factory, plant_stray_referrer, seed

Factory = Callable[..., FakeRegistry]


def repository_node() -> RemoteNode:
    return RemoteNode("repository", parse_reference(REPO, default_tag=None), "demo/app")


async def test_catalog_and_a_refused_catalog(fake_registry: Factory, tmp_path: Path) -> None:
    registry = fake_registry()
    await seed(registry, tmp_path, [])
    async with loopback_factory(registry.host)() as client:
        target = RegistryTarget(client)
        catalog = await read_catalog(target, REGISTRY)
        assert catalog.repositories == ("demo/app",) and not catalog.refused
        assert catalog.matching("APP") == ["demo/app"] and catalog.matching("x") == []
        registry.inject(r"/v2/_catalog", "403")
        refused = await read_catalog(target, REGISTRY)
    assert refused.repositories == () and "HTTP 403" in refused.refused
    assert f"{REGISTRY} does not list its repositories" in refused.refused
    assert f"e.g. {REGISTRY}/team/app" in refused.refused


async def test_tags_then_a_tag_s_platforms_referrers_and_legacy_tag(
    fake_registry: Factory, tmp_path: Path
) -> None:
    registry = fake_registry()
    digest = await seed(registry, tmp_path, ["2.0", "10.0"])
    async with loopback_factory(registry.host)() as client:
        target = RegistryTarget(client)
        tags = await expand(target, repository_node())
        assert [n.name for n in tags.children] == ["1.0", "2.0", "10.0"]  # natural order
        assert len(tags.machine_tags) == 1 and tags.machine_tags[0].endswith(".sig")
        assert tags.summary == "3 tags · 1 machine tag set apart" and tags.short == "3 tags"
        rows = dict(node_rows(repository_node(), tags))
        assert rows["tags"] == tags.summary and rows["machine tags"].endswith(".sig")
        tag = tags.children[0]
        assert tag.ref == f"{REPO}:1.0" and tag.pullable and tag.title == "demo/app:1.0"
        one = await expand(target, tag)
        assert one.descriptor is not None and str(one.descriptor.digest) == digest
        kinds = [n.kind for n in one.children]
        assert kinds == ["platform", "platform", "referrer", "referrer", "legacy"]
        assert [n.name for n in one.children[:2]] == ["linux/amd64", "linux/arm64"]
        referrers = [n for n in one.children if n.kind == "referrer"]
        assert all(n.verdict == "verified" and n.label.startswith("↳ ✓ @") for n in referrers)
        assert one.summary == "index · 2 platforms · 2 referrers · legacy .sig"
        legacy = one.children[-1]
        assert legacy.type_label == "cosign signature (legacy .sig tag)"
        assert legacy.ref.endswith(f":sha256-{digest[7:]}.sig") and not legacy.expandable
        # The SBOM has a signature of its own, one level further down.
        sbom = next(n for n in referrers if "SBOM" in n.type_label)
        below = await expand(target, sbom)
        assert [(n.kind, n.verdict) for n in below.children] == [("referrer", "verified")]
        assert below.children[0].subject == sbom.descriptor.digest  # type: ignore[union-attr]


async def test_a_referrer_naming_another_subject_is_flagged(
    fake_registry: Factory, tmp_path: Path
) -> None:
    # No referrers API: the fallback tag index is a hint anyone can write to.
    registry = fake_registry(referrers_api=False)
    digest = await seed(registry, tmp_path, [])
    stray, sbom = plant_stray_referrer(registry, digest)
    async with loopback_factory(registry.host)() as client:
        target = RegistryTarget(client)
        tag = RemoteNode("tag", parse_reference(REPO, default_tag=None), "1.0")
        one = await expand(target, tag)
    referrers = [n for n in one.children if n.kind == "referrer"]
    flagged = [n for n in referrers if n.verdict != "verified"]
    assert len(referrers) == 3 and len(flagged) == 1
    bad = flagged[0]
    assert str(bad.descriptor.digest) == stray  # type: ignore[union-attr]
    assert bad.verdict == "mismatch" and not bad.pullable and not bad.expandable
    assert f"names @{sbom[7:19]}, not @{digest[7:19]}" == bad.reason and "✓" not in bad.label
    assert bad.label.startswith("↳ ✗ @") and "subject mismatch: names @" in bad.label
    assert "1 flagged" in one.summary and one.short == "index · 2 plat · 3 ref · 1 ✗"
    rows = dict(node_rows(bad))
    assert rows["subject check"] == f"✗ subject mismatch: {bad.reason}"
    assert rows["reference"] == f"{REPO}@{stray}" and rows["type"] == bad.type_label

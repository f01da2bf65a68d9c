"""An entry naming an imgpkg bundle stages every image the bundle locks (the pull engine's rule)."""

from __future__ import annotations

from pathlib import Path

from ocitui.core.layout import Layout
from tests.mirror.conftest import Runner
from tests.sync.test_bundles_fake import World, imgpkg_name, world  # noqa: F401 - fixture


async def test_bundle_entry_brings_locked_images(world: World, run_mirror: Runner, tmp_path: Path):  # noqa: F811
    text = f"ocitui-mirror: v1\nimages:\n  - source: {world.host}/team/outer\n    tags: ['1']\n"
    layout = Layout.open(tmp_path / "layout", create=True)
    report = await run_mirror(text, layout)
    assert report.ok, report.to_json()
    repo = f"{world.host}/team/outer"
    for desc in (world.inner, world.app1, world.app2):
        assert layout.resolve(imgpkg_name(repo, desc.digest)).digest == desc.digest
    assert [d.digest for d in layout.referrers(world.app1.digest)] == [world.sbom.digest]
    world.registry.requests.clear()
    again = await run_mirror(text, layout)
    assert again.ok and again.staging is not None and again.staging.blobs_copied == 0
    assert not [r for r in world.registry.requests if "/blobs/" in r.path]

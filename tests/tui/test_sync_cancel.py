"""Cancelling a pull mid-transfer (escape) leaves index.json alone and the partial blob
in ``ingest/``; running the pull again resumes it with a Range request and completes."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input, Static

from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from tests.archive import builders
from tests.support.fake_registry import FakeRegistry
from tests.tui.conftest import open_sync, plain_text, settle, until
from tests.tui.loopback import REGISTRY, RegistryRig, loopback_factory, push_to

BIG = f"{REGISTRY}/demo/big:1"
BIG_SIZE = 3 * 1024 * 1024


async def seed_big(registry: FakeRegistry, tmp_path: Path) -> str:
    """Push an image with one 3 MiB layer; return that layer's digest."""
    source = Layout.open(tmp_path / "source", create=True)
    payload = os.urandom(BIG_SIZE)
    image = builders.image(source, "registry.example.com/demo/big:1", payload=payload)
    await push_to(registry, source, "registry.example.com/demo/big:1", BIG)
    manifest = source.get_document(image.digest)
    return str(manifest.children()[-1].digest)


async def test_escape_cancels_a_pull_and_the_next_run_resumes(
    empty_layout: Layout,
    registry_rig: Callable[..., RegistryRig],
    tmp_path: Path,
) -> None:
    rig = registry_rig()
    registry = rig.registry
    layer = await seed_big(registry, tmp_path)
    gate = asyncio.Event()  # Never set: the layer stops after its first chunk.
    app = rig.app(empty_layout, gate=(f"/blobs/{layer}", gate))
    index_before = (empty_layout.root / "index.json").read_bytes()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_sync(app, pilot)
        screen.query_one("#sync-ref", Input).value = BIG
        screen.query_one("#sync-out").focus()
        await pilot.press("ctrl+g")
        await until(
            pilot,
            lambda: any(b.digest == layer and b.done > 0 for b in screen.progress.active.values()),
            "the layer in flight with bytes written",
        )
        await pilot.press("escape")
        await settle(pilot)
        assert "Cancelled" in plain_text(screen.query_one("#sync-body", Static).content)
        assert screen.progress.report is None
        # Nothing half-done is visible: index.json as before, the layer only in ingest/.
        assert (empty_layout.root / "index.json").read_bytes() == index_before
        partial = empty_layout.root / "ingest" / f"{layer.replace(':', '-')}.partial"
        held = partial.stat().st_size
        assert 0 < held < BIG_SIZE
        assert not empty_layout.root.joinpath("blobs", *layer.split(":")).exists()
        # Again, without the gate: it resumes from what ingest/ holds and completes.
        app.registry_factory = loopback_factory(registry.host)
        registry.state.clear_log()
        await pilot.press("ctrl+g")
        await settle(pilot)
        report = screen.progress.report
        assert report is not None and report.ok
        assert empty_layout.resolve(BIG).ref_name == BIG
        assert empty_layout.has_blob(Digest.parse(layer), BIG_SIZE)
        assert not partial.exists()
        ranges = [
            value
            for r in registry.state.requests_matching("GET", f"/blobs/{layer}")
            for key, value in r.headers.items()
            if key.lower() == "range"
        ]
        assert ranges == [f"bytes={held}-"]

"""Remote tags in the Sync pane, against the loopback fake registry: paginated listing,
filter, verified summary and referrers of a tag, and pulling it through plan -> run."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from syrupy.assertion import SnapshotAssertion
from textual.widgets import Input, Static

from ocitui.core.layout import Layout
from ocitui.core.reference import parse_reference
from ocitui.core.sync import SyncFilter, push
from ocitui.tui.app import OcituiApp
from ocitui.tui.screens.remote import RemoteScreen, TagList
from ocitui.tui.screens.sync import SyncScreen
from tests.support.fake_registry import OCI_INDEX, FakeRegistry
from tests.tui.conftest import plain_text, settle
from tests.tui.loopback import REGISTRY, loopback_factory
from tests.tui.sample import build_sample

APP10 = "registry.example.com/demo/app:1.0"
REPO = f"{REGISTRY}/demo/app"


async def seed(registry: FakeRegistry, tmp_path: Path, extra_tags: list[str]) -> str:
    """Push the sample's app:1.0 (referrers and legacy .sig too) as ``REPO:1.0``, then
    point ``extra_tags`` at the same index; returns its digest."""
    source = build_sample(tmp_path / "source")
    async with loopback_factory(registry.host)() as client:
        report = await push(source, client, [(APP10, parse_reference(f"{REPO}:1.0"))], SyncFilter())
    assert report.ok
    digest = str(source.resolve(APP10).digest)
    for tag in extra_tags:
        registry.state.repo("demo/app").tags[tag] = digest
    return digest


def plant_stray_referrer(registry: FakeRegistry, digest: str) -> tuple[str, str]:
    """List the SBOM's own signature (whose subject is the SBOM) in ``digest``'s fallback
    tag index too, as a careless or hostile writer could; ``(stray, sbom)`` digests.
    Needs a registry without the referrers API (the fallback tag is then the listing)."""
    repo = registry.state.repo("demo/app")
    fallback = f"sha256-{digest[7:]}"
    index = json.loads(repo.manifests[repo.tags[fallback]][0])
    sbom = next(d for d in index["manifests"] if "spdx" in d.get("artifactType", ""))
    below = json.loads(repo.manifests[repo.tags[f"sha256-{sbom['digest'][7:]}"]][0])
    stray = below["manifests"][0]
    index["manifests"].append(stray)
    registry.state.put_manifest("demo/app", json.dumps(index).encode(), OCI_INDEX, fallback)
    return str(stray["digest"]), str(sbom["digest"])


async def open_remote(app: OcituiApp, pilot: Any, repository: str) -> RemoteScreen:
    """Sync pane -> ctrl+t -> type ``repository`` -> enter, settled."""
    await pilot.press("4")
    await settle(pilot)
    await pilot.press("ctrl+t")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, RemoteScreen)
    field = screen.query_one("#remote-repo", Input)
    field.value = repository
    field.focus()
    await pilot.press("enter")
    await settle(pilot)
    return screen


def detail_text(screen: RemoteScreen) -> str:
    """The detail column, as plain text."""
    return plain_text(screen.query_one("#remote-detail", Static).content, width=120)


async def test_list_filter_inspect_and_pull_a_remote_tag(
    empty_layout: Layout,
    make_app: Callable[..., OcituiApp],
    fake_registry: Callable[..., FakeRegistry],
    tmp_path: Path,
) -> None:
    registry = fake_registry()
    digest = await seed(registry, tmp_path, [f"1.{i}" for i in range(1, 105)])
    app = make_app(empty_layout)
    app.registry_factory = loopback_factory(registry.host)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_remote(app, pilot, REPO)
        listing = screen.listing
        assert listing is not None and len(listing.tags) == 105
        # Paginated: the client asked for pages of 100 and followed the Link chain.
        assert len(registry.state.requests_matching("GET", r"/tags/list")) == 2
        # The legacy cosign tag that travelled with the image is set apart, not listed.
        assert listing.machine and all(t.endswith(".sig") for t in listing.machine)
        assert listing.tags[:3] == ["1.0", "1.1", "1.2"]  # natural order
        assert "105 tags · 1 machine tag hidden" in str(screen.query_one("#status").render())
        # The first tag's summary and verified referrer tree, read from the registry.
        text = detail_text(screen)
        assert f"{REPO}:1.0" in text and digest in text
        assert "linux/amd64, linux/arm64" in text
        assert screen.detail is not None
        assert [(r.depth, r.verified) for r in screen.detail.referrers] == [
            (0, True),
            (1, True),
            (0, True),
        ]
        assert re.search(r"legacy tags\s+\.sig", text)
        # Filter, then move to a tag: its detail follows the cursor.
        await pilot.press("slash", *"1.10")
        await settle(pilot)
        tags = screen.query_one(TagList)
        assert tags.option_count == 6  # 1.10 and 1.100 .. 1.104
        await pilot.press("enter", "j")
        await settle(pilot)
        assert screen.selected_tag == "1.100"
        assert f"{REPO}:1.100" in detail_text(screen)
        # p: back to the Sync pane, the pull form prefilled and its plan shown.
        await pilot.press("p")
        await settle(pilot)
        sync = app.screen
        assert isinstance(sync, SyncScreen) and sync.direction == "pull"
        assert sync.query_one("#sync-ref", Input).value == f"{REPO}:1.100"
        assert "Plan (nothing copied yet)" in plain_text(
            sync.query_one("#sync-body", Static).content
        )
        await pilot.press("ctrl+g")
        await settle(pilot)
        report = sync.progress.report
        assert report is not None and report.ok and report.referrers_verified == 3
        pulled = empty_layout.resolve(f"{REPO}:1.100")
        assert str(pulled.digest) == digest
        assert len(empty_layout.referrer_tree(pulled.digest)) == 2
        assert not [n for n in app._notifications if n.severity == "error"]


async def test_remote_failures_are_one_line_notifications(
    sample_layout: Layout,
    make_app: Callable[..., OcituiApp],
    fake_registry: Callable[..., FakeRegistry],
    tmp_path: Path,
) -> None:
    registry = fake_registry()
    await seed(registry, tmp_path, [])
    app = make_app(sample_layout)
    app.registry_factory = loopback_factory(registry.host)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_remote(app, pilot, "Not A Repo!!")
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "invalid reference" in errors[0] and "\n" not in errors[0]
        # The registry refusing is reported the same way; the screen stays usable.
        registry.inject(r"/tags/list", "403")
        field = screen.query_one("#remote-repo", Input)
        field.value = REPO
        field.focus()
        await pilot.press("enter")
        await settle(pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert len(errors) == 2 and "403" in errors[1] and app.screen is screen
        assert "Failed" in detail_text(screen)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen)
        assert app.screen.query_one("#sync-ref", Input).value != REPO  # nothing chosen


async def test_snapshot_remote_tags(
    sample_layout: Layout,
    make_app: Callable[..., OcituiApp],
    fake_registry: Callable[..., FakeRegistry],
    svg_snapshot: SnapshotAssertion,
    tmp_path: Path,
) -> None:
    registry = fake_registry()
    await seed(registry, tmp_path, ["1.1", "2.0", "latest"])
    app = make_app(sample_layout)
    app.registry_factory = loopback_factory(registry.host)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_remote(app, pilot, REPO)
        assert screen.detail is not None
        assert app.export_screenshot() == svg_snapshot

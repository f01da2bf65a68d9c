"""Remote tags in the Sync pane, against the loopback fake registry: paginated listing,
filter, verified summary and referrers of a tag, and pulling it through plan -> run."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from syrupy.assertion import SnapshotAssertion
from textual.widgets import Input, Static

from ocitui.core.layout import Layout
from ocitui.tui.app import OcituiApp
from ocitui.tui.screens.remote import RemoteScreen, TagList
from ocitui.tui.screens.sync import SyncScreen
from tests.tui.conftest import plain_text, settle, toasts
from tests.tui.loopback import REPO, RegistryRig


async def open_remote(
    app: OcituiApp, pilot: Any, repository: str, *, settled: bool = True
) -> RemoteScreen:
    """Sync pane -> ctrl+t -> type ``repository`` -> enter; then settled, unless not
    ``settled`` (to see what the screen shows while the listing is still read)."""
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
    if settled:
        await settle(pilot)
    return screen


def detail_text(screen: RemoteScreen) -> str:
    """The detail column, as plain text."""
    return plain_text(screen.query_one("#remote-detail", Static).content, width=120)


async def test_list_filter_inspect_and_pull_a_remote_tag(
    empty_layout: Layout,
    registry_rig: Callable[..., RegistryRig],
) -> None:
    rig = registry_rig()
    digest = await rig.seed([f"1.{i}" for i in range(1, 105)])
    app = rig.app(empty_layout)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_remote(app, pilot, REPO)
        listing = screen.listing
        assert listing is not None and len(listing.tags) == 105
        # Paginated: the client asked for pages of 100 and followed the Link chain.
        assert len(rig.registry.state.requests_matching("GET", r"/tags/list")) == 2
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
        assert not toasts(app)


async def test_remote_failures_are_one_line_notifications(
    sample_layout: Layout,
    registry_rig: Callable[..., RegistryRig],
) -> None:
    rig = registry_rig()
    await rig.seed()
    app = rig.app(sample_layout)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_remote(app, pilot, "Not A Repo!!")
        errors = toasts(app)
        assert len(errors) == 1 and "invalid reference" in errors[0] and "\n" not in errors[0]
        # The registry refusing is reported the same way; the screen stays usable.
        rig.registry.inject(r"/tags/list", "403")
        field = screen.query_one("#remote-repo", Input)
        field.value = REPO
        field.focus()
        await pilot.press("enter")
        await settle(pilot)
        errors = toasts(app)
        assert len(errors) == 2 and "403" in errors[1] and app.screen is screen
        assert "Failed" in detail_text(screen)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen)
        assert app.screen.query_one("#sync-ref", Input).value != REPO  # nothing chosen


async def test_snapshot_remote_tags(
    sample_layout: Layout,
    registry_rig: Callable[..., RegistryRig],
    svg_snapshot: SnapshotAssertion,
) -> None:
    rig = registry_rig()
    await rig.seed(["1.1", "2.0", "latest"])
    app = rig.app(sample_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_remote(app, pilot, REPO)
        assert screen.detail is not None
        assert app.export_screenshot() == svg_snapshot

"""The Registry pane (5) against the fake registry: catalog -> repository -> tag ->
platforms and verified referrers; a refused catalog; a flagged referrer; the Browse keys
(j/k, enter, /, v, y/Y, p) and a pull with progress; snapshots at 80x24 and 120x40."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from textual.widgets import Input, Static

from ocitui.core.layout import Layout
from ocitui.tui.app import OcituiApp
from ocitui.tui.screens.inside import InsideScreen
from ocitui.tui.screens.registry import RegistryScreen, RegistryTree
from tests.tui.conftest import plain_text, settle, toasts
from tests.tui.loopback import REGISTRY, REPO, RegistryRig, plant_stray_referrer


async def open_registry(app: OcituiApp, pilot: Any, text: str) -> RegistryScreen:
    """Pane 5, type ``text`` in the registry field, enter; settled."""
    await pilot.press("5")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, RegistryScreen)
    field = screen.query_one("#registry-target", Input)
    assert screen.focused is field  # ready to type on arrival
    field.value = text
    await pilot.press("enter")
    await settle(pilot)
    return screen


def rows(screen: RegistryScreen) -> list[str]:
    """The visible tree rows as plain text."""
    tree = screen.query_one(RegistryTree)
    out = []
    for line in range(tree.last_line + 1):
        node = tree.get_node_at_line(line)
        if node is not None:
            out.append(node.label.plain)
    return out


def detail(screen: RegistryScreen) -> str:
    return plain_text(screen.query_one("#registry-detail", Static).content, width=120)


async def goto(pilot: Any, screen: RegistryScreen, startswith: str) -> None:
    """Move the cursor down with j until the row starts with ``startswith``."""
    tree = screen.query_one(RegistryTree)
    for _ in range(30):
        node = tree.cursor_node
        if node is not None and node.label.plain.lstrip().startswith(startswith):
            await settle(pilot)
            return
        await pilot.press("j")
    raise AssertionError(f"no row {startswith!r} in {rows(screen)}")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_browse_a_registry_then_pull_a_tag(
    *,
    empty_layout: Layout,
    registry_rig: Callable[..., RegistryRig],
    svg_snapshot: SnapshotAssertion,
    size: tuple[int, int],
) -> None:
    rig = registry_rig()
    digest = await rig.seed(["1.1", "10.0"])
    app = rig.app(empty_layout)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        screen = await open_registry(app, pilot, REGISTRY)
        assert screen.catalog is not None and screen.catalog.repositories == ("demo/app",)
        # One repository: it is opened at once; tags in natural order, machine tags apart.
        assert rows(screen)[:4] == [
            "demo/app  3 tags",
            "1.0",
            "1.1",
            "10.0",
        ]
        assert "1 repository in registry.test" in str(screen.query_one("#status").render())
        await pilot.press("j")  # onto 1.0
        await settle(pilot)
        assert f"{REPO}:1.0" in detail(screen) and digest in detail(screen)
        await pilot.press("l")  # expand: platforms, referrers (checked), legacy tag
        await settle(pilot)
        shown = rows(screen)
        assert shown[1] == "1.0  index · 2 plat · 2 ref"
        assert shown[2].startswith("linux/amd64 @") and shown[3].startswith("linux/arm64 @")
        referrers = [r for r in shown if r.startswith("↳ ✓ @")]
        assert len(referrers) == 2 and "SPDX SBOM" in referrers[0]
        assert shown[-3].endswith("cosign signature (legacy .sig tag)")
        await pilot.press("l", "h")  # into the first platform and back out to the tag
        await settle(pilot)
        assert screen.selected is not None and screen.selected.name == "1.0"
        assert app.export_screenshot() == svg_snapshot
        # y / Y: the tag's digest and full reference.
        await pilot.press("y")
        assert app.clipboard == digest
        await pilot.press("Y")
        assert app.clipboard == f"{REPO}:1.0"
        # v on the SBOM: fetched (verified) into a scratch layout, read by the core viewer.
        await goto(pilot, screen, "↳ ✓")
        while "SBOM" not in screen.query_one(RegistryTree).cursor_node.label.plain:  # type: ignore[union-attr]
            await pilot.press("j")
        await settle(pilot)
        assert "✓ names @" in detail(screen)
        await pilot.press("v")
        await settle(pilot)
        inside = app.screen
        assert isinstance(inside, InsideScreen) and inside.inside is not None
        assert inside.inside.kind == "sbom" and inside.inside.sbom is not None
        assert not empty_layout.entries()  # looking inside wrote nothing to the layout
        await pilot.press("escape")
        await settle(pilot)
        # p on the tag: plan, run with progress, report; the layout has it.
        await pilot.press("k", "k", "k", "k")
        await goto(pilot, screen, "1.0")
        await pilot.press("p")
        await settle(pilot)
        report = screen.progress.report
        assert report is not None and report.ok
        assert f"Pulled {REPO}:1.0" in detail(screen)
        assert str(empty_layout.resolve(f"{REPO}:1.0").digest) == digest
        assert not toasts(app)


async def test_a_refused_catalog_asks_for_a_repository(
    empty_layout: Layout,
    registry_rig: Callable[..., RegistryRig],
) -> None:
    rig = registry_rig()
    await rig.seed(["2.0"])
    rig.registry.inject(r"/v2/_catalog", "404")
    app = rig.app(empty_layout)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_registry(app, pilot, REGISTRY)
        assert f"{REGISTRY} does not list its repositories (HTTP 404" in detail(screen)
        assert "catalog refused" in str(screen.query_one("#status").render())
        field = screen.query_one("#registry-target", Input)
        assert screen.focused is field and field.value == f"{REGISTRY}/"
        await pilot.press(*"demo/app", "enter")
        await settle(pilot)
        assert rows(screen)[:3] == ["demo/app  2 tags", "1.0", "2.0"]
        # / searches what was read, as Browse's does: 1.0 (opened) has an SPDX SBOM
        # referrer and is kept with it; 2.0 (not opened) is not.
        await pilot.press("j", "l")
        await settle(pilot)
        await pilot.press("slash", *"spdx")
        await settle(pilot)
        shown = rows(screen)
        assert shown[0] == "demo/app  2 tags" and shown[1].startswith("1.0  index")
        assert "2.0" not in shown and any("SPDX SBOM" in row for row in shown)
        await pilot.press("escape", "escape")
        await settle(pilot)
        # A miss says so.
        await pilot.press("slash", *"zz")
        await settle(pilot)
        assert rows(screen) == ["No matches for 'zz'."]
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert rows(screen)[1].startswith("1.0  index") and "2.0" in rows(screen)
        assert not toasts(app)


async def test_a_referrer_naming_another_subject_is_flagged_and_not_pulled(
    empty_layout: Layout,
    registry_rig: Callable[..., RegistryRig],
) -> None:
    rig = registry_rig(referrers_api=False)
    digest = await rig.seed()
    _, sbom = plant_stray_referrer(rig.registry, digest)
    app = rig.app(empty_layout)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_registry(app, pilot, REPO)
        await pilot.press("j", "enter")
        await settle(pilot)
        shown = rows(screen)
        assert shown[1] == "1.0  index · 2 plat · 3 ref · 1 ✗"
        flagged = [r for r in shown if r.startswith("↳ ✗ @") and "subject mismatch" in r]
        assert len(flagged) == 1 and f"names @{sbom[7:19]}" in flagged[0]
        await goto(pilot, screen, flagged[0][:12])
        assert "✗ subject mismatch: names @" in detail(screen)
        await pilot.press("p")
        await settle(pilot)
        warned = toasts(app, "warning")
        assert any("a flagged referrer is not pulled" in m for m in warned)
        assert not empty_layout.entries()


async def test_an_unreachable_registry_says_failed_in_the_pane(
    empty_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    """A catalog read that fails (nothing listens on the port) replaces "listing
    repositories…" with the failure in the pane, not only in a toast that fades."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = make_app(empty_layout)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_registry(app, pilot, f"127.0.0.1:{port}")
        status = str(screen.query_one("#status").render())
        assert "listing repositories" not in status
        assert "failed" in status
        assert "Failed; see the error log (e)." in detail(screen)
        assert toasts(app)

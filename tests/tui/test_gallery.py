"""SVG gallery at the design size (80x24) and a roomy one (120x40): every pane, every
viewer, the error log and a loading state. Files land in the top-level ``snapshots/``
(update with ``pytest tests/tui --snapshot-update``); ``docs/`` copies some for the README.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable

import pytest
from syrupy.assertion import SnapshotAssertion
from textual.pilot import Pilot

from ocitui.core.layout import Layout
from ocitui.tui.app import OcituiApp
from tests.tui.conftest import settle, until

APP10_DIGEST = "sha256:458a97824c1bb24a49ed7889c8450e12517abf50be790b4c10040f568d5845f6"
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]

Scene = Callable[[OcituiApp, Pilot[int]], Awaitable[None]]


async def browse(app: OcituiApp, pilot: Pilot[int]) -> None:
    await pilot.press("l")  # app:1.0's platforms and referrer tree


async def referrers(app: OcituiApp, pilot: Pilot[int]) -> None:
    await pilot.press("r")


async def diff(app: OcituiApp, pilot: Pilot[int]) -> None:
    await pilot.press("m")
    await settle(pilot)
    app.goto_ref("registry.example.com/demo/app:1.1")
    await settle(pilot)
    await pilot.press("d")


async def sync(app: OcituiApp, pilot: Pilot[int]) -> None:
    await pilot.press("4")


async def help_keys(app: OcituiApp, pilot: Pilot[int]) -> None:
    await pilot.press("question_mark")


async def view(app: OcituiApp, pilot: Pilot[int]) -> None:
    await pilot.press("v")


async def image(app: OcituiApp, pilot: Pilot[int]) -> None:
    await pilot.press("l", "j")
    await settle(pilot)
    await pilot.press("v")


async def errors(app: OcituiApp, pilot: Pilot[int]) -> None:
    app.error_log.add(
        "registry.example.com: connection refused (is the registry running?)", "sync.run", 0.0
    )
    app.error_log.add("blob sha256:0123456789ab is not in the layout", "browse.detail", 60.0)
    await pilot.press("e")


SCENES: dict[str, tuple[str, Scene]] = {
    "browse": ("app:1.0", browse),
    "referrers": ("app:1.0", referrers),
    "diff": ("app:1.0", diff),
    "sync": ("app:1.0", sync),
    "help": ("app:1.0", help_keys),
    "sbom": ("9cbd7e27f73c", view),
    "attestation": ("7bbbd8483113", view),
    "signature": ("fc97fa311052", view),
    "legacy_signature": (f"app:{APP10_DIGEST.replace(':', '-')}.sig", view),
    "image_config": ("app:1.0", image),
    "index_json": ("app:1.1", view),
    "error_log": ("app:1.0", errors),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scene", list(SCENES))
async def test_gallery(  # noqa: PLR0917 (pytest passes fixtures by name)
    scene: str,
    size: tuple[int, int],
    demo_layout: Layout,
    make_app: Callable[..., OcituiApp],
    svg_snapshot: SnapshotAssertion,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()  # The error log shows local times.
    ref, play = SCENES[scene]
    app = make_app(demo_layout, ref=ref)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await play(app, pilot)
        await settle(pilot)
        assert app.export_screenshot() == svg_snapshot


@pytest.mark.parametrize("size", SIZES)
async def test_gallery_loading(
    size: tuple[int, int],
    demo_layout: Layout,
    make_app: Callable[..., OcituiApp],
    svg_snapshot: SnapshotAssertion,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The viewer while the core is still reading (held until the shot is taken)."""
    import ocitui.tui.screens.inside as inside_screen

    reading, release = threading.Event(), threading.Event()
    real = inside_screen.look_inside

    def slow(layout: Layout, desc: object) -> object:
        reading.set()
        release.wait(60)
        return real(layout, desc)  # type: ignore[arg-type]

    monkeypatch.setattr(inside_screen, "look_inside", slow)
    app = make_app(demo_layout, ref="9cbd7e27f73c")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("v")
        # The viewer is up and its worker is reading (held): the shot waits for that and
        # for the screen to be quiet, not for a length of time.
        await until(pilot, reading.is_set, "the viewer's worker started reading")
        await settle(pilot, workers=False)
        assert isinstance(app.screen, inside_screen.InsideScreen)
        shot = app.export_screenshot()
        release.set()
        await settle(pilot)
        assert shot == svg_snapshot

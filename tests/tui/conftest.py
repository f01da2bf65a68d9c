"""Fixtures for TUI tests: layouts opened by relative path, an app factory, SVG snapshots,
a fake registry the app reaches over loopback (``registry_rig``), and the toasts shown.

Layouts are opened as ``demo``/``sample`` relative to the test's temp dir, so the status
line (which shows the layout path) is the same on every run and in every snapshot.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from syrupy.location import PyTestLocation
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from ocitui.core.layout import Layout
from ocitui.tui.app import OcituiApp
from ocitui.tui.screens.sync import SyncScreen
from tests.support.fake_registry import FakeRegistry
from tests.tui.loopback import RegistryRig
from tests.tui.sample import build_sample

SNAPSHOT_DIR = Path(__file__).resolve().parents[2] / "snapshots"
#: How long a notification lasts in tests (longer than any test).
TOAST_SECONDS = 3600.0


class SVGSnapshotExtension(SingleFileSnapshotExtension):
    """One ``.svg`` file per snapshot, under the top-level ``snapshots/`` directory."""

    _write_mode = WriteMode.TEXT
    file_extension = "svg"

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(SNAPSHOT_DIR)


@pytest.fixture
def svg_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """``assert app.export_screenshot() == svg_snapshot``."""
    return snapshot.use_extension(SVGSnapshotExtension)


@pytest.fixture
def sample_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Layout:
    """The small sample layout, opened as ``sample`` (relative to the temp dir)."""
    build_sample(tmp_path / "sample")
    monkeypatch.chdir(tmp_path)
    return Layout.open("sample")


@pytest.fixture
def demo_layout(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Layout:
    """A private copy of ``layouts/demo``, opened as ``demo``."""
    monkeypatch.chdir(demo_copy.parent)
    return Layout.open(demo_copy.name)


@pytest.fixture
def empty_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Layout:
    """An empty layout opened as ``empty`` (where a pull lands)."""
    Layout.open(tmp_path / "empty", create=True)
    monkeypatch.chdir(tmp_path)
    return Layout.open("empty")


@pytest.fixture
def make_app() -> Callable[..., OcituiApp]:
    """Build the app without a user keymap (tests never read a config dir)."""

    def factory(layout: Layout, **kwargs: object) -> OcituiApp:
        keymap = kwargs.pop("keymap_path", None)
        app = OcituiApp(layout, keymap_path=keymap, **kwargs)  # type: ignore[arg-type]
        # No animation: the tab underline slides when 80 columns shorten the tab labels,
        # and a snapshot must not catch it half-way.
        app.animation_level = "none"
        # Toasts expire on the wall clock (5-8 s): on a loaded machine a test could
        # reach its assertion or screenshot after that. In tests they outlive the test.
        shown = app.notify

        def lasting(message: str, **options: Any) -> None:
            shown(message, **{**options, "timeout": TOAST_SECONDS})

        app.notify = lasting  # type: ignore[method-assign]
        return app

    return factory


@pytest.fixture
def registry_rig(
    make_app: Callable[..., OcituiApp],
    fake_registry: Callable[..., FakeRegistry],
    tmp_path: Path,
) -> Callable[..., RegistryRig]:
    """Factory: ``registry_rig(**fake_registry_options)`` -> a :class:`RegistryRig`."""

    def rig(**options: Any) -> RegistryRig:
        return RegistryRig(fake_registry(**options), tmp_path, make_app)

    return rig


def toasts(app: OcituiApp, severity: str = "error") -> list[str]:
    """The messages of the notifications of ``severity`` the app has shown, oldest first."""
    return [n.message for n in app._notifications if n.severity == severity]


async def until(pilot: Pilot[int], condition: Callable[[], object], what: str) -> None:
    """Let the app run until ``condition()`` holds; fail after a generous minute (a
    condition the app reaches only by a wall-clock wait does not belong here)."""
    for _ in range(1200):
        if condition():
            return
        await pilot.pause(0.05)
    pytest.fail(f"never happened: {what}")


async def settle(pilot: Pilot[int]) -> None:
    """Wait until workers (which may start more workers) and messages are done."""
    quiet = 0
    for _ in range(40):
        # A failed worker is shown as a notification by its screen; tests assert on that.
        # A cancelled one was replaced by newer work (the cursor moved on).
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        # Settled when two rounds in a row found no worker left running: a worker's result
        # may start another (the tree's load, then the detail of the selected node).
        busy = any(not worker.is_finished for worker in pilot.app.workers)
        quiet = 0 if busy else quiet + 1
        if quiet >= 2:
            break


async def open_sync(app: OcituiApp, pilot: Pilot[int]) -> SyncScreen:
    """Switch to the Sync pane (key ``4``), let it settle and return it."""
    await pilot.press("4")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, SyncScreen)
    return screen


def plain_text(renderable: object, width: int = 100) -> str:
    """What a Rich renderable shows, as plain text (for asserting on a Static's content)."""
    import io

    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()

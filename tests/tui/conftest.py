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
from textual.app import App
from textual.message_pump import MessagePump
from textual.pilot import Pilot
from textual.widgets import Input
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


def pending(app: App[Any], *, workers: bool = True) -> list[str]:
    """What ``app`` still has to do before its screen is final (empty: nothing).

    A screenshot renders the compositor's last layout with the widgets' current content:
    taken while a layout, a message (a tab's relabel, a worker's result) or an
    after-refresh callback (the tab underline following its label) is still pending, it
    shows a state between two frames. Which one depends on when the 60 Hz update timer
    fires, i.e. on the machine's load. ``workers=False`` ignores running workers (a
    loading state held by the test)."""
    why = []
    if workers:
        why += [f"worker {w.name}" for w in app.workers if not w.is_finished]
    screen = app.screen
    pumps: list[MessagePump] = [app, *app.screen_stack]
    for each in app.screen_stack:
        pumps += each.walk_children(with_self=False)
    why += [
        f"messages for {pump!r}"
        for pump in pumps
        if pump.message_queue_size or pump._next_callbacks
    ]
    flags = ("_layout_required", "_scroll_required", "_repaint_required", "_recompose_required")
    why += [f"screen {flag}" for flag in flags if getattr(screen, flag)]
    if screen._dirty_widgets or screen._callbacks:
        why.append("screen repaint or after-refresh callbacks")
    if app.animator._animations:
        why.append("animations")
    return why


async def settle(pilot: Pilot[int], *, workers: bool = True) -> None:
    """Wait until workers (which may start more workers), messages, layout, repaint and
    after-refresh callbacks are all done: :func:`pending` found nothing twice in a row.
    Fails (saying what was still pending) rather than let a test go on mid-update.

    Focused inputs stop blinking (their cursor shown): a blink is a 0.5 s wall-clock
    timer, so a screenshot would catch the cursor on or off depending on the load."""
    app = pilot.app
    quiet = 0
    why: list[str] = []
    for _ in range(600):
        if workers:
            # A failed worker is shown as a notification by its screen; tests assert on
            # that. A cancelled one was replaced by newer work (the cursor moved on).
            with contextlib.suppress(WorkerFailed, WorkerCancelled):
                await app.workers.wait_for_complete()
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()
        why = pending(app, workers=workers)
        quiet = 0 if why else quiet + 1
        if quiet >= 2:
            return
    pytest.fail(f"the app never settled: {', '.join(why)}")


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

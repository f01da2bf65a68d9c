"""Registry retries reach the TUI as they happen: the message log (``e``), a warning toast,
and the pane's own progress or status line, against the fake registry's failure modes.
The retry's wait is held until the test has looked (no race with the wall clock)."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input, Static

from ocitui.core.layout import Layout
from tests.tui.conftest import open_sync, plain_text, settle, toasts, until
from tests.tui.loopback import REPO, HeldRetries, RegistryRig
from tests.tui.test_remote import open_remote


async def test_a_retry_during_a_pull_is_shown_while_it_waits(
    empty_layout: Layout,
    registry_rig: Callable[..., RegistryRig],
) -> None:
    rig = registry_rig()
    await rig.seed()
    # The tag's manifest answers 503 once and asks for a 2 s wait before the retry; the
    # wait lasts until the test has looked (HeldRetries), however loaded the machine.
    rig.registry.inject(r"/manifests/1\.0$", "503", times=1, retry_after=2.0, method="GET")
    held = HeldRetries()
    app = rig.app(empty_layout, retries=held)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        sync = await open_sync(app, pilot)
        sync.query_one("#sync-ref", Input).value = f"{REPO}:1.0"
        await pilot.press("ctrl+l")
        await until(pilot, lambda: held.delays, "the retry's wait")
        await until(pilot, lambda: app.error_log.entries, "the retry in the log")
        assert held.delays == [2.0]  # Retry-After honoured
        # During the wait: logged as a warning, toasted, and in the pane's progress view.
        entry = app.error_log.entries[-1]
        assert entry.severity == "warning" and entry.title == "Retrying"
        assert "HTTP 503" in entry.message and "attempt 2 of 6" in entry.message
        assert any(n.title == "Retrying" for n in app._notifications)
        body = plain_text(sync.query_one("#sync-body", Static).content)
        assert "retry 1:" in body and "HTTP 503" in body
        assert sync.progress.plan is None  # still planning: the retry was seen live
        held.release()
        await settle(pilot)
        assert "Plan (nothing copied yet)" in plain_text(
            sync.query_one("#sync-body", Static).content
        )
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert sync.progress.report is not None and sync.progress.report.ok
        assert not toasts(app)


async def test_a_retry_while_listing_tags_is_in_the_status_line(
    empty_layout: Layout,
    registry_rig: Callable[..., RegistryRig],
) -> None:
    rig = registry_rig()
    await rig.seed()
    rig.registry.inject(r"/tags/list", "429", times=1, retry_after=2.0)
    held = HeldRetries()
    app = rig.app(empty_layout, retries=held)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_remote(app, pilot, REPO, settled=False)

        def status() -> str:
            return str(screen.query_one("#status").render())

        await until(pilot, lambda: "retrying" in status(), "the retry in the status line")
        assert "retrying: HTTP 429 (attempt 2)" in status() and held.delays == [2.0]
        held.release()
        await settle(pilot)
        assert "HTTP 429" in app.error_log.entries[0].message
        assert "1 tag" in status()

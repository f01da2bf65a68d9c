"""Opening at a reference, copying (``y``/``Y``), search, the key bar, the error log and
the live refresh after another process changes ``index.json``."""

from __future__ import annotations

import os
from collections.abc import Callable

from textual.widgets import Static

from ocitui.core.layout import Layout
from ocitui.tui.app import OcituiApp
from ocitui.tui.screens.errors import ErrorLogScreen
from ocitui.tui.widgets.keybar import KeyBar
from ocitui.tui.widgets.layout_tree import LayoutTreeView
from tests.tui.conftest import plain_text, settle, until
from tests.tui.test_browse import labels

APP10 = "registry.example.com/demo/app:1.0"
SIG_OF_SBOM = "sha256:e2e1ef06fab67518d8e7b45f1ae1f43103a14e94ef9704604701afa2daec1618"


async def test_opens_at_a_short_tag_and_y_copies_its_digest(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout, ref="app:1.0")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.selection is not None and app.selection.name == APP10
        await pilot.press("y")
        assert app.clipboard == str(demo_layout.resolve("app:1.0").digest)
        await pilot.press("Y")
        assert app.clipboard == APP10


async def test_opens_at_a_referrer_of_a_referrer_by_digest_prefix(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout, ref="e2e1ef06fab6")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.selection is not None and app.selection.info is not None
        assert str(app.selection.info.descriptor.digest) == SIG_OF_SBOM
        await pilot.press("Y")
        assert app.clipboard == f"registry.example.com/demo/app@{SIG_OF_SBOM}"


async def test_key_bar_keeps_help_and_quit_at_80_columns(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = str(app.screen.query_one(KeyBar).render())
        assert bar.startswith("? Help  q Quit")
        assert len(bar) <= 78


async def test_search_matches_referrers_digests_and_says_no_matches(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(LayoutTreeView)
        await pilot.press("slash", *"spdx")
        await settle(pilot)
        shown = labels(tree)
        assert any(s.startswith("1.0") for s in shown) and any(s.startswith("1.1") for s in shown)
        assert not any(s.startswith("demo/bundle") for s in shown)
        await pilot.press(*["backspace"] * 4, *"sha256:26f8dfd9")
        await settle(pilot)
        shown = labels(tree)
        assert [s.split()[0] for s in shown if s[0].isdigit()] == ["1.1"]
        await pilot.press(*["backspace"] * 15, *"zzz")
        await settle(pilot)
        assert labels(tree) == ["No matches for 'zzz'."]


async def test_error_log_keeps_errors_with_readable_titles(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.show_error(OSError("connection refused by r.example:5000"), "sync.run")
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ErrorLogScreen)
        text = plain_text(app.screen.query_one(Static).content, width=78)
        assert "Sync" in text and "sync.run" not in text
        assert "connection refused by r.example:5000" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, ErrorLogScreen)


async def test_another_process_changing_index_json_refreshes_and_keeps_the_cursor(
    demo_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(demo_layout, ref="app:1.1")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        other = Layout.open(demo_layout.root)  # Another writer, as another process would be.
        other.set_tag("registry.example.com/demo/app:2.0", other.resolve("app:1.0"))
        stat = (demo_layout.root / "index.json").stat()
        os.utime(demo_layout.root / "index.json", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
        tree = app.screen.query_one(LayoutTreeView)
        # The watch looks every second: wait for the reload itself (until: up to a minute).
        await until(pilot, lambda: any(s.startswith("2.0") for s in labels(tree)), "reload")
        await settle(pilot)
        assert any(s.startswith("2.0") for s in labels(tree))
        assert app.selection is not None
        assert app.selection.name == "registry.example.com/demo/app:1.1"

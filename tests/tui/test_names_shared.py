"""An entry without a name is called the same by ``ls -a``, ``inspect`` and the TUI's
detail (one vocabulary in ``core/views_text``): ``(untagged)``, or ``(referrer of X)``."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from textual.widgets import Static

from ocitui.cli.main import main
from ocitui.core.layout import Layout
from ocitui.core.views_locate import Location
from ocitui.tui.app import OcituiApp
from ocitui.tui.widgets.detail import DetailPane
from ocitui.tui.widgets.layout_tree import LayoutTreeView
from tests.tui.conftest import plain_text, settle

APP10 = "registry.example.com/demo/app:1.0"
APP11 = "registry.example.com/demo/app:1.1"


def cli_out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


async def test_untagged_and_referrer_names_agree_in_ls_inspect_and_the_tui(
    demo_layout: Layout, make_app: Callable[..., OcituiApp], capsys: pytest.CaptureFixture[str]
) -> None:
    app11 = demo_layout.resolve(APP11)
    demo_layout.add_untagged(app11)
    demo_layout.remove(APP11)
    app10 = demo_layout.resolve(APP10)
    sbom = next(d for d in demo_layout.referrers(app10.digest) if "spdx" in str(d.artifact_type))
    cases = [
        (app11.digest, "(untagged)", None),
        (sbom.digest, f"(referrer of {app10.digest.short})", Location(APP10, (sbom.digest,))),
    ]
    where = ("--layout", str(demo_layout.root))
    listed = cli_out(capsys, *where, "ls", "-a").splitlines()
    for digest, expected, _ in cases:
        row = next(line for line in listed if f"  {digest.short}  " in line)
        assert row.split("  ")[0] == expected
        inspected = cli_out(capsys, *where, "inspect", str(digest))
        assert f"Ref:           {expected}\n" in inspected
    app = make_app(demo_layout)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(LayoutTreeView)
        for digest, expected, location in cases:
            if location is None:
                assert tree.select_name(str(digest))
            else:
                assert tree.select_location(location)
            await settle(pilot)
            pane = app.screen.query_one(DetailPane)
            summary = plain_text(pane.query_one("#body-summary", Static).content, width=120)
            assert re.search(rf"^\s*ref\s+{re.escape(expected)}\s*$", summary, re.M), summary

"""The CLI and the TUI show the same plan and report rows (one presentation in core)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable

from rich.console import Group
from textual.widgets import Static

from ocitui.cli.progress import JsonRenderer, PlainRenderer
from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor
from ocitui.core.sync import Finished, LeftBehind, Plan, PlanBlob, PlanReady, SyncFilter, SyncReport
from ocitui.core.views_sync import plan_rows, report_rows
from ocitui.tui.app import OcituiApp
from ocitui.tui.screens.sync import PLAN_ITEMS
from ocitui.tui.widgets.fit import KeyValues
from tests.tui.conftest import open_sync, settle

_LINE = re.compile(r"^  (?:  - )?([^:]+):\s+(.*)$")


def make_plan(left_behind: int) -> Plan:
    """A plan with one blob to copy, one present, ``left_behind`` items and a warning."""
    plan = Plan("r.example/app:1", "layout demo", SyncFilter())
    for i, (size, present) in enumerate([(1, False), (2048, True)]):
        desc = Descriptor(mt.OCI_LAYER_GZIP, Digest("sha256", f"{i:x}" * 64), size)
        plan.blobs.append(PlanBlob(desc, None, None, present))
    for i in range(left_behind):
        desc = Descriptor(mt.OCI_MANIFEST, Digest("sha256", f"{i + 2:x}" * 64), 500)
        detail = "linux/arm64" if i % 2 else ""
        plan.left_behind.append(LeftBehind("platform", desc, None, detail, 1536 * (i + 1)))
    plan.warnings.append("a warning")
    return plan


def make_report() -> SyncReport:
    """A failed report with one of everything (plurals of one and of many)."""
    report = SyncReport.for_plan(make_plan(2))
    report.blobs_copied, report.bytes_copied, report.manifests_written = 1, 1, 3
    report.tags_written, report.blobs_skipped, report.referrers_verified = 1, 2, 1
    report.failed.append("sha256:abc: boom")
    report.missing.append("tag v1")
    report.unreferenced_blobs, report.unreferenced_bytes = 1, 4096
    return report


def cli_pairs(event: PlanReady | Finished) -> list[tuple[str, str]]:
    """What the CLI prints for ``event``, parsed back into (label, value) pairs."""
    out = io.StringIO()
    PlainRenderer(out=out, err=io.StringIO())(event)
    lines = out.getvalue().splitlines()[1:]  # the title line
    matches = [_LINE.match(line) for line in lines]
    assert all(matches), lines
    return [(m.group(1), m.group(2)) for m in matches if m]


async def tui_pairs(
    make_app: Callable[..., OcituiApp], layout: Layout, plan: Plan, report: SyncReport
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What the Sync pane's tables hold for the plan preview and for the report."""
    app = make_app(layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_sync(app, pilot)

        def table() -> list[tuple[str, str]]:
            body = screen.query_one("#sync-body", Static).content
            assert isinstance(body, Group)
            tables = [r for r in body.renderables if isinstance(r, KeyValues)]
            assert len(tables) == 1
            return [(key.removeprefix("  · "), value) for key, value in tables[0].rows]

        screen.show_plan(plan_rows(plan, limit=PLAN_ITEMS))
        shown_plan = table()
        screen.apply_event(Finished(report))
        return shown_plan, table()


async def test_cli_and_tui_show_the_same_rows(
    sample_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    plan, report = make_plan(3), make_report()
    shown_plan, shown_report = await tui_pairs(make_app, sample_layout, plan, report)
    assert shown_plan == cli_pairs(PlanReady(plan))
    assert shown_report == cli_pairs(Finished(report))
    assert ("copy", "1 blob (1 B), 0 manifests") in shown_plan
    assert ("already there", "1 blob (2.0 KiB), 0 manifests") in shown_plan
    assert ("copied", "1 blob (1 B), 3 manifests, 1 tag") in shown_report
    assert (
        "left in the layout",
        "1 verified blob (4.0 KiB) that index.json does not name; "
        "a rerun uses them, 'ocitui gc' frees them",
    ) in shown_report
    assert shown_report[-1] == ("result", "sync incomplete: see FAILED/MISSING above")


async def test_tui_caps_left_behind_items_and_counts_the_rest(
    sample_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    plan = make_plan(PLAN_ITEMS + 3)
    shown_plan, _ = await tui_pairs(make_app, sample_layout, plan, make_report())
    cli = cli_pairs(PlanReady(plan))
    items = 7 + PLAN_ITEMS  # from, to, copy, already there, referrers, tags, left behind
    assert shown_plan[:items] == cli[:items]
    assert shown_plan[items] == ("…", "3 more (--dry-run --json lists every one)")
    assert shown_plan[items + 1 :] == cli[items + 3 :] == [("warning", "a warning")]
    assert len(cli) == items + 3 + 1  # the CLI lists every item


def test_rows_count_what_json_prints() -> None:
    plan = make_plan(3)
    out = io.StringIO()
    JsonRenderer(out)(PlanReady(plan))
    summary = json.loads(out.getvalue())["plan"]["summary"]
    rows = {row.label: row.value for row in plan_rows(plan)}
    assert rows["copy"].startswith(f"{summary['blobsToCopy']} blob ")
    assert rows["left behind"].startswith(f"{summary['leftBehind']} (")
    assert rows["referrers"] == str(summary["referrers"])
    dry = SyncReport.for_plan(plan, dry_run=True)
    assert [(r.label, r.value) for r in report_rows(dry)] == [
        ("result", "dry run: nothing was written")
    ]

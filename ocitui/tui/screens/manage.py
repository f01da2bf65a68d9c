"""Managing the layout from Browse: remove, tag, gc (after a dry-run preview), fsck, export and
import (with progress). Each asks first, runs the core function, and the Browse tree
refreshes itself (it watches ``index.json``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from ocitui.core.errors import OcituiError
from ocitui.core.events import EventSink
from ocitui.core.layout.gc import gc
from ocitui.core.views_manage import (
    export_summary,
    fsck_lines,
    fsck_progress_line,
    gc_summary,
    import_summary,
)
from ocitui.core.views_text import plural
from ocitui.tui.screens.dialogs import AskDialog, ConfirmDialog
from ocitui.tui.screens.task import Outcome, TaskScreen
from ocitui.tui.widgets.layout_tree import NodeData

if TYPE_CHECKING:
    from ocitui.tui.app import OcituiApp


def remove(app: OcituiApp, data: NodeData) -> None:
    """Drop the selected entry from ``index.json`` (its blobs stay until gc)."""
    assert data.info is not None
    desc = data.info.descriptor
    what = desc.ref_name or str(desc.digest)
    body = Text.assemble(
        "Remove ",
        (what, "bold"),
        " from the layout?\n",
        ("The entry goes; its blobs stay until gc (c).", "dim"),
    )

    def answer(yes: bool | None) -> None:
        if not yes:
            return
        try:
            gone = app.layout.remove(what)
        except OcituiError as exc:
            app.show_error(exc, "Remove")
            return
        app.notify(f"Removed {plural(len(gone), 'entry', 'entries')}: {what}", title="Remove")

    app.push_screen(ConfirmDialog("Remove", body), answer)


def tag(app: OcituiApp, data: NodeData) -> None:
    """Give the selection another name (a full or short reference)."""
    assert data.info is not None
    desc = data.info.descriptor
    suggestion = desc.ref_name or ""

    def answer(name: str | None) -> None:
        if not name:
            return
        try:
            entry = app.layout.set_tag(name, desc)
        except OcituiError as exc:
            app.show_error(exc, "Tag")
            return
        app.notify(f"{entry.ref_name} -> {entry.digest.short}", title="Tagged")

    app.push_screen(AskDialog(f"Tag {desc.digest.short}", "New name", suggestion), answer)


def collect_garbage(app: OcituiApp) -> None:
    """Preview what gc would free (a dry run), then free it when confirmed."""
    try:
        preview = gc(app.layout, dry_run=True)
    except OcituiError as exc:
        app.show_error(exc, "Garbage collection")
        return
    if not preview.removed:
        young = f" ({plural(preview.kept_young, 'young blob')} kept)" if preview.kept_young else ""
        app.notify(f"Nothing to free{young}.", title="Garbage collection")
        return
    body = Text(gc_summary(preview, dry_run=True))

    def answer(yes: bool | None) -> None:
        if not yes:
            return

        def run(_consume: EventSink) -> str:
            return gc_summary(gc(app.layout), dry_run=False)

        app.push_screen(TaskScreen("Garbage collection", run))

    app.push_screen(ConfirmDialog("Garbage collection", body), answer)


def check_layout(app: OcituiApp) -> None:
    """Verify every blob and index entry (``ocitui fsck``, without repairing), with the
    bytes verified on the bar and the CLI's lines at the end."""
    from ocitui.core.layout.fsck import FsckProgress, fsck

    def run(_consume: EventSink) -> Outcome:
        def moved(event: FsckProgress) -> None:
            screen.progress(event.done, event.total, fsck_progress_line(event))

        report = fsck(app.layout, progress=moved)
        lines = fsck_lines(report)
        if not report.ok:
            lines.append("ocitui fsck --repair fixes what it can offline.")
        return Outcome("\n".join(lines), report.ok)

    screen = TaskScreen("Check the layout (fsck)", run)
    app.push_screen(screen)


def export(app: OcituiApp, data: NodeData | None) -> None:
    """Write the selection (or the whole layout) to an archive, with progress."""
    from ocitui.core.archive.export import export_archive

    refs = (
        [data.info.descriptor.ref_name or str(data.info.descriptor.digest)]
        if data and data.info
        else []
    )
    what = refs[0] if refs else "the whole layout"

    def answer(path: str | None) -> None:
        if not path:
            return

        def run(consume: EventSink) -> str:
            report = export_archive(app.layout, Path(path).expanduser(), refs, consumer=consume)
            return export_summary(report)

        app.push_screen(TaskScreen(f"Export {what}", run))

    app.push_screen(
        AskDialog(f"Export {what}", "Archive file (.tar or .tar.zst)", "export.tar"), answer
    )


def import_archive(app: OcituiApp) -> None:
    """Verify and merge an archive (or a ``.parts.json``) into the layout, with progress."""
    from ocitui.core.archive.importer import import_archives

    def answer(path: str | None) -> None:
        if not path:
            return

        def run(consume: EventSink) -> str:
            report = import_archives(app.layout, [Path(path).expanduser()], consumer=consume)
            return import_summary(report)

        app.push_screen(TaskScreen("Import", run))

    app.push_screen(AskDialog("Import", "Archive file (or its .parts.json)"), answer)


__all__ = ["collect_garbage", "export", "import_archive", "remove", "tag"]

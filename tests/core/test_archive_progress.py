"""Export/import progress: one fold of the events, the line both faces show."""

from __future__ import annotations

import io

from ocitui.cli.progress import ArchiveLine
from ocitui.core.events import ArchiveStarted, BlobDone, BlobProgress, PartDone
from ocitui.core.views_manage import ArchiveProgress

EVENTS = [
    ArchiveStarted("export", 2, 3 * 1024 * 1024),
    BlobProgress("sha256:" + "a" * 64, 1024 * 1024, 2 * 1024 * 1024),
    BlobDone("sha256:" + "a" * 64, 2 * 1024 * 1024, "written"),
    BlobProgress("sha256:" + "b" * 64, 512 * 1024, 1024 * 1024),
]


def test_fold_counts_finished_and_in_flight_bytes() -> None:
    progress = ArchiveProgress()
    for second, event in enumerate(EVENTS):
        progress.apply(event, float(second))
    assert (progress.blobs, progress.moved_bytes) == (1, 2 * 1024 * 1024 + 512 * 1024)
    assert progress.line() == "1 blob, 2.5 MiB of 3.0 MiB, 853.3 KiB/s"
    progress.apply(BlobDone("sha256:" + "b" * 64, 1024 * 1024, "written"), 4.0)
    assert progress.line().startswith("2 blobs, 3.0 MiB of 3.0 MiB, ")


def test_the_cli_line_is_the_fold_s_line() -> None:
    out = io.StringIO()
    line = ArchiveLine(out)
    mirror = ArchiveProgress()
    for event in EVENTS:
        line._last = 0.0  # No throttling in the test: every event redraws.
        line(event)
        mirror.apply(event, 0.0)
    shown = out.getvalue().split("\r\x1b[K")[-1]
    assert shown.rsplit(", ", 1)[0] == mirror.line().rsplit(", ", 1)[0]  # rate aside
    line(PartDone("app.tar.zst.part001", 4096, "0" * 64))
    assert out.getvalue().endswith("part app.tar.zst.part001 (4.0 KiB) done")

"""The plain progress log (stderr not a terminal): every item of a small sync, and for a
big one the first items, then progress lines; failures, resumes and names always."""

from __future__ import annotations

import io

from ocitui.cli.progress import PlainRenderer
from ocitui.core.digest import Digest
from ocitui.core.events import BlobDone, BlobStarted, Failed, Finished, ManifestDone, TagDone
from ocitui.core.sync.report import SyncReport


def _digest(n: int) -> str:
    return str(Digest.of(str(n).encode()))


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _renderer(clock: Clock) -> tuple[PlainRenderer, io.StringIO]:
    err = io.StringIO()
    return PlainRenderer(out=io.StringIO(), err=err, item_lines=5, every=5.0, clock=clock), err


def test_a_small_sync_logs_every_item() -> None:
    render, err = _renderer(Clock())
    for n in range(2):  # 4 items: under the 5 item lines
        render(BlobDone(_digest(n), 10, "downloaded"))
        render(ManifestDone(_digest(100 + n), "application/vnd.oci.image.manifest.v1+json", "x"))
    render(TagDone("example.com/a:1", _digest(0)))
    render(Finished(SyncReport(source="s", destination="d")))
    lines = err.getvalue().splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("downloaded") and lines[1].startswith("manifest")
    assert not any(line.startswith("progress:") for line in lines)


def test_a_big_sync_logs_progress_lines_and_every_failure() -> None:
    clock = Clock()
    render, err = _renderer(clock)
    render(BlobStarted(_digest(1), 4096, offset=1024))
    for n in range(1000):
        render(BlobDone(_digest(n), 10, "downloaded"))
        if n % 250 == 0:
            render(Failed(_digest(n), f"broken {n}"))
        clock.now += 0.1  # 100 s in all: a progress line every 5 s.
    for n in range(1000):
        render(ManifestDone(_digest(n), "application/vnd.oci.image.manifest.v1+json", "r"))
    render(TagDone("example.com/a:1", _digest(0)))
    render(Finished(SyncReport(source="s", destination="d")))
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("resuming")
    assert sum(line.startswith("downloaded") for line in lines) == 5
    assert [line for line in lines if line.startswith("FAILED")] == [
        f"FAILED     {_digest(n).split(':')[1][:12]}  broken {n}" for n in (0, 250, 500, 750)
    ]
    progress = [line for line in lines if line.startswith("progress:")]
    assert 15 <= len(progress) <= 21  # every 5 s of 100 s, plus the last one
    assert progress[-1] == "progress: 1,000/0 blobs (9.8 KiB), 1,000/0 manifests"
    assert "tagged     example.com/a:1" in lines
    assert len(lines) < 40

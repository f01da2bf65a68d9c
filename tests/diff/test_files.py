"""The file diff: streaming layers, whiteouts, hard links, errors, progress and cancel."""

from __future__ import annotations

import gzip
import hashlib
import threading
import tracemalloc

import pytest

from ocitui.core.diff import DiffCancelled, FilesDiff, diff_refs
from ocitui.core.errors import DiffError
from ocitui.core.events import Event, LayerDone, LayerProgress, LayerStarted
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor
from tests.diff.builder import Builder, Layer, M, tar_bytes

BASE = Layer(
    [
        M("etc/", kind="dir", mode=0o755),
        M("etc/os-release", b"ID=test\n"),
        M("usr/lib/", kind="dir", mode=0o755),
        M("usr/lib/a.so", b"a"),
        M("usr/lib/b.so", b"b"),
        M("var/data", b"file that becomes a dir"),
    ]
)


def files_of(layout: Layout, a: Descriptor, b: Descriptor, **kw: object) -> FilesDiff:
    result = diff_refs(layout, a, layout, b, files=True, **kw)  # type: ignore[arg-type]
    assert result.root.files is not None
    return result.root.files


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_added_removed_changed(layout: Layout, build: Builder) -> None:
    a = build.image([BASE, Layer([M("app/x", b"1"), M("app/y", b"y")])])
    b = build.image([BASE, Layer([M("app/x", b"2", mode=0o755), M("app/z", b"z", uid=10)])])
    files = files_of(layout, a, b)
    assert [e.path for e in files.added] == ["app/z"]
    assert files.added[0].uid == 10 and files.added[0].sha256 == sha(b"z")
    assert [e.path for e in files.removed] == ["app/y"]
    [change] = files.changed
    assert change.path == "app/x" and change.attributes == ("mode", "sha256")
    assert files.paths_a == files.paths_b


def test_whiteouts_and_opaque_directories(layout: Layout, build: Builder) -> None:
    a = build.image([BASE, Layer([M("app/keep", b"k")])])
    b = build.image(
        [
            BASE,
            Layer(
                [
                    M("app/keep", b"k"),
                    M("etc/.wh.os-release"),
                    # Opaque marker after a same-layer entry: it still only hides lower content.
                    M("usr/lib/c.so", b"c"),
                    M("usr/lib/.wh..wh..opq"),
                    M(".wh..wh.plnk"),  # aufs bookkeeping, ignored
                ]
            ),
        ]
    )
    files = files_of(layout, a, b)
    assert [e.path for e in files.removed] == ["etc/os-release", "usr/lib/a.so", "usr/lib/b.so"]
    assert [e.path for e in files.added] == ["usr/lib/c.so"]
    assert files.changed == ()


def test_whiteout_of_directory_removes_subtree(layout: Layout, build: Builder) -> None:
    a = build.image([BASE])
    b = build.image([BASE, Layer([M(".wh.usr")])])
    files = files_of(layout, a, b)
    assert [e.path for e in files.removed] == ["usr", "usr/lib", "usr/lib/a.so", "usr/lib/b.so"]


def test_hard_links_carry_their_target_content(layout: Layout, build: Builder) -> None:
    a = build.image(
        [BASE, Layer([M("bin/tool", b"old"), M("bin/alias", kind="hardlink", link="bin/tool")])]
    )
    b = build.image(
        [BASE, Layer([M("bin/tool", b"new"), M("bin/alias", kind="hardlink", link="./bin/tool")])]
    )
    files = files_of(layout, a, b)
    changed = {c.path: c.attributes for c in files.changed}
    assert changed == {"bin/alias": ("sha256",), "bin/tool": ("sha256",)}
    alias = next(c for c in files.changed if c.path == "bin/alias")
    assert alias.b.type == "hardlink" and alias.b.link == "bin/tool" and alias.b.size == 3


def test_hard_link_to_lower_layer(layout: Layout, build: Builder) -> None:
    a = build.image([BASE])
    b = build.image([BASE, Layer([M("etc/release", kind="hardlink", link="etc/os-release")])])
    [added] = files_of(layout, a, b).added
    assert added.sha256 == sha(b"ID=test\n")


def test_file_replaced_by_directory_and_back(layout: Layout, build: Builder) -> None:
    a = build.image([BASE])
    b = build.image(
        [BASE, Layer([M("var/data/", kind="dir", mode=0o700), M("var/data/inner", b"i")])]
    )
    files = files_of(layout, a, b)
    [change] = files.changed
    assert change.path == "var/data" and "type" in change.attributes
    assert (change.a.type, change.b.type) == ("file", "dir")
    assert [e.path for e in files.added] == ["var/data/inner"]
    # A file replacing a directory takes the directory's contents with it.
    c = build.image([BASE, Layer([M("usr/lib", b"now a file")])])
    files = files_of(layout, a, c)
    assert [e.path for e in files.removed] == ["usr/lib/a.so", "usr/lib/b.so"]
    assert [c.path for c in files.changed] == ["usr/lib"]


def test_symlinks_devices_and_path_tricks(layout: Layout, build: Builder) -> None:
    a = build.image(
        [
            BASE,
            Layer(
                [
                    M("lnk", kind="symlink", link="/etc/os-release"),
                    M("dev/null", kind="char"),
                    M("fifo", kind="fifo"),
                ]
            ),
        ]
    )
    b = build.image(
        [
            BASE,
            Layer(
                [
                    M("lnk", kind="symlink", link="/etc/other"),
                    M("dev/null", kind="char"),
                    M("fifo", kind="fifo"),
                    M("./x/../../../escape", b"e"),
                    M("/abs", b"a"),
                ]
            ),
        ]
    )
    files = files_of(layout, a, b)
    assert [c.path for c in files.changed] == ["lnk"]
    assert files.changed[0].attributes == ("link",)
    assert sorted(e.path for e in files.added) == ["abs", "escape"]


@pytest.mark.parametrize("how", ["zstd", "tar", "gzip1", "docker"])
def test_compressions_give_the_same_filesystem(layout: Layout, build: Builder, how: str) -> None:
    app = [M("app/bin", b"\x00" * 5000, mode=0o755)]
    # Docker's gzip type with the same bytes would be the same blob: compare with level 1.
    a = build.image([BASE, Layer(app, how="gzip1" if how == "docker" else "gzip")])
    b = build.image([BASE, Layer(app, how=how)])
    files = files_of(layout, a, b)
    assert files.count == 0 and files.skipped is None and files.paths_a > 5


def test_truncated_gzip_layer(layout: Layout, build: Builder) -> None:
    good = gzip.compress(tar_bytes([M("big", bytes(range(256)) * 400)]), mtime=0)
    a = build.image([BASE])
    b = build.image([BASE, Layer(raw=good[: len(good) // 2])])
    bad = layout.get_document(b.digest).children()[-1].digest
    with pytest.raises(DiffError) as info:
        files_of(layout, a, b)
    message = str(info.value)
    assert str(bad) in message and "\n" not in message and "truncated" in message


@pytest.mark.parametrize("how", ["gzip", "zstd", "tar"])
def test_garbage_layer(layout: Layout, build: Builder, how: str) -> None:
    a = build.image([BASE])
    raw = b"this is not a layer at all" * 40
    media = {"gzip": "tar+gzip", "zstd": "tar+zstd", "tar": "tar"}[how]
    b = build.image(
        [BASE, Layer(raw=raw, media_type=f"application/vnd.oci.image.layer.v1.{media}")]
    )
    with pytest.raises(DiffError, match="malformed or truncated"):
        files_of(layout, a, b)


def test_diff_id_mismatch_is_reported(layout: Layout, build: Builder) -> None:
    a = build.image([BASE])
    b = build.image([BASE, Layer([M("x", b"x")])])
    # Rewrite B's config with a wrong diff_id for its second layer.
    import json

    from ocitui.core import media_types as mt
    from ocitui.core.models import canonical_json

    doc = json.loads(layout.read_blob(b.digest))
    config = json.loads(layout.read_blob(layout.get_document(b.digest).children()[0].digest))
    config["rootfs"]["diff_ids"][1] = "sha256:" + "0" * 64
    raw = canonical_json(config)
    doc["config"]["digest"], doc["config"]["size"] = str(layout.put_blob(raw)), len(raw)
    bad = layout.put_document(canonical_json(doc), mt.OCI_MANIFEST)
    with pytest.raises(DiffError, match="diff_id"):
        files_of(layout, a, bad)


def test_progress_events_and_shared_base(layout: Layout, build: Builder) -> None:
    a = build.image([BASE, Layer([M("a", b"a")])])
    b = build.image([BASE, Layer([M("b", b"b")]), Layer([M("c", b"c")])])
    events: list[Event] = []
    files_of(layout, a, b, progress=events.append)
    started = [(e.side, e.index) for e in events if isinstance(e, LayerStarted)]
    assert started == [("both", 0), ("a", 1), ("b", 1), ("b", 2)]
    done = [e for e in events if isinstance(e, LayerDone)]
    assert len(done) == 4 and all(e.members > 0 for e in done)
    assert any(isinstance(e, LayerProgress) for e in events)


def test_cancel(layout: Layout, build: Builder) -> None:
    a = build.image([BASE])
    b = build.image([BASE, Layer([M("b", b"b")])])
    cancel = threading.Event()

    def stop_after_first(event: Event) -> None:
        if isinstance(event, LayerDone):
            cancel.set()

    with pytest.raises(DiffCancelled):
        files_of(layout, a, b, progress=stop_after_first, cancel=cancel)


def test_large_layer_streams_in_bounded_memory(layout: Layout, build: Builder) -> None:
    size = 48 * 1024 * 1024
    big = Layer([M("big.bin", b"\x00" * size)])
    a = build.image([BASE])
    b = build.image([BASE, big])
    del big
    tracemalloc.start()
    try:
        files = files_of(layout, a, b)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert files.added[0].size == size
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes while streaming a {size}-byte layer"


def test_truncated_zstd_layer(layout: Layout, build: Builder) -> None:
    import zstandard

    data = zstandard.ZstdCompressor().compress(tar_bytes([M("f", bytes(range(256)) * 400)]))
    a = build.image([BASE])
    b = build.image(
        [BASE, Layer(raw=data[:-40], media_type="application/vnd.oci.image.layer.v1.tar+zstd")]
    )
    with pytest.raises(DiffError, match="layer sha256:"):
        files_of(layout, a, b)


def test_unknown_layer_type_is_sniffed(layout: Layout, build: Builder) -> None:
    data = gzip.compress(tar_bytes([M("f", b"f")]), mtime=0)
    a = build.image([BASE])
    b = build.image(
        [BASE, Layer(raw=data, media_type="application/vnd.docker.image.rootfs.diff.tar")]
    )
    assert [e.path for e in files_of(layout, a, b).added] == ["f"]
    # Layers that are not tar streams at all (artifacts) are not read.
    c = build.image([BASE, Layer(raw=b"{}", media_type="application/vnd.in-toto+json")])
    files = files_of(layout, a, c)
    assert files.skipped is not None and "non-filesystem" in files.skipped

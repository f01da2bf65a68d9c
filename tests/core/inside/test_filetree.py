"""Layer file trees: per-layer status against the layers below, whiteouts, squashing."""

from __future__ import annotations

from pathlib import Path

from ocitui.core.inside import look_inside
from ocitui.core.inside.filetree import (
    ADDED,
    MODIFIED,
    REMOVED,
    ImageFiles,
    LayerFiles,
    Node,
    read_files,
)
from ocitui.core.layout import Layout


def node(path: str, status: str, layer: int, size: int = 1, kind: str = "file") -> Node:
    return Node(path, kind, size, 0o644, status, layer)


def test_squash_applies_whiteouts_before_the_layer_and_opaque_keeps_the_dir() -> None:
    files = ImageFiles(
        [
            LayerFiles(
                0,
                "a",
                1,
                [
                    node("etc", ADDED, 0, 0, "dir"),
                    node("etc/a", ADDED, 0, 5),
                    node("etc/b", ADDED, 0, 7),
                    node("opt/x", ADDED, 0, 3),
                ],
            ),
            LayerFiles(
                1,
                "b",
                1,
                [
                    node("etc/a", REMOVED, 1, 0, "whiteout"),
                    node("etc/b", MODIFIED, 1, 9),
                    node("opt", REMOVED, 1, 0, "opaque"),
                    node("opt/y", ADDED, 1, 2),
                ],
            ),
        ]
    )
    assert [n.path for n in files.squashed(0)] == ["etc", "etc/a", "etc/b", "opt/x"]
    squashed = {n.path: n for n in files.squashed()}
    assert set(squashed) == {"etc", "etc/b", "opt/y"}
    assert squashed["etc/b"].status == MODIFIED and squashed["etc/b"].size == 9
    assert files.total == 11
    assert files.wasted == 15 + 11 - 11


def test_demo_app_layer_statuses(demo_copy: Path) -> None:
    layout = Layout.open(demo_copy)
    index = layout.get_document(layout.resolve("app:1.1").digest)
    inside = look_inside(layout, index.children()[0])
    files = read_files(layout, inside.layers)
    assert len(files.layers) == 2
    base, app = files.layers
    assert base.count(ADDED) > 0 and base.count(MODIFIED) == 0 and base.count(REMOVED) == 0
    statuses = {n.path: n.status for n in app.nodes}
    assert statuses["etc"] == MODIFIED  # the base layer has /etc already
    assert statuses["etc/app/app.conf"] == ADDED
    assert statuses["etc/app/features.d/metrics.conf"] == ADDED
    assert statuses["usr/share/doc/app/NOTICE.legacy"] == REMOVED
    assert "usr/share/doc/app/NOTICE.legacy" not in {n.path for n in files.squashed()}

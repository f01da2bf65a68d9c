"""Browse on layouts the real peers wrote (skipped locally when a peer is absent, required
in CI): oras's copy with referrers (short tag; referrers and platform manifests as bare
entries) and umoci's (several short tags naming one manifest)."""

from __future__ import annotations

import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from ocitui.core.archive.export import export_archive
from ocitui.core.layout import Layout
from ocitui.tui.app import OcituiApp
from ocitui.tui.widgets.layout_tree import LayoutTreeView
from tests.support.binaries import need
from tests.tui.conftest import settle
from tests.tui.test_browse import labels


def _run(*argv: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, (argv, done.stderr)


@pytest.fixture
def oras_layout(demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Layout:
    """``oras cp -r`` of the demo's app:1.0 (from its peer export) into ``oras``."""
    oras = need("oras")
    archive = tmp_path / "peers.tar"
    export_archive(Layout.open(demo_copy), archive, ["app:1.0"], peers=True)
    unpacked = tmp_path / "peers"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    target = tmp_path / "oras"
    _run(oras, "cp", "-r", "--from-oci-layout", f"{unpacked}:1.0", "--to-oci-layout", f"{target}:1.0")  # fmt: skip
    monkeypatch.chdir(tmp_path)
    return Layout.open("oras")


async def test_browse_an_oras_layout_shows_the_referrers_under_the_tag(
    oras_layout: Layout, make_app: Callable[..., OcituiApp]
) -> None:
    app = make_app(oras_layout)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(LayoutTreeView)
        shown = labels(tree)
        assert shown[:3] == ["(local)", "oras  1 tag", "1.0  index · 2 plat · 3 ref"], shown
        # The platform manifests oras recorded as entries are under their index only.
        assert "(untagged)" not in shown, shown
        assert tree.select_name("1.0")
        await pilot.press("l")
        await settle(pilot)
        node = tree.cursor_node
        assert node is not None
        children = [str(c.label) for c in node.children]
        assert [c.data.kind for c in node.children if c.data] == [
            "platform", "platform", "referrer", "referrer", "referrer"
        ], children  # fmt: skip
        kinds = sorted(label.split("  ", 1)[1] for label in children[2:])
        assert kinds == ["SPDX SBOM · 1 ref", "in-toto attestation", "sigstore bundle"]


async def test_browse_an_umoci_layout_lists_every_name_of_one_manifest(
    tmp_path: Path, make_app: Callable[..., OcituiApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    umoci = need("umoci")
    where = tmp_path / "umoci"
    _run(umoci, "init", "--layout", str(where))
    _run(umoci, "new", "--image", f"{where}:base")
    _run(umoci, "config", "--image", f"{where}:base", "--config.cmd", "/bin/sh", "--tag", "cfg")
    for name in ("again", "again2"):
        _run(umoci, "tag", "--image", f"{where}:cfg", name)
    monkeypatch.chdir(tmp_path)
    app = make_app(Layout.open("umoci"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shown = labels(app.screen.query_one(LayoutTreeView))
        assert shown == [
            "(local)", "umoci  4 tags", "again  image", "again2  image", "base  image", "cfg  image"
        ], shown  # fmt: skip

"""Issue 15 item 4: fsck tells sparse-by-design (a recorded platform filter) from broken."""

from __future__ import annotations

from pathlib import Path

from ocitui.core.layout import Layout
from ocitui.core.layout.fsck import fsck
from ocitui.core.models import PLATFORMS_ANNOTATION, REF_NAME, Manifest
from tests.realworld.cli import ocitui
from tests.support.builders import put_image, put_index


def _index_layout(root: Path, *, filtered: bool) -> tuple[Layout, Manifest, Manifest]:
    layout = Layout.open(root, create=True)
    amd = put_image(layout, {"a": b"amd"}, arch="amd64")
    arm = put_image(layout, {"a": b"arm"}, arch="arm64")
    index = put_index(layout, [(amd, "linux/amd64"), (arm, "linux/arm64")])
    annotations = {REF_NAME: "r.io/app:1"}
    if filtered:
        annotations[PLATFORMS_ANNOTATION] = "linux/amd64"
    layout.update_index(lambda _: [index.descriptor().with_changes(annotations=annotations)])
    assert isinstance(amd, Manifest) and isinstance(arm, Manifest)
    return layout, amd, arm


def test_a_recorded_platform_filter_is_sparse_by_design(tmp_path: Path) -> None:
    layout, _amd, arm = _index_layout(tmp_path / "l", filtered=True)
    layout.blob_path(arm.digest).unlink()
    report = fsck(layout)
    assert report.ok, report.to_json()
    assert [f.code for f in report.findings if f.digest == str(arm.digest)] == ["sparse"]


def test_a_missing_platform_without_a_recorded_filter_is_broken(tmp_path: Path) -> None:
    layout, _amd, arm = _index_layout(tmp_path / "l", filtered=False)
    layout.blob_path(arm.digest).unlink()
    done = ocitui("--layout", str(layout.root), "fsck")
    assert done.returncode == 1, done.stdout
    assert "r.io/app:1 is broken" in done.stdout + done.stderr


def test_a_missing_config_or_layer_is_broken_even_when_filtered(tmp_path: Path) -> None:
    layout, amd, _arm = _index_layout(tmp_path / "l", filtered=True)
    layout.blob_path(amd.config.digest).unlink()
    report = fsck(layout)
    assert not report.ok
    assert [f.severity for f in report.findings if f.digest == str(amd.config.digest)] == ["error"]

"""Layouts written by ocitui are read by skopeo and umoci; layouts skopeo writes are read by us."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from ocitui.core import media_types as mt
from ocitui.core.layout import Layout
from ocitui.core.layout.attach import attach
from ocitui.core.layout.fsck import fsck
from tests.support.binaries import need
from tests.support.builders import put_image, put_index


def _ocitui_layout(root: Path) -> Layout:
    layout = Layout.open(root, create=True)
    amd = put_image(layout, {"etc/hello": b"hi"})
    arm = put_image(layout, {"etc/hello": b"hi arm"}, arch="arm64")
    put_index(layout, [(amd, "linux/amd64"), (arm, "linux/arm64")], ref="r.io/team/app:1.0")
    attach(layout, "r.io/team/app:1.0", "application/vnd.example.note")
    return layout


def test_skopeo_reads_ocitui_layout_and_ocitui_reads_skopeo_layout(tmp_path: Path) -> None:
    skopeo = need("skopeo")
    src = tmp_path / "ours"
    _ocitui_layout(src)
    out = subprocess.run(
        [skopeo, "inspect", "--raw", f"oci:{src}:r.io/team/app:1.0"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out)["mediaType"] == mt.OCI_INDEX
    config = subprocess.run(
        [skopeo, "inspect", "--override-arch", "arm64", f"oci:{src}:r.io/team/app:1.0"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(config)["Architecture"] == "arm64"
    # skopeo writes its own layout (short tag); ocitui reads it.
    dest = tmp_path / "theirs"
    subprocess.run(
        [skopeo, "copy", "--all", f"oci:{src}:r.io/team/app:1.0", f"oci:{dest}:v1"],
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = Layout.open(dest)
    desc = theirs.resolve("v1")
    assert desc.media_type == mt.OCI_INDEX
    assert fsck(theirs).ok
    assert theirs.get_document(desc.digest).digest == desc.digest


def test_umoci_lists_ocitui_layout(tmp_path: Path) -> None:
    umoci = need("umoci")
    src = tmp_path / "ours"
    layout = Layout.open(src, create=True)
    put_image(layout, {"etc/hello": b"hi"}, ref="r.io/team/app:1.0")
    done = subprocess.run(
        [umoci, "ls", "--layout", str(src)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "r.io/team/app:1.0" in done.stdout

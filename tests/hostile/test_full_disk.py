"""A really full disk (a small tmpfs), and a layout whose creation was cut short.

The tmpfs is mounted in a private user and mount namespace (``unshare -Urm``, skipped
where user namespaces are not allowed), filled up to a few KiB, and import, pull and
export run against it: one ``No space left`` line, exit 1, ``index.json`` as it was,
nothing unverified in ``blobs/``, no half archive; once space is back the same command
succeeds. (``tests/realworld/test_disk_faults.py`` covers the per-file size limit,
which cannot fail the small ``index.json`` and ``oci-layout`` writes this can.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ocitui.core.layout import Layout
from ocitui.core.layout.fsck import fsck
from tests.hostile.support import (
    assert_one_line_error,
    in_mount_namespace,
    run_cli,
    seed_layout_image,
)
from tests.support.fake_registry import FakeRegistry

#: Runs inside the namespace: argv = mount point, then JSON steps. Each step fills the
#: tmpfs to ``free`` bytes (or empties it: null), runs one ocitui command and records it
#: with the mount point's listing afterwards.
_STEPS = """
import json, os, subprocess, sys
mount, steps = sys.argv[1], json.loads(sys.argv[2])
filler = os.path.join(mount, "filler")
out = []
for free, argv in steps:
    if os.path.exists(filler):
        os.unlink(filler)
    if free is not None:
        st = os.statvfs(mount)
        with open(filler, "wb") as handle:
            handle.write(bytes(max(0, st.f_bavail * st.f_frsize - free)))
    done = subprocess.run([sys.executable, "-m", "ocitui", *argv], capture_output=True, text=True)
    out.append([done.returncode, done.stdout, done.stderr, sorted(os.listdir(mount))])
print(json.dumps(out))
"""


def _on_small_tmpfs(
    mount: Path, steps: list[tuple[int | None, list[str]]], size: str = "2m"
) -> list[tuple[subprocess.CompletedProcess[str], list[str]]]:
    mount.mkdir()
    stdout = in_mount_namespace(
        f'mount -t tmpfs -o size={size} tmpfs "$0"',
        mount,
        [sys.executable, "-c", _STEPS, str(mount), json.dumps(steps)],
    )
    return [
        (subprocess.CompletedProcess([], code, out, err), listing)
        for code, out, err, listing in json.loads(stdout)
    ]


def test_layout_creation_cut_short_is_taken_up_again(tmp_path: Path, demo_copy: Path) -> None:
    archive = tmp_path / "demo.tar"
    assert run_cli("--layout", demo_copy, "export", archive).returncode == 0
    empty_index = (Layout.open(tmp_path / "fresh", create=True).root / "index.json").read_bytes()
    stages = {
        "blobs": {},
        "index": {"index.json": empty_index},
        "temp": {"index.json": empty_index, ".oci-layout.x1y2.tmp": b'{"imageLay'},
    }
    for stage, files in stages.items():
        root = tmp_path / stage
        (root / "blobs" / "sha256").mkdir(parents=True)
        for name, data in files.items():
            (root / name).write_bytes(data)
        assert run_cli("--layout", root, "ls").returncode == 1
        done = run_cli("--layout", root, "import", archive)
        assert done.returncode == 0, (stage, done.stderr)
        assert fsck(Layout.open(root)).ok
    # Somebody's data is still refused.
    other = tmp_path / "other"
    (other / "blobs" / "sha256").mkdir(parents=True)
    (other / "blobs" / "sha256" / "notes.txt").write_text("mine\n")
    assert_one_line_error(run_cli("--layout", other, "import", archive), "is not an OCI layout")


def test_full_disk_import_pull_export_leave_the_layout_as_it_was(
    tmp_path: Path, demo_copy: Path
) -> None:
    archive = tmp_path / "demo.tar"
    assert run_cli("--layout", demo_copy, "export", archive).returncode == 0
    mount = tmp_path / "mnt"
    fresh, out = str(mount / "fresh"), str(mount / "out.tar")
    with FakeRegistry() as registry:
        work = Layout.open(tmp_path / "work", create=True)
        seed_layout_image(work, registry.state, "team/big", "1")
        ref = f"{registry.host}/team/big:1"
        listed = ["--layout", fresh, "ls", "--all", "--json"]
        results = _on_small_tmpfs(
            mount,
            [
                (0, ["--layout", fresh, "import", str(archive)]),
                (None, ["--layout", fresh, "import", str(archive)]),
                (None, listed),
                (16 * 1024, ["--layout", fresh, "pull", ref]),
                (None, listed),
                (None, ["--layout", fresh, "fsck"]),
                (128 * 1024, ["--layout", str(demo_copy), "export", out]),
                (None, ["--layout", fresh, "pull", ref]),
                (None, ["--layout", fresh, "fsck"]),
            ],
        )
    (first, _), (again, _), (before, _), (pull, _), (after, _), (check, _) = results[:6]
    (export, listing), (pull_again, _), (check_again, _) = results[6:]
    assert_one_line_error(first, "No space left on device")
    assert again.returncode == 0, again.stderr  # Was: "exists, is not empty, ..." forever.
    # A sync ends with its report: the failed step's FAILED line names the cause.
    assert pull.returncode == 1 and "Traceback" not in pull.stderr, pull.stderr
    assert "index.json: cannot write: No space left on device" in pull.stderr, pull.stderr
    assert after.stdout == before.stdout and ref not in after.stdout  # index.json as it was.
    assert check.returncode == 0, check.stdout  # Every blob verified, nothing dangling.
    assert_one_line_error(export, "No space left on device")
    assert listing == ["filler", "fresh"], listing  # No half archive, no temp file.
    assert pull_again.returncode == 0, pull_again.stderr
    assert check_again.returncode == 0, check_again.stdout

"""A layout on a read-only mount: every read command works, every writer fails in one line.

The layout is bind-mounted read-only over itself inside a private mount namespace
(``unshare -Urm``: no root needed where user namespaces are allowed); the commands run in
there. Running as root, ``chmod`` proves nothing, a read-only mount does.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from tests.hostile.support import in_mount_namespace

APP = "registry.example.com/demo/app:1.0"

_RUN_ALL = """
import json, subprocess, sys
out = []
for argv in json.loads(sys.argv[1]):
    done = subprocess.run([sys.executable, "-m", "ocitui", *argv], capture_output=True, text=True)
    out.append([argv, done.returncode, done.stdout, done.stderr])
print(json.dumps(out))
"""


def _read_only_runs(root: Path, commands: list[list[str]]) -> list[tuple[list[str], int, str, str]]:
    """Run each ``ocitui --layout ROOT ...`` with ``root`` mounted read-only."""
    argvs = [["--layout", str(root), *command] for command in commands]
    stdout = in_mount_namespace(
        'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0"',
        root,
        [sys.executable, "-c", _RUN_ALL, json.dumps(argvs)],
    )
    return [(argv[2:], code, out, err) for argv, code, out, err in json.loads(stdout)]


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_read_commands_work_and_writers_fail_in_one_line(tmp_path: Path, demo_copy: Path) -> None:
    before = _tree(demo_copy)
    archive = tmp_path / "out.tar"
    reads = [
        ["ls"],
        ["ls", "--all", "--json"],
        ["inspect", APP],
        ["referrers", APP, "--tree"],
        ["fsck"],
        ["gc", "--dry-run"],
        ["gc", "--dry-run", "--partials"],
        ["diff", APP, "registry.example.com/demo/app:1.1"],
        ["export", str(archive), APP],
    ]
    other = tmp_path / "x.txt"
    other.write_text("x\n")
    writers = [
        ["gc"],
        ["tag", APP, "example.com/x:2"],
        ["rm", APP],
        ["import", str(archive)],
        ["attach", APP, "--artifact-type", "application/x.y", str(other)],
        ["fsck", "--repair"],
    ]
    results = _read_only_runs(demo_copy, reads + writers)
    for argv, code, _out, err in results[: len(reads)]:
        assert code == 0 or (argv[0] == "diff" and code == 1), (argv, code, err)
        assert "Traceback" not in err and "error" not in err, (argv, err)
    assert archive.is_file()
    for argv, code, _out, err in results[len(reads) :]:
        assert "Traceback" not in err, (argv, err)
        if argv == ["fsck", "--repair"]:  # Nothing to repair: nothing written, ok.
            assert code == 0, (argv, err)
            continue
        errors = [line for line in err.splitlines() if line.startswith("ocitui: error:")]
        assert code == 1 and len(errors) == 1, (argv, code, err)
        assert "Read-only file system" in errors[0], (argv, errors)
    assert _tree(demo_copy) == before

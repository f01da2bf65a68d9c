"""Seed layouts for the fuzz harness written by other tools (whichever are installed).

Each is made once into a cache directory, offline: ocitui's own ``export --for-peers``
(short tags, fallback-tag indexes), skopeo and regctl copies of it, a umoci image, and an
oras artifact with an attached referrer. A peer that is missing is skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

from tests.support.binaries import find

REPO_ROOT = Path(__file__).resolve().parents[2]


def _run(*argv: str, cwd: Path) -> bool:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=120, check=False)
    return result.returncode == 0


def for_peers(cache: Path) -> Path | None:
    """The demo's app images exported with ``--for-peers`` and unpacked."""
    target = cache / "for-peers"
    if not (target / "index.json").exists():
        archive = cache / "for-peers.tar"
        demo = str(REPO_ROOT / "layouts" / "demo")
        ocitui = (sys.executable, "-m", "ocitui", "--layout", demo)
        if not _run(
            *ocitui, "export", "--for-peers", str(archive), "app:1.0", "app:1.1", cwd=cache
        ):
            return None
        target.mkdir()
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
    return target


def _peer(cache: Path, name: str, *commands: tuple[str, ...]) -> Path | None:
    target = cache / name
    if (target / "index.json").exists():
        return target
    for argv in commands:
        tool = find(argv[0])
        if tool is None or not _run(tool, *argv[1:], cwd=cache):
            return None
    return target if (target / "index.json").exists() else None


def peer_layouts(cache: Path) -> Iterator[tuple[str, Path]]:
    """(name, path) of every seed layout that could be made."""
    cache.mkdir(parents=True, exist_ok=True)
    source = for_peers(cache)
    if source is None:
        return
    yield "for-peers", source
    (cache / "f.txt").write_text("hello\n")
    (cache / "s.txt").write_text("signature\n")
    made = (
        _peer(cache, "skopeo", ("skopeo", "copy", "--all", "oci:for-peers:1.0", "oci:skopeo:1.0")),
        _peer(
            cache,
            "regctl",
            (
                "regctl",
                "image",
                "copy",
                "--referrers",
                "ocidir://for-peers:1.0",
                "ocidir://regctl:1.0",
            ),
        ),
        _peer(
            cache,
            "umoci",
            ("umoci", "init", "--layout", "umoci"),
            ("umoci", "new", "--image", "umoci:t1"),
            ("umoci", "config", "--image", "umoci:t1", "--config.cmd", "/bin/true"),
        ),
        _peer(
            cache,
            "oras",
            ("oras", "push", "--oci-layout", "oras:v1", "f.txt:text/plain"),
            (
                "oras",
                "attach",
                "--oci-layout",
                "oras:v1",
                "--artifact-type",
                "application/x",
                "s.txt",
            ),
        ),
    )
    for path in made:
        if path is not None:
            yield path.name, path

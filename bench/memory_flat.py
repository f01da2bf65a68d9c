"""Benchmark: ocitui's peak memory does not grow with blob size.

Pushes two single-layer images to a throw-away docker-registry on loopback, one with a
1 MiB layer and one with a large layer (default 1 GiB), then measures the peak RSS of
``ocitui pull`` and ``ocitui push`` of each (``/usr/bin/time -v``) and prints the growth.
Target: the large blob raises peak RSS by less than 64 MiB. Not part of the test run:

    python -m bench.memory_flat [--big-mib 1024]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import tempfile
from pathlib import Path

from bench.sync_vs_skopeo import random_file, timed
from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.models import Descriptor, canonical_json
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import repository
from tests.support.registries import run_docker_registry

LIMIT_MIB = 64


async def single_layer_image(host: str, work: Path, name: str, size: int) -> str:
    """Push a one-layer image of ``size`` random bytes; return its reference."""
    ref = parse_reference(f"{host}/mem/{name}:v1")
    repo = repository(ref)
    path = work / name
    layer = random_file(path, size)
    config = canonical_json(
        {
            "architecture": "amd64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [str(layer.digest)]},
        }
    )
    cdesc = Descriptor(mt.OCI_CONFIG, Digest.of(config), len(config))
    manifest = canonical_json(
        {
            "schemaVersion": 2,
            "mediaType": mt.OCI_MANIFEST,
            "config": cdesc.to_json(),
            "layers": [layer.to_json()],
        }
    )
    async with RegistryClient() as client:
        await client.push_blob(repo, layer, lambda: path.open("rb"))
        await client.push_blob(repo, cdesc, lambda: io.BytesIO(config))
        await client.put_manifest(ref, manifest, mt.OCI_MANIFEST)
    path.unlink()
    return str(ref)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big-mib", type=int, default=1024, help="size of the large blob")
    args = parser.parse_args()
    env = {**os.environ, "NO_COLOR": "1"}
    ocitui = [sys.executable, "-m", "ocitui"]
    with tempfile.TemporaryDirectory(prefix="ocitui-mem-") as tmp:
        work = Path(tmp)
        (work / "reg").mkdir()
        (work / "dest").mkdir()
        env["HOME"] = str(work / "home")
        with run_docker_registry(work / "reg") as host, run_docker_registry(work / "dest") as dest:
            peaks: dict[str, dict[str, int]] = {}
            for name, mib in (("small", 1), ("big", args.big_mib)):
                ref = asyncio.run(single_layer_image(host, work, name, mib << 20))
                layout = str(work / f"layout-{name}")
                pull_s, pull_kib = timed([*ocitui, "pull", ref, "--layout", layout], env)
                push_s, push_kib = timed(
                    [*ocitui, "push", ref, f"{dest}/mem/{name}:v1", "--layout", layout], env
                )
                peaks[name] = {"pull": pull_kib, "push": push_kib}
                print(
                    f"{name:>5} {mib:5d} MiB: pull {pull_s:6.2f}s peak {pull_kib >> 10} MiB "
                    f"({mib / pull_s:.0f} MiB/s); push {push_s:6.2f}s peak "
                    f"{push_kib >> 10} MiB ({mib / push_s:.0f} MiB/s)"
                )
            for what in ("pull", "push"):
                grew = (peaks["big"][what] - peaks["small"][what]) / 1024
                verdict = "ok" if grew < LIMIT_MIB else "FAIL"
                print(
                    f"{what}: peak RSS grew {grew:.1f} MiB for a {args.big_mib} MiB blob "
                    f"(limit {LIMIT_MIB} MiB) {verdict}"
                )


if __name__ == "__main__":
    main()

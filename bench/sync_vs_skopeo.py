"""Benchmark: ocitui pull/push against skopeo copy on a local docker-registry.

Builds a 3-platform image of random (incompressible) layers (default ~300 MiB in total),
pushes it to a throw-away docker-registry on loopback, then alternates runs of
``ocitui pull`` / ``skopeo copy --all docker://... oci:DIR`` into empty layouts and
``ocitui push`` / ``skopeo copy --all oci:DIR docker://...`` back, printing wall-clock
medians, ratios (ocitui / skopeo) and peak RSS (``/usr/bin/time -v``). Finally checks that
a second pull transfers no blob. Not part of the test run:

    python -m bench.sync_vs_skopeo [--mib 300] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import precompile
from bench.timing import run_timed
from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.models import Descriptor, canonical_json
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import repository
from tests.support.registries import run_docker_registry

PLATFORMS = ("linux/amd64", "linux/arm64", "linux/s390x")


def random_file(path: Path, size: int) -> Descriptor:
    """Write ``size`` random bytes, hashing as we go (memory stays flat)."""
    hasher = Digest("sha256", "0" * 64).hasher()
    with path.open("wb") as out:
        left = size
        while left:
            chunk = os.urandom(min(left, 1 << 20))
            hasher.update(chunk)
            out.write(chunk)
            left -= len(chunk)
    return Descriptor(mt.OCI_LAYER_GZIP, Digest("sha256", hasher.hexdigest()), size)


async def push_image(host: str, work: Path, name: str, shape: tuple[int, int, int]) -> str:
    """Push an index of ``platforms`` images of ``layers`` random layers each."""
    platforms, layers, layer_size = shape
    ref = parse_reference(f"{host}/bench/{name}:v1")
    repo = repository(ref)
    children = []
    arches = ["amd64", "arm64", "s390x", "ppc64le"]
    async with RegistryClient() as client:
        for p in range(platforms):
            arch = arches[p % len(arches)]
            descs = []
            for n in range(layers):
                if layer_size >= 1 << 20:
                    path = work / f"{name}-{p}-{n}"
                    desc = random_file(path, layer_size)
                    await client.push_blob(repo, desc, lambda path=path: path.open("rb"))
                    path.unlink()
                else:
                    data = os.urandom(layer_size)
                    desc = Descriptor(mt.OCI_LAYER_GZIP, Digest.of(data), len(data))
                    await client.push_blob(repo, desc, lambda data=data: io.BytesIO(data))
                descs.append(desc.to_json())
            config = canonical_json(
                {
                    "architecture": arch,
                    "os": "linux",
                    "rootfs": {"type": "layers", "diff_ids": [d["digest"] for d in descs]},
                }
            )
            cdesc = Descriptor(mt.OCI_CONFIG, Digest.of(config), len(config))
            await client.push_blob(repo, cdesc, lambda config=config: io.BytesIO(config))
            manifest = canonical_json(
                {
                    "schemaVersion": 2,
                    "mediaType": mt.OCI_MANIFEST,
                    "config": cdesc.to_json(),
                    "layers": descs,
                }
            )
            pushed = await client.put_manifest(
                repo.with_digest(Digest.of(manifest)), manifest, mt.OCI_MANIFEST
            )
            children.append(
                {**pushed.descriptor().to_json(), "platform": {"architecture": arch, "os": "linux"}}
            )
        index = canonical_json(
            {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": children}
        )
        await client.put_manifest(ref, index, mt.OCI_INDEX)
    return str(ref)


async def build_image(host: str, work: Path, total_mib: int) -> str:
    """Push a 3-platform image with 2 layers per platform; return its reference."""
    layer_size = total_mib * (1 << 20) // (len(PLATFORMS) * 2)
    return await push_image(host, work, "app", (len(PLATFORMS), 2, layer_size))


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """(seconds, peak RSS in KiB) of ``cmd`` (:func:`bench.timing.run_timed`)."""
    timing = run_timed(cmd, env)
    return timing.seconds, timing.peak_rss_kib


SKOPEO_CACHES = (
    Path("/var/lib/containers/cache/blob-info-cache-v1.boltdb"),
    Path.home() / ".local/share/containers/cache/blob-info-cache-v1.boltdb",
)


def forget_skopeo_cache() -> None:
    """Drop skopeo's blob-info cache (where it has seen blobs before) between runs."""
    for path in SKOPEO_CACHES:
        path.unlink(missing_ok=True)


def _fresh(work: Path, name: str) -> Path:
    path = work / name
    path.mkdir()
    return path


def main() -> None:
    """Run the benchmark and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mib", type=int, default=300, help="total layer size (MiB)")
    parser.add_argument("--runs", type=int, default=3, help="runs per tool and direction")
    parser.add_argument("--concurrency", type=int, default=4, help="ocitui --concurrency")
    args = parser.parse_args()
    precompile()
    skopeo = shutil.which("skopeo") or sys.exit("skopeo is not installed")
    env = {**os.environ, "NO_COLOR": "1"}
    ocitui = [sys.executable, "-m", "ocitui"]
    with tempfile.TemporaryDirectory(prefix="ocitui-bench-") as tmp:
        work = Path(tmp)
        (work / "reg").mkdir()
        env["HOME"] = str(work / "home")
        env["DOCKER_CONFIG"] = str(work / "home" / ".docker")
        with run_docker_registry(work / "reg") as host:
            ref = asyncio.run(build_image(host, work, args.mib))
            print(f"image {ref}: {args.mib} MiB in {len(PLATFORMS) * 2} layers")
            results: dict[str, list[tuple[float, int]]] = {}
            for run in range(args.runs):
                o_dir, s_dir = work / f"o{run}", work / f"s{run}"
                results.setdefault("ocitui pull", []).append(
                    timed([*ocitui, "pull", ref, "--layout", str(o_dir)], env)
                )
                results.setdefault("skopeo pull", []).append(
                    timed(
                        [
                            skopeo,
                            "copy",
                            "-q",
                            "--all",
                            "--src-tls-verify=false",
                            f"docker://{ref}",
                            f"oci:{s_dir}:v1",
                        ],
                        env,
                    )
                )
                # Each push goes to a registry of its own that has never seen these blobs
                # (the air-gap case): skopeo's blob-info cache would otherwise let it mount
                # from where it pulled, which measures the cache, not the transfer.
                forget_skopeo_cache()
                with run_docker_registry(_fresh(work, f"dest-o{run}")) as dest:
                    results.setdefault("ocitui push", []).append(
                        timed(
                            [*ocitui, "push", ref, f"{dest}/o{run}/app:v1", "--layout", str(o_dir)],
                            env,
                        )
                    )
                forget_skopeo_cache()
                with run_docker_registry(_fresh(work, f"dest-s{run}")) as dest:
                    results.setdefault("skopeo push", []).append(
                        timed(
                            [
                                skopeo,
                                "copy",
                                "-q",
                                "--all",
                                "--dest-tls-verify=false",
                                f"oci:{s_dir}:v1",
                                f"docker://{dest}/s{run}/app:v1",
                            ],
                            env,
                        )
                    )
                if run:
                    shutil.rmtree(s_dir)
            for name, rows in results.items():
                secs = [r[0] for r in rows]
                print(
                    f"{name:<12} median {statistics.median(secs):6.2f}s  runs "
                    + " ".join(f"{s:.2f}" for s in secs)
                    + f"  peak RSS {max(r[1] for r in rows) / 1024:.0f} MiB"
                )
            for what in ("pull", "push"):
                ours = statistics.median(r[0] for r in results[f"ocitui {what}"])
                theirs = statistics.median(r[0] for r in results[f"skopeo {what}"])
                print(f"ratio {what}: {ours / theirs:.2f} (ocitui / skopeo; target <= 1.0)")
            again = subprocess.run(
                [*ocitui, "pull", ref, "--layout", str(work / "o0"), "--json"],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            events = [json.loads(line) for line in again.stdout.splitlines()]
            started = sum(e["event"] == "BlobStarted" for e in events)
            summary = events[0]["plan"]["summary"]
            print(
                f"second pull: {started} blob transfers, {summary['bytesToCopy']} bytes "
                f"to copy ({'ok' if started == 0 else 'FAIL'})"
            )


if __name__ == "__main__":
    main()

"""Benchmark: pull an image with 10,000 small referrers from a local docker-registry.

Pushes one small image and ``--count`` referrers of it (each an artifact manifest with its
own one-line payload) to a throw-away docker-registry on loopback. docker-registry 2.8 has
no referrers API, so the referrers are listed the way ocitui and oras push them there: one
``sha256-<hex>`` fallback tag index naming every referrer. Then ``ocitui pull`` copies the
image with all its referrers into an empty layout, and again into the same layout (nothing
new: every manifest is read from the layout). Prints wall time, the CPU time of ocitui
and of docker-registry (it runs on the same cores: on a two-core machine the two share
them) and the requests the registry answered (counted from its log) per pull. The
registry logs at ``info`` (one line per request, which is what counts them) with its
access log off. Not part of the test run:

    python -m bench.referrers_10k [--count 10000]

Goal: the first pull well under a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.models import Descriptor, canonical_json
from tests.support.registries import run_docker_registry

ROOT = Path(__file__).resolve().parents[1]
REPO = "bench/refs"
ARTIFACT_TYPE = "application/vnd.example.signature.v1"
#: Requests in flight while seeding the registry.
SEED_CONCURRENCY = 16


@dataclass(frozen=True)
class PullFigures:
    """One pull: wall seconds, CPU seconds of the ocitui process and of the registry,
    registry requests."""

    wall: float
    cpu: float
    requests: int
    registry_cpu: float = 0.0


def registry_cpu() -> float:
    """CPU seconds (user + system) the docker-registry processes this process started
    have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # Ended meanwhile.
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        # fields[1] is the parent pid; utime and stime are fields 14 and 15 of stat(5).
        if name == "docker-registry" and int(fields[1]) == os.getpid():
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


class Seeder:
    """Pushes blobs and manifests with plain HTTP requests (no fallback-tag upkeep per
    referrer: the one fallback index is written at the end)."""

    def __init__(self, client: httpx.AsyncClient, host: str) -> None:
        self.client = client
        self.base = f"http://{host}/v2/{REPO}"
        self.sem = asyncio.Semaphore(SEED_CONCURRENCY)

    async def blob(self, data: bytes, media_type: str) -> Descriptor:
        """Upload ``data`` (POST, then a monolithic PUT)."""
        digest = Digest.of(data)
        async with self.sem:
            started = await self.client.post(f"{self.base}/blobs/uploads/")
            started.raise_for_status()
            location = httpx.URL(self.base).join(started.headers["location"])
            done = await self.client.put(
                location.copy_merge_params({"digest": str(digest)}), content=data
            )
            done.raise_for_status()
        return Descriptor(media_type, digest, len(data))

    async def manifest(self, raw: bytes, media_type: str, ref: str | None = None) -> Descriptor:
        """PUT a manifest by digest (or under ``ref``)."""
        digest = Digest.of(raw)
        async with self.sem:
            response = await self.client.put(
                f"{self.base}/manifests/{ref or digest}",
                content=raw,
                headers={"Content-Type": media_type},
            )
            response.raise_for_status()
        return Descriptor(media_type, digest, len(raw))


async def seed(host: str, count: int) -> str:
    """The image ``v1`` and ``count`` referrers of it; returns the image's reference."""
    async with httpx.AsyncClient(timeout=60) as client:
        put = Seeder(client, host)
        layer = await put.blob(os.urandom(256), mt.OCI_LAYER_GZIP)
        config_raw = canonical_json(
            {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers"}}
        )
        config = await put.blob(config_raw, mt.OCI_CONFIG)
        image_raw = canonical_json(
            {
                "schemaVersion": 2,
                "mediaType": mt.OCI_MANIFEST,
                "config": config.to_json(),
                "layers": [layer.to_json()],
            }
        )
        subject = await put.manifest(image_raw, mt.OCI_MANIFEST, "v1")
        empty = await put.blob(b"{}", mt.OCI_EMPTY)

        async def referrer(number: int) -> dict[str, object]:
            payload = await put.blob(f"signature {number}\n".encode(), ARTIFACT_TYPE)
            annotations = {"org.opencontainers.image.created": "2026-01-01T00:00:00Z"}
            raw = canonical_json(
                {
                    "schemaVersion": 2,
                    "mediaType": mt.OCI_MANIFEST,
                    "artifactType": ARTIFACT_TYPE,
                    "config": empty.to_json(),
                    "layers": [payload.to_json()],
                    "subject": subject.to_json(),
                    "annotations": annotations,
                }
            )
            desc = await put.manifest(raw, mt.OCI_MANIFEST)
            return {**desc.to_json(), "artifactType": ARTIFACT_TYPE, "annotations": annotations}

        listed = await asyncio.gather(*(referrer(n) for n in range(count)))
        index = canonical_json({"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": listed})
        await put.manifest(index, mt.OCI_INDEX, subject.digest.tag_form)
    return f"{host}/{REPO}:v1"


def answered(log: Path) -> int:
    """Requests the registry has answered so far (one ``response completed`` line each)."""
    with log.open("rb") as handle:
        return sum(line.count(b"response completed") for line in handle)


def pull(ref: str, layout: Path, log: Path) -> PullFigures:
    """``ocitui pull REF`` into ``layout``; a failure stops the benchmark."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    before_requests = answered(log)
    before_registry = registry_cpu()
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ocitui", "pull", ref, "--layout", str(layout)],
        capture_output=True,
        env=env,
        check=False,
    )
    wall = time.perf_counter() - start
    after = os.times()
    if done.returncode != 0:
        sys.exit(f"pull failed:\n{done.stderr.decode(errors='replace')[-3000:]}")
    time.sleep(0.5)  # The registry logs a response after sending it.
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return PullFigures(wall, cpu, answered(log) - before_requests, registry_cpu() - before_registry)


def run(count: int, work: Path) -> tuple[PullFigures, PullFigures, float]:
    """Seed a fresh registry, pull twice; returns both pulls and the seeding seconds."""
    registry = work / "registry"
    registry.mkdir()
    with run_docker_registry(registry, log_level="info") as host:
        started = time.perf_counter()
        ref = asyncio.run(seed(host, count))
        seeded = time.perf_counter() - started
        log = registry / "registry.log"
        first = pull(ref, work / "layout", log)
        again = pull(ref, work / "layout", log)
    return first, again, seeded


def rows(count: int, first: PullFigures, again: PullFigures) -> list[tuple[str, str, str, str]]:
    """Table rows: what, value, goal, detail."""
    return [
        (
            f"pull of an image with {count:,} referrers (docker-registry, fallback tag)",
            f"{first.wall:.1f} s",
            "well under a minute",
            f"{first.requests:,} requests ({first.requests / count:.2f} per referrer); "
            f"CPU {first.cpu:.1f} s (docker-registry {first.registry_cpu:.1f} s)",
        ),
        (
            f"the same pull again ({count:,} referrers already in the layout)",
            f"{again.wall:.1f} s",
            "",
            f"{again.requests:,} requests; CPU {again.cpu:.1f} s "
            f"(docker-registry {again.registry_cpu:.1f} s)",
        ),
    ]


def main() -> None:
    """Seed, pull, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="referrers (default 10000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ocitui-bench-refs-") as tmp:
        first, again, seeded = run(args.count, Path(tmp))
    print(f"seeded {args.count:,} referrers in {seeded:.1f} s")
    print("| what | ocitui | goal | detail |")
    print("|---|---|---|---|")
    for row in rows(args.count, first, again):
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()

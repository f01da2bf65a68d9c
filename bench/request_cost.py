"""Benchmark: client CPU per small registry request, by HTTP layer.

Starts a docker-registry on loopback with one small manifest, then, in a fresh process
per client, GETs that manifest ``--requests`` times (``--in-flight`` at once, after 100
warm-up requests) and prints the process's CPU time (user+sys, ``getrusage``) per
request. The clients:

- ``session``: ocitui's :class:`~ocitui.core.registry.session.Session` (``request`` +
  ``read``: what a pull does per manifest), from the tree given by ``--tree`` (default:
  this one), so an older checkout can be compared in the same run;
- ``httpx``: a bare ``httpx.AsyncClient`` (httpcore + h11);
- ``aiohttp``: a bare ``aiohttp.ClientSession`` (its C parser, llhttp).

The registry's own CPU is not counted. Not part of the test run:

    python -m bench.request_cost [--requests 2000] [--tree OTHER_CHECKOUT]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = ("session", "httpx", "aiohttp")
ACCEPT = "application/vnd.oci.image.manifest.v1+json"
#: Past the session's LEAN_AFTER (64): the measured requests all take its lean path.
WARM_UP = 100


def cpu_seconds() -> float:
    """User + system CPU of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def timed(one: Callable[[], Awaitable[None]], requests: int, in_flight: int) -> float:
    """CPU seconds for ``requests`` calls of ``one()``, ``in_flight`` at once."""
    for _ in range(WARM_UP):
        await one()
    gate = asyncio.Semaphore(in_flight)

    async def guarded() -> None:
        async with gate:
            await one()

    started = cpu_seconds()
    await asyncio.gather(*(guarded() for _ in range(requests)))
    return cpu_seconds() - started


async def measure(client: str, host: str, path: str, requests: int, in_flight: int) -> float:
    """Run one client (in this process); returns CPU seconds per request."""
    url = f"http://{host}{path}"
    if client == "session":
        import ocitui.core.registry  # noqa: F401  (the package's import-time setup)
        from ocitui.core.registry.credentials import StaticCredentials
        from ocitui.core.registry.options import RegistryOptions
        from ocitui.core.registry.session import Session

        session = Session(RegistryOptions(plain_http=True), StaticCredentials())

        async def one() -> None:
            response = await session.request(
                "GET", url, registry=host, scopes=[], where="bench", headers={"Accept": ACCEPT}
            )
            assert response.status_code == 200, response.status_code
            await session.read(response, 1 << 20, "bench")

        try:
            return await timed(one, requests, in_flight) / requests
        finally:
            await session.aclose()
    if client == "httpx":
        import httpx

        async with httpx.AsyncClient() as plain:

            async def one_httpx() -> None:
                response = await plain.get(url, headers={"Accept": ACCEPT})
                assert response.status_code == 200, response.status_code

            return await timed(one_httpx, requests, in_flight) / requests
    import aiohttp

    async with aiohttp.ClientSession() as lean:

        async def one_aiohttp() -> None:
            async with lean.get(url, headers={"Accept": ACCEPT}) as response:
                assert response.status == 200, response.status
                await response.read()

        return await timed(one_aiohttp, requests, in_flight) / requests


def seed(host: str) -> str:
    """Push a small image; returns the path of its manifest."""
    from bench.referrers_10k import seed as seed_referrers

    ref = asyncio.run(seed_referrers(host, 0))
    repository, _, tag = ref.partition("/")[2].rpartition(":")
    return f"/v2/{repository}/manifests/{tag}"


def child(client: str, tree: Path, host: str, path: str, *, requests: int, in_flight: int) -> float:
    """Measure ``client`` in a fresh process importing ocitui from ``tree`` (this file
    runs there as a script, so an older checkout without it can be measured)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, __file__, "--child", client, host, path, str(requests)]
    done = subprocess.run(
        [*command, str(in_flight)], env=env, cwd=tree, capture_output=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{client} failed:\n{done.stderr.decode(errors='replace')[-2000:]}")
    return float(done.stdout.decode().split()[-1])


def main() -> None:
    """Seed, measure each client alternately, print a table of medians."""
    if sys.argv[1:2] == ["--child"]:
        client, host, path, requests, in_flight = sys.argv[2:7]
        print(asyncio.run(measure(client, host, path, int(requests), int(in_flight))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="GETs per run")
    parser.add_argument("--in-flight", type=int, default=4, help="requests at once")
    parser.add_argument("--runs", type=int, default=3, help="runs per client (median)")
    parser.add_argument("--tree", type=Path, help="also measure the session of this checkout")
    args = parser.parse_args()
    from bench import precompile
    from tests.support.registries import run_docker_registry

    precompile()
    clients = [("session", ROOT)]
    if args.tree:
        clients.append(("session", args.tree.resolve()))
    clients += [(name, ROOT) for name in CLIENTS[1:]]
    rows: dict[str, list[float]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="ocitui-bench-req-") as tmp,
        run_docker_registry(Path(tmp)) as host,
    ):
        path = seed(host)
        started = time.perf_counter()
        for _ in range(args.runs):
            for name, tree in clients:
                label = f"session ({tree})" if tree != ROOT else name
                figure = child(
                    name, tree, host, path, requests=args.requests, in_flight=args.in_flight
                )
                rows.setdefault(label, []).append(figure)
    print(
        f"{args.requests} GETs of a small manifest, {args.in_flight} in flight, "
        f"{args.runs} runs alternating ({time.perf_counter() - started:.0f} s)"
    )
    print("| client | CPU per request (median) | runs |")
    print("|---|---|---|")
    for label, values in rows.items():
        runs = " ".join(f"{v * 1000:.2f}" for v in values)
        print(f"| {label} | {sorted(values)[len(values) // 2] * 1000:.2f} ms | {runs} |")


if __name__ == "__main__":
    main()

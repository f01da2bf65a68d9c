"""Benchmark: ``ocitui serve`` against docker-registry, both serving one image to skopeo.

Builds a 3-platform image of random (incompressible) layers (default 256 MiB in total) in
a throw-away docker-registry on loopback, pulls it into a layout with ``ocitui pull``,
serves that layout with ``ocitui serve``, then alternates ``skopeo copy --all
docker://... oci:DIR`` from each server into empty layouts, printing wall-clock medians
and the ratio (ocitui serve / docker-registry). Every copy must come out with the same
index digest from either server. Not part of the test run:

    python -m bench.serve_vs_registry [--mib 256] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.sync_vs_skopeo import build_image, forget_skopeo_cache, timed
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from tests.support.registries import run_docker_registry
from tests.support.serving import OCITUI, start_serve


def main() -> None:
    """Run the benchmark and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mib", type=int, default=256, help="total layer size (MiB)")
    parser.add_argument("--runs", type=int, default=5, help="runs per server")
    args = parser.parse_args()
    skopeo = shutil.which("skopeo") or sys.exit("skopeo is not installed")
    with tempfile.TemporaryDirectory(prefix="ocitui-bench-serve-") as tmp:
        work = Path(tmp)
        (work / "reg").mkdir()
        env = {**os.environ, "NO_COLOR": "1", "HOME": str(work / "home")}
        env["DOCKER_CONFIG"] = str(work / "home" / ".docker")
        with run_docker_registry(work / "reg") as host:
            ref = asyncio.run(build_image(host, work, args.mib))
            layout_dir = work / "layout"
            subprocess.run(
                [*OCITUI, "--layout", str(layout_dir), "pull", ref],
                check=True,
                capture_output=True,
                env=env,
            )
            digest = Layout.open(layout_dir).resolve(ref).digest
            server = start_serve(layout_dir, log_path=work / "serve.log")
            try:
                sources = {
                    "docker-registry": f"docker://{ref}",
                    "ocitui serve": f"docker://{server.host}/bench/app:v1",
                }
                print(f"image {ref}: {args.mib} MiB in 6 layers, index {digest}")
                times: dict[str, list[float]] = {name: [] for name in sources}
                copies: set[Digest] = set()
                for run in range(args.runs):
                    for name, source in sources.items():
                        dest = work / f"{name.split()[0]}-{run}"
                        forget_skopeo_cache()
                        cmd = [skopeo, "copy", "-q", "--all", "--src-tls-verify=false"]
                        seconds, _ = timed([*cmd, source, f"oci:{dest}:v1"], env)
                        times[name].append(seconds)
                        copies.add(Layout.open(dest).resolve("v1").digest)
                        if len(copies) != 1:
                            sys.exit(f"the two servers gave skopeo different images: {copies}")
                        shutil.rmtree(dest)
            finally:
                server.stop()
        for name, secs in times.items():
            print(
                f"{name:<16} median {statistics.median(secs):6.2f}s  runs "
                + " ".join(f"{s:.2f}" for s in secs)
            )
        ratio = statistics.median(times["ocitui serve"]) / statistics.median(
            times["docker-registry"]
        )
        print(f"ratio: {ratio:.2f} (ocitui serve / docker-registry; goal <= 1.2)")


if __name__ == "__main__":
    main()

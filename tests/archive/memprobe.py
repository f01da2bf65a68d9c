"""Measure export/import memory and throughput in a fresh process.

``python -m tests.archive.memprobe DIR MIB [--zstd]`` builds a layout in DIR holding one
MIB-MiB blob, exports it, imports it into a second layout, and prints JSON: peak RSS
growth (ru_maxrss) and tracemalloc peak for each step, and MiB/s.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from ocitui.core import media_types as mt
from ocitui.core.archive import export_archive, import_archives
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.models import canonical_json

MIB = 1024 * 1024


def _big_blob(layout: Layout, mib: int) -> dict[str, object]:
    block = random.Random(7).randbytes(MIB)
    hasher = hashlib.sha256()
    temp = layout.root / "big.tmp"
    with temp.open("wb") as handle:
        for i in range(mib):
            chunk = block[i % 251 :] + block[: i % 251]  # Varied, still cheap to make.
            hasher.update(chunk)
            handle.write(chunk)
    digest = Digest("sha256", hasher.hexdigest())
    os.replace(temp, layout.blob_path(digest))
    return {"mediaType": mt.OCI_LAYER_TAR, "digest": str(digest), "size": mib * MIB}


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Build, export, import; print measurements."""
    root, mib, zstd = Path(sys.argv[1]), int(sys.argv[2]), "--zstd" in sys.argv
    src = Layout.open(root / "src", create=True)
    config = src.put_blob(b"{}")
    doc = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "config": {"mediaType": mt.OCI_CONFIG, "digest": str(config), "size": 2},
        "layers": [_big_blob(src, mib)],
    }
    src.set_tag("example.com/big:1", src.put_document(canonical_json(doc), mt.OCI_MANIFEST))
    archive = root / ("big.tar.zst" if zstd else "big.tar")
    result: dict[str, object] = {"mib": mib, "zstd": zstd}
    for step in ("export", "import"):
        base = _rss_mib()
        tracemalloc.start()
        start = time.perf_counter()
        if step == "export":
            export_archive(src, archive)
        else:
            import_archives(Layout.open(root / "dst", create=True), [archive])
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result[step] = {
            "seconds": round(seconds, 3),
            "mib_per_s": round(mib / seconds, 1),
            "rss_growth_mib": round(_rss_mib() - base, 1),
            "tracemalloc_peak_mib": round(peak / MIB, 2),
        }
    result["archive_mib"] = round(archive.stat().st_size / MIB, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

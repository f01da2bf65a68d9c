"""Synthetic big layouts: ``images`` single-platform images, each with one referrer.

Every blob is real and present (config, one small layer, manifest; an SBOM-shaped
artifact whose subject is the image), so ``ls``/``referrers``/``inspect``/``fsck`` and
skopeo/umoci see a valid layout. Blobs are written directly (no fsync: this is a
fixture generator, not the layout store). Not part of the test run:

    python -m bench.synth DIR --images 5000      # 10,000 index.json entries
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from pathlib import Path

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
EMPTY = "application/vnd.oci.empty.v1+json"
SPDX = "application/spdx+json"
SUBJECT_HINT = "dev.ocitui.referrer.subject"


def _canonical(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


class _Writer:
    def __init__(self, root: Path) -> None:
        self.dir = root / "blobs" / "sha256"
        self.dir.mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes, media_type: str) -> dict[str, object]:
        digest = hashlib.sha256(data).hexdigest()
        path = self.dir / digest
        if not path.exists():
            path.write_bytes(data)
        return {"mediaType": media_type, "digest": f"sha256:{digest}", "size": len(data)}


def make_layout(
    root: Path, images: int, *, referrers: bool = True, repositories: int | None = None
) -> int:
    """Write the layout at ``root``; returns the number of ``index.json`` entries.

    Image ``n`` is tagged ``registry.example.com/team{n % 50}/app{n // 50}:v{n}``, or,
    with ``repositories``, ``registry.example.com/big{n % repositories}/app:v{n}`` (a
    few repositories of many tags each).
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    writer = _Writer(root)
    empty = writer.put(b"{}", EMPTY)
    entries: list[dict[str, object]] = []
    for n in range(images):
        layer = writer.put(f"layer {n}\n".encode() * 8, OCI_LAYER)
        config = writer.put(
            _canonical(
                {
                    "architecture": "arm64" if n % 2 else "amd64",
                    "os": "linux",
                    "config": {"Env": [f"N={n}"]},
                    "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]},
                }
            ),
            OCI_CONFIG,
        )
        manifest = _canonical(
            {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": config,
                "layers": [layer],
            }
        )
        desc = writer.put(manifest, OCI_MANIFEST)
        repo = (
            f"registry.example.com/big{n % repositories}/app"
            if repositories
            else f"registry.example.com/team{n % 50}/app{n // 50}"
        )
        entries.append(
            {**desc, "annotations": {"org.opencontainers.image.ref.name": f"{repo}:v{n}"}}
        )
        if not referrers:
            continue
        sbom = writer.put(_canonical({"spdxVersion": "SPDX-2.3", "name": f"app{n}"}), SPDX)
        artifact = _canonical(
            {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "artifactType": SPDX,
                "config": empty,
                "layers": [sbom],
                "subject": desc,
            }
        )
        ref_desc = writer.put(artifact, OCI_MANIFEST)
        entries.append(
            {
                **ref_desc,
                "artifactType": SPDX,
                "annotations": {SUBJECT_HINT: str(desc["digest"])},
            }
        )
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
    tmp = root / ".index.json.tmp"
    tmp.write_bytes(json.dumps(index, indent=2).encode() + b"\n")
    os.replace(tmp, root / "index.json")
    return len(entries)


def main() -> None:
    """Generate a layout."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--no-referrers", action="store_true")
    parser.add_argument(
        "--repositories", type=int, default=None, help="spread the tags over N repositories"
    )
    args = parser.parse_args()
    count = make_layout(
        args.dir, args.images, referrers=not args.no_referrers, repositories=args.repositories
    )
    print(f"{args.dir}: {count} index.json entries")


if __name__ == "__main__":
    main()

"""Build small real images and artifacts in a layout for tests."""

from __future__ import annotations

import gzip
import io
import json
import tarfile

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor, Document, canonical_json, parse_document


def tar_bytes(files: dict[str, bytes]) -> bytes:
    """A tar with the given regular files (fixed metadata)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def put_image(
    layout: Layout,
    files: dict[str, bytes],
    *,
    arch: str = "amd64",
    env: tuple[str, ...] = ("A=1",),
    ref: str | None = None,
) -> Document:
    """An OCI image manifest with one gzip layer, stored (and tagged when ``ref``)."""
    plain = tar_bytes(files)
    layer = gzip.compress(plain, mtime=0)
    layer_digest = layout.put_blob(layer)
    config = canonical_json(
        {
            "architecture": arch,
            "os": "linux",
            "config": {"Env": list(env)},
            "rootfs": {"type": "layers", "diff_ids": [str(Digest.of(plain))]},
        }
    )
    config_digest = layout.put_blob(config)
    manifest = canonical_json(
        {
            "schemaVersion": 2,
            "mediaType": mt.OCI_MANIFEST,
            "config": {
                "mediaType": mt.OCI_CONFIG,
                "digest": str(config_digest),
                "size": len(config),
            },
            "layers": [
                {"mediaType": mt.OCI_LAYER_GZIP, "digest": str(layer_digest), "size": len(layer)}
            ],
        }
    )
    desc = layout.put_document(manifest, mt.OCI_MANIFEST)
    if ref:
        layout.set_tag(ref, desc)
    return parse_document(manifest, mt.OCI_MANIFEST)


def put_index(
    layout: Layout, children: list[tuple[Document, str]], ref: str | None = None
) -> Document:
    """An index over ``(manifest, "os/arch")`` children."""
    manifests = []
    for doc, platform in children:
        os_, arch = platform.split("/")[:2]
        manifests.append(
            {**doc.descriptor().to_json(), "platform": {"architecture": arch, "os": os_}}
        )
    raw = canonical_json({"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": manifests})
    desc = layout.put_document(raw, mt.OCI_INDEX)
    if ref:
        layout.set_tag(ref, desc)
    return parse_document(raw, mt.OCI_INDEX)


def artifact_bytes(
    subject: Descriptor,
    artifact_type: str,
    payload: bytes,
    layout: Layout,
    annotations: dict[str, str] | None = None,
) -> bytes:
    """A referrer manifest's bytes (its blobs are stored in ``layout``)."""
    empty = layout.put_blob(b"{}")
    blob = layout.put_blob(payload)
    return canonical_json(
        {
            "schemaVersion": 2,
            "mediaType": mt.OCI_MANIFEST,
            "artifactType": artifact_type,
            "config": {"mediaType": mt.OCI_EMPTY, "digest": str(empty), "size": 2},
            "layers": [{"mediaType": artifact_type, "digest": str(blob), "size": len(payload)}],
            "subject": {
                "mediaType": subject.media_type,
                "digest": str(subject.digest),
                "size": subject.size,
            },
            "annotations": annotations
            or {"org.opencontainers.image.created": "2026-01-01T00:00:00Z"},
        }
    )


def index_json(layout: Layout) -> dict[str, object]:
    """The parsed index.json."""
    return json.loads((layout.root / "index.json").read_bytes())  # type: ignore[no-any-return]

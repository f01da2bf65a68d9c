"""A small, deterministic layout for TUI tests (stands in until ``layouts/demo`` lands).

It holds a two-platform ``app:1.0`` index and a single-platform ``app:1.1``, an SBOM and a
signature referring to ``app:1.0``, a signature of the SBOM, a legacy cosign ``.sig`` tag,
an imgpkg bundle with its ``.imgpkg`` locations tag, and an ``alpine`` image on Docker Hub.
"""

from __future__ import annotations

import json
from pathlib import Path

from ocitui.core import media_types as mt
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor, Platform, canonical_json, parse_document

REG = "registry.example.com/demo"
CREATED = "2024-05-01T12:00:00Z"


def _blob(layout: Layout, data: bytes, media_type: str) -> Descriptor:
    return Descriptor(media_type, layout.put_blob(data), len(data))


def _image(layout: Layout, arch: str, version: str, extra_layer: bytes = b"") -> Descriptor:
    config = {
        "architecture": arch,
        "os": "linux",
        "created": CREATED,
        "config": {
            "Entrypoint": ["/app"],
            "Env": ["PATH=/bin", f"VERSION={version}"],
            "ExposedPorts": {"8080/tcp": {}},
        },
        "rootfs": {"type": "layers", "diff_ids": []},
        "history": [{"created_by": "COPY app /app"}],
    }
    layers = [
        _blob(layout, b"base-layer-" + arch.encode() * 50, mt.OCI_LAYER_GZIP),
        _blob(layout, b"app-" + version.encode() + extra_layer, mt.OCI_LAYER_GZIP),
    ]
    doc = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "config": _blob(layout, canonical_json(config), mt.OCI_CONFIG).to_json(),
        "layers": [d.to_json() for d in layers],
        "annotations": {"org.opencontainers.image.version": version},
    }
    return layout.put_document(canonical_json(doc), mt.OCI_MANIFEST)


def _index(layout: Layout, version: str, arches: list[str]) -> Descriptor:
    manifests = []
    for arch in arches:
        desc = _image(layout, arch, version).with_changes(
            platform=Platform("linux", arch), artifact_type=None
        )
        manifests.append(desc.to_json())
    doc = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_INDEX,
        "manifests": manifests,
        "annotations": {"org.opencontainers.image.created": CREATED},
    }
    return layout.put_document(canonical_json(doc), mt.OCI_INDEX)


def _referrer(
    layout: Layout, subject: Descriptor, artifact_type: str, payload: bytes, created: str = CREATED
) -> Descriptor:
    empty = _blob(layout, mt.EMPTY_JSON, mt.OCI_EMPTY)
    doc = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "artifactType": artifact_type,
        "config": empty.to_json(),
        "layers": [_blob(layout, payload, artifact_type).to_json()],
        "subject": subject.with_changes(
            annotations={}, artifact_type=None, platform=None
        ).to_json(),
        "annotations": {"org.opencontainers.image.created": created},
    }
    return layout.add_referrer(parse_document(canonical_json(doc), mt.OCI_MANIFEST))


def build_sample(path: Path) -> Layout:
    """Create the sample layout at ``path`` and return it opened."""
    layout = Layout.open(path, create=True)
    app10 = layout.set_tag(f"{REG}/app:1.0", _index(layout, "1.0", ["amd64", "arm64"]))
    layout.set_tag(f"{REG}/app:1.1", _image(layout, "amd64", "1.1", b"-patched"))
    sbom = _referrer(layout, app10, mt.SPDX_JSON, json.dumps({"spdxVersion": "2.3"}).encode())
    _referrer(layout, app10, mt.SIGSTORE_BUNDLE, b'{"sig":"app"}', "2024-05-02T00:00:00Z")
    _referrer(layout, sbom, mt.SIGSTORE_BUNDLE, b'{"sig":"sbom"}', "2024-05-03T00:00:00Z")
    legacy = _image(layout, "amd64", "sig", b"cosign")
    layout.set_tag(f"{REG}/app:{app10.digest.tag_form}.sig", legacy)
    bundle = _image(layout, "amd64", "bundle", b"bundle")
    layout.set_tag(f"{REG}/bundle:v1", bundle)
    locations = _image(layout, "amd64", "locations", b"loc")
    layout.set_tag(f"{REG}/bundle:{bundle.digest.tag_form}.image-locations.imgpkg", locations)
    layout.set_tag("alpine:3.20", _image(layout, "amd64", "3.20", b"alpine"))
    return layout

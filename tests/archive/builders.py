"""Build small layouts for archive and bundle tests: images, indexes, referrers,
legacy cosign tags and imgpkg bundles, all through the public Layout API."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from ocitui.core import media_types as mt
from ocitui.core.bundles.tarball import tar_gz
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor, Manifest, canonical_json


def _blob(layout: Layout, media_type: str, data: bytes) -> dict[str, object]:
    digest = layout.put_blob(data)
    return {"mediaType": media_type, "digest": str(digest), "size": len(data)}


def image(
    layout: Layout,
    ref: str | None,
    *,
    payload: bytes = b"hello",
    labels: Mapping[str, str] | None = None,
    files: Mapping[str, bytes] | None = None,
    docker: bool = False,
    artifact_type: str | None = None,
) -> Descriptor:
    """A one-layer image (``files`` as a gzip tar layer, else ``payload`` raw); tagged
    ``ref`` when given."""
    config_doc: dict[str, object] = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Labels": dict(labels)} if labels else {},
        "rootfs": {"type": "layers", "diff_ids": []},
    }
    if files is not None:
        gz, _ = tar_gz(files)
        layer = _blob(layout, mt.DOCKER_LAYER_GZIP if docker else mt.OCI_LAYER_GZIP, gz)
    else:
        layer = _blob(layout, mt.OCI_LAYER_TAR, payload)
    config = _blob(
        layout, mt.DOCKER_CONFIG if docker else mt.OCI_CONFIG, canonical_json(config_doc)
    )
    media_type = mt.DOCKER_MANIFEST if docker else mt.OCI_MANIFEST
    doc: dict[str, object] = {"schemaVersion": 2, "mediaType": media_type}
    if artifact_type:
        doc["artifactType"] = artifact_type
    doc.update({"config": config, "layers": [layer]})
    desc = layout.put_document(canonical_json(doc), media_type)
    return layout.set_tag(ref, desc) if ref else desc


def index(layout: Layout, ref: str, children: Sequence[Descriptor]) -> Descriptor:
    """A multi-platform index over ``children`` (amd64, arm64, ...)."""
    arches = ["amd64", "arm64", "s390x", "ppc64le"]
    manifests = [
        {
            **Descriptor(c.media_type, c.digest, c.size).to_json(),
            "platform": {"architecture": arches[i], "os": "linux"},
        }
        for i, c in enumerate(children)
    ]
    doc = {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": manifests}
    return layout.set_tag(ref, layout.put_document(canonical_json(doc), mt.OCI_INDEX))


def referrer(layout: Layout, subject: Descriptor, artifact_type: str, payload: bytes) -> Descriptor:
    """An OCI 1.1 referrer of ``subject`` recorded as an untagged index entry."""
    empty = _blob(layout, mt.OCI_EMPTY, mt.EMPTY_JSON)
    layer = _blob(layout, "application/octet-stream", payload)
    doc = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "artifactType": artifact_type,
        "config": empty,
        "layers": [layer],
        "subject": Descriptor(subject.media_type, subject.digest, subject.size).to_json(),
    }
    raw = canonical_json(doc)
    layout.put_document(raw, mt.OCI_MANIFEST)
    parsed = layout.get_document(Digest.of(raw), mt.OCI_MANIFEST)
    assert isinstance(parsed, Manifest)
    return layout.add_referrer(parsed)


def legacy_sig(layout: Layout, repo: str, subject: Descriptor) -> Descriptor:
    """A cosign legacy signature image tagged ``repo:sha256-<hex>.sig``."""
    sig = image(layout, None, payload=b"simplesigning:" + str(subject.digest).encode())
    return layout.set_tag(f"{repo}:{subject.digest.tag_form}.sig", sig)


def images_yml(refs: Sequence[str]) -> bytes:
    """An ImagesLock listing ``refs``."""
    doc = {
        "apiVersion": "imgpkg.carvel.dev/v1alpha1",
        "kind": "ImagesLock",
        "images": [
            {"image": r, "annotations": {"kbld.carvel.dev/id": f"img{i}"}}
            for i, r in enumerate(refs)
        ],
    }
    return yaml.safe_dump(doc).encode()


BUNDLE_YML = b"""apiVersion: imgpkg.carvel.dev/v1alpha1
kind: Bundle
metadata:
  name: demo-bundle
authors:
- name: Ada
  email: ada@example.com
websites:
- url: https://example.com/demo
"""


def bundle(
    layout: Layout,
    ref: str | None,
    locked: Sequence[str],
    *,
    label: bool = True,
    artifact_type: bool = False,
    lock_bytes: bytes | None = None,
) -> Descriptor:
    """An imgpkg-style bundle (Docker v2, gzip layer with ``.imgpkg/``) locking ``locked``."""
    files = {
        ".imgpkg/images.yml": images_yml(locked) if lock_bytes is None else lock_bytes,
        ".imgpkg/bundle.yml": BUNDLE_YML,
        "config/app.yml": b"kind: Deployment\n",
    }
    return image(
        layout,
        ref,
        files=files,
        labels={"dev.carvel.imgpkg.bundle": "true"} if label else None,
        docker=not artifact_type,
        artifact_type=mt.IMGPKG_BUNDLE_ARTIFACT if artifact_type else None,
    )


def index_json(root: Path) -> list[dict[str, object]]:
    """The raw entries of a layout's index.json."""
    entries = json.loads((root / "index.json").read_text())["manifests"]
    assert isinstance(entries, list)
    return entries

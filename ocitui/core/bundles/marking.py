"""Marking a bundle for OCI 1.1 (imgpkg#547), and storing image-locations records.

:func:`mark_bundle` rewrites a bundle manifest so it carries the marking asked for:
``"artifactType"`` (an OCI manifest with ``artifactType``
``application/vnd.carvel.imgpkg.bundle.v1``), ``"label"`` (the config label imgpkg
reads) or ``"both"`` (default: new tools and imgpkg both recognise it). Layers are
never touched; Docker media types become their OCI equivalents when an
``artifactType`` is needed (Docker schema 2 has no such field). The result is a new
manifest with a new digest; moving a tag onto it is the caller's decision.
"""

from __future__ import annotations

from typing import Any

from ocitui.core import jsonsafe
from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import BundleError
from ocitui.core.layout import Layout
from ocitui.core.layout.marks import BUNDLE_LABEL
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor, Manifest, canonical_json

from .locations import ImageLocation, make_image_locations_artifact, make_legacy_locations_image
from .model import Bundle

MARKINGS = ("artifactType", "label", "both")
_TO_OCI = {
    mt.DOCKER_CONFIG: mt.OCI_CONFIG,
    mt.DOCKER_LAYER_GZIP: mt.OCI_LAYER_GZIP,
    mt.DOCKER_FOREIGN_LAYER: mt.OCI_LAYER_ND_GZIP,
}


def mark_bundle(layout: Layout, desc: Descriptor, *, marking: str = "both") -> Descriptor:
    """Store a copy of the bundle manifest at ``desc`` with ``marking``; its descriptor."""
    if marking not in MARKINGS:
        raise BundleError(f"unknown bundle marking {marking!r}: use one of {', '.join(MARKINGS)}")
    doc = layout.get_document(desc.digest, desc.media_type)
    if not isinstance(doc, Manifest):
        raise BundleError(f"{desc.digest}: a bundle is an image manifest, not an index")
    want_type = marking in ("artifactType", "both")
    want_label = marking in ("label", "both")
    new: dict[str, Any] = jsonsafe.loads(doc.raw)
    config = _relabel(layout, doc.config, want_label)
    if want_type:
        new["mediaType"] = mt.OCI_MANIFEST
        new["artifactType"] = mt.IMGPKG_BUNDLE_ARTIFACT
        config = config.with_changes(media_type=_TO_OCI.get(config.media_type, config.media_type))
        new["layers"] = [
            {**layer, "mediaType": _TO_OCI.get(layer["mediaType"], layer["mediaType"])}
            for layer in new.get("layers", [])
        ]
    else:
        new.pop("artifactType", None)
    new["config"] = {**new["config"], **config.to_json()}
    raw = canonical_json(new)
    if Digest.of(raw) == doc.digest:
        return desc
    return layout.put_document(raw, new["mediaType"])


def _relabel(layout: Layout, config: Descriptor, want_label: bool) -> Descriptor:
    raw = layout.read_blob(config.digest, max_size=MAX_MANIFEST_SIZE)
    doc = jsonsafe.loads(raw)
    if not isinstance(doc, dict):
        raise BundleError(f"{config.digest}: image config is not a JSON object")
    inner = doc.setdefault("config", {})
    if not isinstance(inner, dict):
        raise BundleError(f"{config.digest}: image config has a malformed config section")
    labels = inner.get("Labels") or {}
    if (BUNDLE_LABEL in labels) == want_label:
        return config
    labels = dict(labels)
    if want_label:
        labels[BUNDLE_LABEL] = "true"
    else:
        labels.pop(BUNDLE_LABEL, None)
    inner["Labels"] = labels or None
    if inner["Labels"] is None:
        del inner["Labels"]
    new_raw = canonical_json(doc)
    layout.put_blob(new_raw)
    return config.with_changes(digest=Digest.of(new_raw), size=len(new_raw))


def save_image_locations(
    layout: Layout,
    bundle: Bundle,
    locations: list[ImageLocation] | None = None,
    *,
    bundle_repo: str | None = None,
    imgpkg_compat: bool = False,
) -> list[Descriptor]:
    """Store the OCI 1.1 image-locations referrer of ``bundle`` (and, with
    ``imgpkg_compat``, the legacy image tagged ``<bundle_repo>:<alg>-<hex>.image-locations.imgpkg``)."""
    out = []
    raw, blobs = make_image_locations_artifact(bundle, locations)
    for blob_desc, data in blobs:
        layout.put_blob(data, blob_desc.digest)
    layout.put_document(raw, mt.OCI_MANIFEST)
    out.append(layout.add_referrer(layout.get_document(Digest.of(raw), mt.OCI_MANIFEST)))
    if imgpkg_compat:
        if bundle_repo is None:
            raise BundleError("the imgpkg-compatible locations image needs the bundle's repository")
        legacy, legacy_blobs, tag = make_legacy_locations_image(bundle, locations)
        for blob_desc, data in legacy_blobs:
            layout.put_blob(data, blob_desc.digest)
        stored = layout.put_document(legacy, mt.DOCKER_MANIFEST)
        out.append(layout.set_tag(f"{bundle_repo}:{tag}", stored))
    return out

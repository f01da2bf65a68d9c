"""Recognising an imgpkg bundle in a layout: a manifest whose config carries the label
``dev.carvel.imgpkg.bundle`` or whose ``artifactType`` is the bundle artifact type.

A classification of what the layout holds, like machine tags, so it lives with the layout
(``ls`` marks bundles); reading a bundle's locked images is :mod:`ocitui.core.bundles`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ocitui.core import jsonsafe
from ocitui.core import media_types as mt
from ocitui.core.errors import ManifestError, OcituiError
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor, Manifest

if TYPE_CHECKING:
    from ocitui.core.layout.store import Layout

#: The config label imgpkg writes on a bundle.
BUNDLE_LABEL = "dev.carvel.imgpkg.bundle"


def manifest_of(layout: Layout, desc: Descriptor) -> Manifest | None:
    """The image manifest ``desc`` names, when the layout holds one."""
    if not mt.is_manifest(desc.media_type) or not layout.has_blob(desc.digest):
        return None
    try:
        doc = layout.get_document(desc.digest, desc.media_type)
    except ManifestError:
        return None
    return doc if isinstance(doc, Manifest) else None


def config_labels(layout: Layout, manifest: Manifest) -> dict[str, str]:
    """The image config's ``config.Labels`` (empty if absent or unreadable)."""
    if manifest.config.size > MAX_MANIFEST_SIZE or not layout.has_blob(manifest.config.digest):
        return {}
    try:
        config = jsonsafe.loads(
            layout.read_blob(manifest.config.digest, max_size=MAX_MANIFEST_SIZE)
        )
    except (OcituiError, ValueError):
        return {}
    inner = config.get("config") if isinstance(config, dict) else None
    labels = inner.get("Labels") if isinstance(inner, dict) else None
    if not isinstance(labels, dict):
        return {}
    return {k: v for k, v in labels.items() if isinstance(k, str) and isinstance(v, str)}


def markings(layout: Layout, desc: Descriptor) -> frozenset[str]:
    """Which bundle markings ``desc`` carries: ``"artifactType"``, ``"label"``, both, none."""
    found: set[str] = set()
    if desc.artifact_type == mt.IMGPKG_BUNDLE_ARTIFACT:
        found.add("artifactType")
    manifest = manifest_of(layout, desc)
    if manifest is not None:
        if manifest.artifact_type == mt.IMGPKG_BUNDLE_ARTIFACT:
            found.add("artifactType")
        if BUNDLE_LABEL in config_labels(layout, manifest):
            found.add("label")
    return frozenset(found)


def is_bundle(layout: Layout, desc: Descriptor) -> bool:
    """True when ``desc`` is an imgpkg bundle (label or artifactType marking).

    Cheap for entries that carry the artifactType; otherwise reads the manifest and its
    config. A manifest not in the layout is not (known to be) a bundle.
    """
    if desc.artifact_type == mt.IMGPKG_BUNDLE_ARTIFACT:
        return True
    return bool(markings(layout, desc))


__all__ = ["BUNDLE_LABEL", "config_labels", "is_bundle", "manifest_of", "markings"]

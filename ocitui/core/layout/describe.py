"""``inspect``: everything worth knowing about one manifest or index, as data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ocitui.core import media_types as mt
from ocitui.core.errors import OcituiError
from ocitui.core.layout.referrers import SUBJECT_HINT, ReferrerNode, entry_label
from ocitui.core.layout.store import Layout
from ocitui.core.layout.summary import platform_text
from ocitui.core.models import (
    MAX_MANIFEST_SIZE,
    Descriptor,
    Document,
    Index,
    Manifest,
    load_json,
)

if TYPE_CHECKING:
    from ocitui.core.bundles import Bundle


def descriptor_row(desc: Descriptor) -> dict[str, Any]:
    """A referrer row: digest, mediaType, artifactType, size, annotations (the manifest's;
    the layout's own subject hint is an index detail, so the layout and a registry give
    the same row)."""
    return {
        "digest": str(desc.digest),
        "mediaType": desc.media_type,
        "artifactType": desc.artifact_type,
        "size": desc.size,
        "annotations": {k: v for k, v in desc.annotations.items() if k != SUBJECT_HINT},
    }


def tree_rows(nodes: Sequence[ReferrerNode]) -> list[dict[str, Any]]:
    """Referrer rows with their children under ``referrers``."""
    return [{**descriptor_row(n.descriptor), "referrers": tree_rows(n.children)} for n in nodes]


def config_summary(config: dict[str, Any]) -> dict[str, Any]:
    """The fields of an image config that people look at.

    The one extractor: ``inspect --json`` prints it and the TUI's rows are derived from it
    (:func:`ocitui.core.views_detail.config_rows`).
    """
    run = config.get("config") if isinstance(config.get("config"), dict) else {}
    assert isinstance(run, dict)
    rootfs = config.get("rootfs") if isinstance(config.get("rootfs"), dict) else {}
    assert isinstance(rootfs, dict)
    history = config.get("history") if isinstance(config.get("history"), list) else []
    assert isinstance(history, list)
    return {
        "created": config.get("created"),
        "platform": platform_text(config),
        "user": run.get("User") or None,
        "workingDir": run.get("WorkingDir") or None,
        "entrypoint": run.get("Entrypoint"),
        "cmd": run.get("Cmd"),
        "env": run.get("Env") or [],
        "exposedPorts": sorted((run.get("ExposedPorts") or {}).keys()),
        "labels": run.get("Labels") or {},
        "diffIds": rootfs.get("diff_ids") or [],
        "history": len(history),
    }


#: Whether a descriptor's content is at hand (``None``: not checked).
Presence = Callable[[Descriptor], bool | None]


def document_parts(
    ref: str | None, desc: Descriptor, doc: Document, present: Presence
) -> dict[str, Any]:
    """The part of the ``inspect`` document that comes from the manifest/index itself.

    Shared by the layout (``present`` checks blobs) and the registry view.
    """
    out: dict[str, Any] = {
        "ref": ref,
        "digest": str(desc.digest),
        "mediaType": doc.media_type,
        "artifactType": mt.effective_artifact_type(doc.doc),
        "size": len(doc.raw),
        "annotations": dict(doc.annotations),
        "subject": str(doc.subject.digest) if doc.subject else None,
    }
    if isinstance(doc, Index):
        out["manifests"] = [
            {
                "digest": str(child.digest),
                "mediaType": child.media_type,
                "platform": str(child.platform) if child.platform else None,
                "size": child.size,
                "present": present(child),
                "annotations": dict(child.annotations),
            }
            for child in doc.manifests
        ]
        return out
    out["config"] = {
        "digest": str(doc.config.digest),
        "mediaType": doc.config.media_type,
        "size": doc.config.size,
    }
    out["layers"] = [
        {
            "digest": str(layer.digest),
            "mediaType": layer.media_type,
            "size": layer.size,
            "present": present(layer),
            "annotations": dict(layer.annotations),
        }
        for layer in doc.layers
    ]
    return out


def describe(layout: Layout, desc: Descriptor, *, ref: str | None = None) -> dict[str, Any]:
    """The ``inspect`` document for ``desc``."""
    doc = layout.get_document(desc.digest, desc.media_type)
    out = document_parts(
        ref or desc.ref_name, desc, doc, lambda d: d.size == 0 or layout.has_blob(d.digest)
    )
    if isinstance(doc, Manifest):
        _add_config_summary(layout, doc, out["config"])
    out["referrers"] = tree_rows(layout.referrer_tree(desc.digest))
    bundle = _bundle_part(layout, desc)
    if bundle is not None:
        out["bundle"] = bundle
    out["legacy"] = [
        {
            "kind": kind,
            "ref": entry.ref_name,
            "name": entry_label(entry),
            "digest": str(entry.digest),
        }
        for kind, entry in layout.legacy_attachments(desc.digest)
    ]
    return out


def _add_config_summary(layout: Layout, doc: Manifest, config: dict[str, Any]) -> None:
    if doc.config.media_type in mt.CONFIG_TYPES and layout.has_blob(doc.config.digest):
        try:
            raw = layout.read_blob(doc.config.digest, max_size=MAX_MANIFEST_SIZE)
            config["summary"] = config_summary(load_json(raw, "config"))
        except OcituiError as exc:
            config["error"] = str(exc)


def _bundle_part(layout: Layout, desc: Descriptor) -> dict[str, Any] | None:
    """An imgpkg bundle's locked images (and nested bundles) as ``inspect`` shows them."""
    from ocitui.core.bundles import is_bundle, read_bundle

    if not is_bundle(layout, desc):
        return None
    try:
        bundle = read_bundle(layout, desc)
    except OcituiError as exc:
        return {"error": str(exc)}
    return _bundle_json(bundle)


def _bundle_json(bundle: Bundle) -> dict[str, Any]:
    metadata = bundle.metadata
    return {
        "markings": sorted(bundle.markings),
        "name": metadata.name if metadata is not None else None,
        "images": [
            {
                "image": image.image,
                "digest": str(image.digest),
                "present": image.present,
                "annotations": dict(image.annotations),
                "bundle": _bundle_json(image.bundle) if image.bundle is not None else None,
            }
            for image in bundle.images
        ],
    }

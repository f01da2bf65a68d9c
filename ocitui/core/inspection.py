"""``inspect`` as a typed value: one manifest or index, its config, layers, referrers.

:class:`InspectDoc` is built the same way for the layout (and an archive read in place,
which is a read-only layout) by :func:`describe`, and for a registry by
:func:`ocitui.core.sync.inspect_remote.remote_describe`; ``--json`` is
:meth:`InspectDoc.to_json`, the CLI's text reads the fields, and the TUI's rows are
derived from the JSON form (:mod:`ocitui.core.views_inspect`). It lives above
:mod:`ocitui.core.bundles` (a bundle's locked images are part of the document), so the
layout package no longer reaches up into bundles for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ocitui.core import media_types as mt
from ocitui.core.bundles import Bundle, is_bundle, read_bundle
from ocitui.core.errors import OcituiError
from ocitui.core.layout import Layout
from ocitui.core.layout.referrers import SUBJECT_HINT, ReferrerNode, entry_label
from ocitui.core.layout.refs import display_name
from ocitui.core.layout.summary import platform_text
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor, Document, Index, Manifest, load_json

#: Whether a descriptor's content is at hand (``None``: not checked).
Presence = Callable[[Descriptor], bool | None]


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
    rows = []
    for node in nodes:  # Recursion bounded by the graph-depth limit of the tree.
        row = {**descriptor_row(node.descriptor), "referrers": tree_rows(node.children)}
        if node.truncated:
            row["truncated"] = True
        rows.append(row)
    return rows


def config_summary(config: dict[str, Any]) -> dict[str, Any]:
    """The fields of an image config that people look at.

    The one extractor: ``inspect --json`` prints it and the TUI's rows are derived from it
    (:func:`ocitui.core.views_inspect.config_rows`).
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


@dataclass(frozen=True)
class Part:
    """A child manifest of an index, or a layer: what it is and whether it is at hand."""

    descriptor: Descriptor
    present: bool | None

    def to_json(self, *, child: bool) -> dict[str, Any]:
        """The JSON row (a child also names its platform)."""
        desc = self.descriptor
        out: dict[str, Any] = {"digest": str(desc.digest), "mediaType": desc.media_type}
        if child:
            out["platform"] = str(desc.platform) if desc.platform else None
        out["size"] = desc.size
        out["present"] = self.present
        out["annotations"] = dict(desc.annotations)
        return out


@dataclass
class ConfigPart:
    """The image config: its descriptor, and its summary or why it could not be read."""

    descriptor: Descriptor
    summary: dict[str, Any] | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``config`` object of the document."""
        out: dict[str, Any] = {
            "digest": str(self.descriptor.digest),
            "mediaType": self.descriptor.media_type,
            "size": self.descriptor.size,
        }
        if self.summary is not None:
            out["summary"] = self.summary
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class LegacyTag:
    """A cosign legacy ``.sig/.att/.sbom`` tag of the subject."""

    kind: str
    descriptor: Descriptor
    #: How text output names it (``(local)/LAYOUT:TAG`` for a short tag), else None.
    shown: str | None = None

    @property
    def label(self) -> str:
        """The name text output prints."""
        return self.shown or entry_label(self.descriptor)

    def to_json(self) -> dict[str, Any]:
        """``{kind, ref, name, digest}``."""
        return {
            "kind": self.kind,
            "ref": self.descriptor.ref_name,
            "name": entry_label(self.descriptor),
            "digest": str(self.descriptor.digest),
        }


@dataclass
class InspectDoc:
    """Everything ``inspect`` says about one manifest or index."""

    ref: str | None
    descriptor: Descriptor
    document: Document
    #: Children of an index, or layers of a manifest, with presence.
    parts: list[Part]
    config: ConfigPart | None = None
    referrers: list[ReferrerNode] = field(default_factory=list)
    legacy: list[LegacyTag] = field(default_factory=list)
    #: An imgpkg bundle's locked images (``None``: not a bundle, or not looked at).
    bundle: Bundle | None = None
    bundle_error: str | None = None
    #: How text output names it (``(local)/LAYOUT:TAG`` for a short tag; ``ref`` else).
    shown_ref: str | None = None

    @property
    def is_index(self) -> bool:
        """True for an index (``parts`` are child manifests)."""
        return isinstance(self.document, Index)

    @property
    def artifact_type(self) -> str | None:
        """The effective artifact type (artifactType, else the config media type)."""
        return mt.effective_artifact_type(self.document.doc)

    @property
    def subject(self) -> str | None:
        """The digest this manifest refers to, if it is a referrer."""
        subject = self.document.subject
        return str(subject.digest) if subject is not None else None

    def to_json(self) -> dict[str, Any]:
        """The ``inspect --json`` document."""
        doc = self.document
        out: dict[str, Any] = {
            "ref": self.ref,
            "digest": str(self.descriptor.digest),
            "mediaType": doc.media_type,
            "artifactType": self.artifact_type,
            "size": len(doc.raw),
            "annotations": dict(doc.annotations),
            "subject": self.subject,
        }
        if self.is_index:
            out["manifests"] = [p.to_json(child=True) for p in self.parts]
        else:
            assert self.config is not None
            out["config"] = self.config.to_json()
            out["layers"] = [p.to_json(child=False) for p in self.parts]
        out["referrers"] = tree_rows(self.referrers)
        if self.bundle is not None or self.bundle_error is not None:
            out["bundle"] = (
                {"error": self.bundle_error} if self.bundle is None else bundle_json(self.bundle)
            )
        out["legacy"] = [item.to_json() for item in self.legacy]
        return out


def document_doc(ref: str | None, desc: Descriptor, doc: Document, present: Presence) -> InspectDoc:
    """The part of the document that comes from the manifest/index itself (shared by the
    layout, where ``present`` checks blobs, and the registry view)."""
    if isinstance(doc, Index):
        return InspectDoc(ref, desc, doc, [Part(c, present(c)) for c in doc.manifests])
    assert isinstance(doc, Manifest)
    parts = [Part(layer, present(layer)) for layer in doc.layers]
    return InspectDoc(ref, desc, doc, parts, ConfigPart(doc.config))


def describe(layout: Layout, desc: Descriptor, *, ref: str | None = None) -> InspectDoc:
    """The ``inspect`` document for ``desc`` in ``layout`` (or an archive read in place)."""
    doc = layout.get_document(desc.digest, desc.media_type)
    out = document_doc(
        ref or desc.ref_name, desc, doc, lambda d: d.size == 0 or layout.has_blob(d.digest)
    )
    out.shown_ref = display_name(out.ref, layout.root)
    config = out.config
    readable = config is not None and config.descriptor.media_type in mt.CONFIG_TYPES
    if config is not None and readable and layout.has_blob(config.descriptor.digest):
        try:
            raw = layout.read_blob(config.descriptor.digest, max_size=MAX_MANIFEST_SIZE)
            config.summary = config_summary(load_json(raw, "config"))
        except OcituiError as exc:
            config.error = str(exc)
    out.referrers = layout.referrer_tree(desc.digest)
    if is_bundle(layout, desc):
        try:
            out.bundle = read_bundle(layout, desc)
        except OcituiError as exc:
            out.bundle_error = str(exc)
    out.legacy = [
        LegacyTag(kind, entry, display_name(entry.ref_name, layout.root))
        for kind, entry in layout.legacy_attachments(desc.digest)
    ]
    return out


def bundle_json(bundle: Bundle) -> dict[str, Any]:
    """A bundle's locked images (nested bundles inside) as ``inspect`` shows them."""
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
                "bundle": bundle_json(image.bundle) if image.bundle is not None else None,
            }
            for image in bundle.images
        ],
    }


__all__ = [
    "ConfigPart",
    "InspectDoc",
    "LegacyTag",
    "Part",
    "Presence",
    "bundle_json",
    "config_summary",
    "describe",
    "descriptor_row",
    "document_doc",
    "tree_rows",
]

"""Looking inside what the layout holds: SBOMs, attestations, signatures, image configs
and layers, and any other blob. Typed results for the TUI's viewers (and any face).

:func:`look_inside` picks the reading from the manifest's layers (their media types, then
the artifact type), never from a name; content that does not parse degrades to the raw
blob view with the reason in ``note``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ocitui.core import media_types as mt
from ocitui.core.errors import OcituiError
from ocitui.core.inside.attestation import DSSE_TYPE, INTOTO_TYPE, Statement, parse_attestation
from ocitui.core.inside.blob import MAX_SHOWN, BlobView, blob_view
from ocitui.core.inside.image import ConfigView, config_view
from ocitui.core.inside.sbom import MAX_SBOM_SIZE, Sbom, is_sbom_type, parse_sbom
from ocitui.core.inside.signature import (
    BUNDLE_PREFIX,
    SIMPLE_SIGNING_TYPE,
    SignatureView,
    sigstore_bundle,
    simple_signing,
)
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor, Manifest, load_json

#: Attestation and signature material is small.
MAX_MATERIAL = 4 * 1024 * 1024
MAX_CONFIG = 16 * 1024 * 1024


@dataclass(frozen=True)
class Inside:
    """What ``v`` shows for one descriptor; ``kind`` says which field is filled."""

    kind: str
    descriptor: Descriptor
    sbom: Sbom | None = None
    statement: Statement | None = None
    signatures: tuple[SignatureView, ...] = ()
    config: ConfigView | None = None
    #: An image's filesystem layers, bottom first, with their config diff_ids.
    layers: tuple[tuple[Descriptor, str | None], ...] = ()
    blob: BlobView | None = None
    note: str = ""


def _head(layout: Layout, desc: Descriptor) -> bytes:
    with layout.open_blob(desc.digest) as handle:
        return handle.read(MAX_SHOWN)


def _blob(layout: Layout, desc: Descriptor, note: str = "") -> Inside:
    return Inside("blob", desc, blob=blob_view(_head(layout, desc), desc.size), note=note)


def _image(layout: Layout, desc: Descriptor, doc: Manifest) -> Inside:
    config = load_json(layout.read_blob(doc.config.digest, max_size=MAX_CONFIG), "config")
    view = config_view(config)
    rootfs = config.get("rootfs") if isinstance(config.get("rootfs"), dict) else {}
    diff_ids = [str(d) for d in (rootfs or {}).get("diff_ids") or []]
    layers = tuple(
        (layer, diff_ids[i] if i < len(diff_ids) else None) for i, layer in enumerate(doc.layers)
    )
    return Inside("image", desc, config=view, layers=layers)


def _material(layout: Layout, desc: Descriptor, doc: Manifest) -> Inside | None:
    artifact = doc.effective_artifact_type or ""
    signatures: list[SignatureView] = []
    for layer in doc.layers:
        kind = layer.media_type
        if is_sbom_type(kind) or (is_sbom_type(artifact) and kind.endswith("json")):
            raw = layout.read_blob(layer.digest, max_size=MAX_SBOM_SIZE)
            return Inside("sbom", desc, sbom=parse_sbom(raw))
        if kind in (DSSE_TYPE, INTOTO_TYPE):
            raw = layout.read_blob(layer.digest, max_size=MAX_MATERIAL)
            return Inside("attestation", desc, statement=parse_attestation(raw))
        if kind == SIMPLE_SIGNING_TYPE:
            raw = layout.read_blob(layer.digest, max_size=MAX_MATERIAL)
            signatures.append(simple_signing(raw, layer.annotations))
        elif kind.startswith(BUNDLE_PREFIX):
            raw = layout.read_blob(layer.digest, max_size=MAX_MATERIAL)
            signatures.append(sigstore_bundle(raw))
    if signatures:
        return Inside("signature", desc, signatures=tuple(signatures))
    return None


def look_inside(layout: Layout, desc: Descriptor) -> Inside:
    """Read ``desc`` (a manifest, index or plain blob in the layout) for its viewer."""
    if mt.is_index(desc.media_type):
        return _blob(layout, desc, note="an index: open one of its platforms to see files")
    if not desc.is_manifest_like:
        return _blob(layout, desc)
    doc = layout.get_document(desc.digest, desc.media_type)
    if not isinstance(doc, Manifest):
        return _blob(layout, desc)
    try:
        found = _material(layout, desc, doc)
    except OcituiError as exc:
        layer = doc.layers[0] if doc.layers else desc
        return _blob(layout, layer, note=str(exc))
    if found is not None:
        return found
    if doc.config.media_type in mt.CONFIG_TYPES:
        return _image(layout, desc, doc)
    if doc.layers:
        return _blob(layout, doc.layers[0])
    return _blob(layout, desc)


__all__ = ["Inside", "look_inside"]

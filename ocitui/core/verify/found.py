"""Finding the signatures and attestations attached to one manifest in a layout.

Looks at every referrer of the subject and its legacy cosign ``sha256-<hex>.sig``/``.att``
tags, and classifies each layer: a cosign simple-signing layer (signature in the
``dev.cosignproject.cosign/signature`` annotation), a Sigstore bundle, or a bare DSSE
envelope. Manifests with none of these (an SBOM) are not signatures and are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import OcituiError
from ocitui.core.layout import Layout
from ocitui.core.models import CREATED, Descriptor, Manifest

SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature"
CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate"
CHAIN_ANNOTATION = "dev.sigstore.cosign/chain"
REKOR_BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle"
#: Signature material is small; a layer over this is not read.
MAX_MATERIAL = 4 * 1024 * 1024

SIMPLE_SIGNING = "cosign simple signing"
BUNDLE = "sigstore bundle"
DSSE = "DSSE envelope"


@dataclass(frozen=True)
class Found:
    """One piece of signature material attached to a subject."""

    #: The manifest (referrer or legacy tag image) holding it.
    source: Digest
    #: :data:`SIMPLE_SIGNING`, :data:`BUNDLE` or :data:`DSSE`.
    form: str
    #: The layer's bytes: simple-signing payload, bundle JSON, or envelope JSON.
    blob: bytes = b""
    annotations: Mapping[str, str] = field(default_factory=dict)
    #: The holder's ``org.opencontainers.image.created``, an unverified claim.
    created: str | None = None
    #: Set when the material could not be read (the verdict's reason).
    error: str | None = None


def attached(layout: Layout, subject: Digest) -> list[Found]:
    """Every signature/attestation layer attached to ``subject``, referrers first."""
    holders: list[Descriptor] = list(layout.referrers(subject))
    holders += [entry for kind, entry in layout.legacy_attachments(subject) if kind != "sbom"]
    out: list[Found] = []
    seen: set[Digest] = set()
    for holder in holders:
        if holder.digest in seen:
            continue
        seen.add(holder.digest)
        out.extend(_from_holder(layout, holder))
    return out


def _form(layer: Descriptor) -> str | None:
    # The media type first: cosign's legacy .att layers are DSSE envelopes that also carry
    # an empty signature annotation, and are not simple-signing payloads.
    if layer.media_type == mt.DSSE_ENVELOPE:
        return DSSE
    if layer.media_type == mt.SIGSTORE_BUNDLE or layer.media_type.startswith(
        "application/vnd.dev.sigstore.bundle"
    ):
        return BUNDLE
    if SIGNATURE_ANNOTATION in layer.annotations:
        return SIMPLE_SIGNING
    return None


def _from_holder(layout: Layout, holder: Descriptor) -> list[Found]:
    try:
        doc = layout.get_document(holder.digest, holder.media_type)
    except OcituiError as exc:
        if holder.artifact_type in _SIGNATURE_TYPES:
            return [Found(holder.digest, BUNDLE, error=f"cannot read the signature: {exc}")]
        return []
    if not isinstance(doc, Manifest):
        return []
    created = doc.annotations.get(CREATED)
    out = []
    for layer in doc.layers:
        form = _form(layer)
        if form is None:
            continue
        if layer.size > MAX_MATERIAL:
            out.append(Found(doc.digest, form, error=f"signature layer is {layer.size} bytes"))
            continue
        try:
            blob = layout.read_blob(layer.digest, max_size=MAX_MATERIAL)
        except OcituiError as exc:
            out.append(Found(doc.digest, form, created=created, error=f"unreadable: {exc}"))
            continue
        out.append(Found(doc.digest, form, blob, dict(layer.annotations), created))
    return out


_SIGNATURE_TYPES = {mt.SIGSTORE_BUNDLE, mt.COSIGN_SIG_ARTIFACT, mt.IN_TOTO, mt.DSSE_ENVELOPE}

"""Signatures as a person reads them: what kind, which digest it signs, who signed
(certificate identity and OIDC issuer, or a key hint), when the log saw it, the payload.

Forms: cosign simple signing (a payload layer with the signature and certificate in its
annotations; legacy ``.sig`` tags and OCI 1.1 referrers alike) and sigstore bundles
(v0.1-v0.3, message signature or DSSE). Nothing here *verifies*; ``ocitui verify`` does.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ocitui.core.errors import ManifestError
from ocitui.core.inside.attestation import Statement, envelope_statement
from ocitui.core.models import load_json

SIMPLE_SIGNING_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json"
BUNDLE_PREFIX = "application/vnd.dev.sigstore.bundle"
SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature"
CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate"
REKOR_BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle"


#: Fulcio's OIDC issuer extensions (v2 is a DER UTF8String, v1 raw bytes).
@dataclass(frozen=True)
class Signer:
    """Who signed: a certificate's identity and issuer, or a public key's hint."""

    identity: str = ""
    issuer: str = ""
    key_hint: str = ""
    #: Why the identity is unknown (a certificate that is not X.509, ...).
    note: str = ""


@dataclass(frozen=True)
class SignatureView:
    """One signature, ready to show."""

    form: str
    signed_digest: str
    reference: str
    signer: Signer
    integrated_time: str
    payload: str
    statement: Statement | None = None


def is_signature_type(media_type: str) -> bool:
    """True for simple-signing payloads and sigstore bundles."""
    return media_type == SIMPLE_SIGNING_TYPE or media_type.startswith(BUNDLE_PREFIX)


def _b64(value: object) -> bytes | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _iso(seconds: object) -> str:
    try:
        return datetime.fromtimestamp(int(str(seconds)), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError, OSError):
        return ""


def certificate_signer(data: bytes) -> Signer:
    """Identity (first email or URI SAN) and Fulcio issuer of a PEM or DER certificate.

    Read by the verifier's own certificate functions, so the viewer and ``ocitui verify``
    name the same signer.
    """
    from ocitui.core.verify.envelope import Malformed
    from ocitui.core.verify.keyless import identity_of, load_certificate

    try:
        cert = load_certificate(data)
    except Malformed:
        return Signer(note="certificate present but not valid X.509")
    identity, issuer = identity_of(cert)
    return Signer(
        identity=identity,
        issuer=issuer or "",
        note="" if identity else cert.subject.rfc4514_string(),
    )


def simple_signing(payload: bytes, annotations: Mapping[str, str]) -> SignatureView:
    """A cosign simple-signing layer: its payload and its annotations."""
    doc = load_json(payload, "signature payload")
    critical = doc.get("critical")
    if not isinstance(critical, dict):
        raise ManifestError("signature payload has no 'critical' section")
    digest = str((critical.get("image") or {}).get("docker-manifest-digest") or "")
    reference = str((critical.get("identity") or {}).get("docker-reference") or "")
    cert = annotations.get(CERTIFICATE_ANNOTATION)
    signer = (
        certificate_signer(cert.encode())
        if cert
        else Signer(key_hint="public key (no certificate)")
    )
    when = ""
    rekor = annotations.get(REKOR_BUNDLE_ANNOTATION)
    if rekor:
        try:
            when = _iso(json.loads(rekor)["Payload"]["integratedTime"])
        except (ValueError, KeyError, TypeError):
            when = ""
    form = "cosign simple signing"
    if SIGNATURE_ANNOTATION not in annotations:
        form += " (no signature annotation)"
    return SignatureView(form, digest, reference, signer, when, json.dumps(doc, indent=2))


def _bundle_signer(material: dict[str, Any]) -> Signer:
    cert = material.get("certificate")
    raw = _b64(cert.get("rawBytes")) if isinstance(cert, dict) else None
    chain = material.get("x509CertificateChain")
    if raw is None and isinstance(chain, dict) and chain.get("certificates"):
        first = chain["certificates"][0]
        raw = _b64(first.get("rawBytes")) if isinstance(first, dict) else None
    if raw is not None:
        return certificate_signer(raw)
    key = material.get("publicKey")
    if isinstance(key, dict):
        return Signer(key_hint=str(key.get("hint") or "public key"))
    return Signer(note="no certificate or key in the bundle")


def sigstore_bundle(raw: bytes) -> SignatureView:
    """A sigstore bundle: message signature (its digest) or DSSE (its statement)."""
    doc = load_json(raw, "sigstore bundle")
    material = (
        doc.get("verificationMaterial") if isinstance(doc.get("verificationMaterial"), dict) else {}
    )
    entries = (material or {}).get("tlogEntries") or []
    when = (
        _iso(entries[0].get("integratedTime")) if entries and isinstance(entries[0], dict) else ""
    )
    signer = _bundle_signer(material or {})
    media_type = str(doc.get("mediaType") or BUNDLE_PREFIX)
    version = media_type.removeprefix(BUNDLE_PREFIX).removesuffix("+json").lstrip(".")
    form = f"sigstore bundle {version}".strip()
    statement = None
    digest = ""
    if isinstance(doc.get("dsseEnvelope"), dict):
        statement = envelope_statement(doc["dsseEnvelope"])
        digest = ", ".join(d for _, d in statement.subjects)
        payload = json.dumps(
            {"predicateType": statement.predicate_type, "subject": statement.subjects}, indent=2
        )
    else:
        message = (
            doc.get("messageSignature") if isinstance(doc.get("messageSignature"), dict) else {}
        )
        md = (message or {}).get("messageDigest") or {}
        value = _b64(md.get("digest")) if isinstance(md, dict) else None
        algorithm = str(md.get("algorithm") or "SHA2_256") if isinstance(md, dict) else ""
        if value is not None:
            digest = f"{'sha256' if '256' in algorithm else algorithm.lower()}:{value.hex()}"
        payload = json.dumps(message or {}, indent=2)
    return SignatureView(form, digest, "", signer, when, payload, statement)


__all__ = [
    "BUNDLE_PREFIX",
    "SIMPLE_SIGNING_TYPE",
    "SignatureView",
    "Signer",
    "certificate_signer",
    "is_signature_type",
    "sigstore_bundle",
    "simple_signing",
]

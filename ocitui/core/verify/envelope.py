"""Parsing what signatures come in: DSSE envelopes, in-toto statements, cosign simple
signing payloads and Sigstore bundles (v0.1-v0.3), into small typed values.

Every malformed input is a :class:`Malformed` with one line saying what is wrong.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from ocitui.core import jsonsafe
from ocitui.core.digest import Digest
from ocitui.core.errors import InvalidDigest
from ocitui.core.text_safety import shown

STATEMENT_TYPES = ("https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1")
COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1"
BUNDLE_MEDIA_PREFIX = "application/vnd.dev.sigstore.bundle"


class Malformed(Exception):
    """Signature material that cannot be parsed; the message is the verdict's reason."""


class Failed(Exception):
    """A verification check failed; the message is the verdict's reason."""


def b64decode(value: object, what: str) -> bytes:
    """Strict standard base64 (URL-safe accepted too); :class:`Malformed` otherwise."""
    if not isinstance(value, str) or not value:
        raise Malformed(f"{what} is missing")
    try:
        if "-" in value or "_" in value:
            return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise Malformed(f"{what} is not valid base64") from None


def load_json_object(raw: bytes, what: str) -> dict[str, Any]:
    """A JSON object from ``raw``; :class:`Malformed` on anything else."""
    try:
        data = jsonsafe.loads(raw)
    except (ValueError, RecursionError):
        raise Malformed(f"{what} is not valid JSON (truncated or corrupt)") from None
    if not isinstance(data, dict):
        raise Malformed(f"{what} is not a JSON object")
    return data


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE pre-authentication encoding: what a DSSE signature signs."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


@dataclass(frozen=True)
class Envelope:
    """A DSSE envelope: payload, its type, and the signatures over its PAE."""

    payload_type: str
    payload: bytes
    signatures: tuple[bytes, ...]
    raw: dict[str, Any]

    @property
    def signed_bytes(self) -> bytes:
        """The bytes every signature in the envelope signs."""
        return pae(self.payload_type, self.payload)


def parse_envelope(data: dict[str, Any]) -> Envelope:
    """A DSSE envelope from its JSON object."""
    payload_type = data.get("payloadType")
    if not isinstance(payload_type, str):
        raise Malformed("DSSE envelope has no payloadType")
    payload = b64decode(data.get("payload"), "DSSE payload")
    sigs = data.get("signatures")
    if not isinstance(sigs, list) or not sigs:
        raise Malformed("DSSE envelope has no signatures")
    out = []
    for sig in sigs:
        if not isinstance(sig, dict):
            raise Malformed("DSSE signature entry is not an object")
        out.append(b64decode(sig.get("sig"), "DSSE signature"))
    return Envelope(payload_type, payload, tuple(out), data)


@dataclass(frozen=True)
class Statement:
    """The parts of an in-toto statement verification needs."""

    predicate_type: str
    subjects: tuple[Digest, ...]

    def names(self, digest: Digest) -> bool:
        """True when one subject of the statement is ``digest``."""
        return digest in self.subjects


def parse_statement(payload: bytes) -> Statement:
    """An in-toto statement (v0.1 or v1) from a DSSE payload."""
    data = load_json_object(payload, "in-toto statement")
    if data.get("_type") not in STATEMENT_TYPES:
        raise Malformed(f"payload is not an in-toto statement (_type {shown(data.get('_type'))})")
    predicate_type = data.get("predicateType")
    if not isinstance(predicate_type, str):
        raise Malformed("in-toto statement has no predicateType")
    subjects = []
    listed = data.get("subject")
    for subject in listed if isinstance(listed, list) else []:
        digests = subject.get("digest") if isinstance(subject, dict) else None
        if not isinstance(digests, dict):
            continue
        for algorithm, encoded in digests.items():
            try:
                subjects.append(Digest.parse(f"{algorithm}:{encoded}"))
            except InvalidDigest:
                continue
    return Statement(predicate_type, tuple(subjects))


def simple_signing_digest(payload: bytes) -> Digest:
    """The manifest digest a cosign simple-signing payload signs."""
    data = load_json_object(payload, "simple-signing payload")
    critical = data.get("critical")
    image = critical.get("image") if isinstance(critical, dict) else None
    value = image.get("docker-manifest-digest") if isinstance(image, dict) else None
    try:
        return Digest.parse(value)
    except InvalidDigest:
        raise Malformed("simple-signing payload names no valid docker-manifest-digest") from None


@dataclass(frozen=True)
class Bundle:
    """A Sigstore bundle: verification material plus one message signature or envelope."""

    media_type: str
    #: DER certificates, leaf first (empty for public-key bundles).
    certificates: tuple[bytes, ...]
    tlog_entries: tuple[dict[str, Any], ...]
    #: ``(digest, signature)`` for a message-signature bundle.
    message: tuple[Digest, bytes] | None
    envelope: Envelope | None


def parse_bundle(raw: bytes) -> Bundle:
    """A Sigstore bundle from its JSON bytes."""
    data = load_json_object(raw, "sigstore bundle")
    media_type = data.get("mediaType")
    if not isinstance(media_type, str) or not media_type.startswith(BUNDLE_MEDIA_PREFIX):
        raise Malformed(f"not a sigstore bundle (mediaType {shown(media_type)})")
    material = data.get("verificationMaterial")
    if not isinstance(material, dict):
        raise Malformed("sigstore bundle has no verificationMaterial")
    certificates: list[bytes] = []
    if isinstance(material.get("certificate"), dict):
        certificates.append(b64decode(material["certificate"].get("rawBytes"), "certificate"))
    elif isinstance(material.get("x509CertificateChain"), dict):
        chain = material["x509CertificateChain"].get("certificates")
        for cert in chain if isinstance(chain, list) else []:
            raw_cert = cert.get("rawBytes") if isinstance(cert, dict) else None
            certificates.append(b64decode(raw_cert, "chain certificate"))
    entries = material.get("tlogEntries") or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise Malformed("sigstore bundle tlogEntries is not a list of objects")
    message = None
    envelope = None
    if isinstance(data.get("messageSignature"), dict):
        message = _message(data["messageSignature"])
    elif isinstance(data.get("dsseEnvelope"), dict):
        envelope = parse_envelope(data["dsseEnvelope"])
    else:
        raise Malformed("sigstore bundle has neither messageSignature nor dsseEnvelope")
    return Bundle(media_type, tuple(certificates), tuple(entries), message, envelope)


def _message(data: dict[str, Any]) -> tuple[Digest, bytes]:
    digest = data.get("messageDigest")
    if not isinstance(digest, dict) or digest.get("algorithm") not in ("SHA2_256", None):
        raise Malformed("message signature digest is not SHA2_256")
    raw = b64decode(digest.get("digest"), "message digest")
    if len(raw) != 32:
        raise Malformed("message digest is not 32 bytes")
    return Digest("sha256", raw.hex()), b64decode(data.get("signature"), "message signature")

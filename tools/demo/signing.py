"""Deterministic signing material for the demo: one real demo-key signature, the rest fake.

The legacy cosign ``.sig`` of app:1.0 is a real ECDSA P-256 signature made with the
committed **demo-only** key ``tools/demo/DEMO-ONLY-signing-key.pem`` (deterministic ECDSA,
RFC 6979, so rebuilds are byte-identical). That key signs nothing but this demo; it is
public on purpose and must never be trusted for anything else.

Everything else is not cryptographic: every other "signature" and "certificate" decodes to
readable text that says it is fake, so nobody mistakes it for real trust material (and
``ocitui verify`` shows it failing).
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.models import canonical_json
from tools.demo.packing import EPOCH

SIGNER = "ci@example.com"
ISSUER = "https://oidc.example.com"
COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1"
SLSA_PROVENANCE = "https://slsa.dev/provenance/v1"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
DEMO_KEY = Path(__file__).with_name("DEMO-ONLY-signing-key.pem")
DEMO_PUBLIC_KEY = Path(__file__).with_name("DEMO-ONLY-signing-key.pub")


def b64(data: bytes) -> str:
    """Standard padded base64."""
    return base64.b64encode(data).decode()


def fake_signature(payload: bytes) -> str:
    """A base64 "signature" that decodes to a note saying it is fake."""
    note = (
        f"FAKE SIGNATURE (ocitui demo, not cryptographic) over sha256:{Digest.of(payload).encoded}"
    )
    return b64(note.encode())


def demo_key_signature(payload: bytes) -> str:
    """Base64 ECDSA P-256/SHA-256 signature of ``payload`` with the committed demo key.

    Made the way ``cosign sign --key`` signs a simple-signing payload (DER signature,
    base64), but deterministic so the demo layout rebuilds byte for byte.
    """
    key = serialization.load_pem_private_key(DEMO_KEY.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError(f"{DEMO_KEY}: not an ECDSA key")
    return b64(key.sign(payload, ec.ECDSA(hashes.SHA256(), deterministic_signing=True)))


def fake_certificate_der() -> bytes:
    """Bytes standing in for a DER certificate (plain text saying it is fake)."""
    return (
        f"FAKE CERTIFICATE for the ocitui demo layout; not X.509. subject={SIGNER} "
        f"issuer=Demo Fake Fulcio CA oidc-issuer={ISSUER}"
    ).encode()


def statement(name: str, digest: Digest, predicate_type: str, predicate: object) -> bytes:
    """An in-toto v1 statement about one subject, in canonical JSON."""
    return canonical_json(
        {
            "_type": STATEMENT_TYPE,
            "subject": [{"name": name, "digest": {digest.algorithm: digest.encoded}}],
            "predicateType": predicate_type,
            "predicate": predicate,
        }
    )


def dsse_envelope(payload: bytes, payload_type: str = mt.IN_TOTO) -> dict[str, Any]:
    """A DSSE envelope around ``payload`` with one fake signature."""
    return {
        "payloadType": payload_type,
        "payload": b64(payload),
        "signatures": [{"keyid": "", "sig": fake_signature(payload)}],
    }


def _tlog_entry(kind: str, body: dict[str, Any], index: int) -> dict[str, Any]:
    """A Rekor-transparency-log-entry-shaped object (all values fake)."""
    body_bytes = canonical_json(body)
    leaf = hashlib.sha256(b"\x00" + body_bytes).digest()
    return {
        "logIndex": str(index),
        "logId": {"keyId": b64(hashlib.sha256(b"fake rekor log key").digest())},
        "kindVersion": {"kind": kind, "version": "0.0.1"},
        "integratedTime": str(EPOCH + 300),
        "inclusionPromise": {"signedEntryTimestamp": fake_signature(body_bytes)},
        "inclusionProof": {
            "logIndex": str(index),
            "rootHash": b64(hashlib.sha256(leaf + b"root").digest()),
            "treeSize": str(index + 1),
            "hashes": [b64(hashlib.sha256(leaf + b"sibling").digest())],
            "checkpoint": {
                "envelope": f"rekor.example.com - 1\n{index + 1}\n{b64(leaf)}\n\n"
                "- rekor.example.com FAKE\n"
            },
        },
        "canonicalizedBody": b64(body_bytes),
    }


def _material(kind: str, body: dict[str, Any], index: int) -> dict[str, Any]:
    return {
        "certificate": {"rawBytes": b64(fake_certificate_der())},
        "tlogEntries": [_tlog_entry(kind, body, index)],
    }


def dsse_bundle(name: str, digest: Digest, predicate_type: str, log_index: int) -> bytes:
    """A Sigstore bundle v0.3 holding a DSSE envelope, as ``cosign sign`` v3 writes them."""
    payload = statement(name, digest, predicate_type, {})
    envelope = dsse_envelope(payload)
    body = {
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {"payloadHash": {"algorithm": "sha256", "value": Digest.of(payload).encoded}},
    }
    return canonical_json(
        {
            "mediaType": mt.SIGSTORE_BUNDLE,
            "verificationMaterial": _material("dsse", body, log_index),
            "dsseEnvelope": envelope,
        }
    )


def message_signature_bundle(digest: Digest, log_index: int) -> bytes:
    """A Sigstore bundle v0.3 with a plain message signature over ``digest``."""
    raw_digest = bytes.fromhex(digest.encoded)
    body = {
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {"data": {"hash": {"algorithm": "sha256", "value": digest.encoded}}},
    }
    return canonical_json(
        {
            "mediaType": mt.SIGSTORE_BUNDLE,
            "verificationMaterial": _material("hashedrekord", body, log_index),
            "messageSignature": {
                "messageDigest": {"algorithm": "SHA2_256", "digest": b64(raw_digest)},
                "signature": fake_signature(raw_digest),
            },
        }
    )

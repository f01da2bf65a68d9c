"""A test Sigstore PKI: a Fulcio-like CA (root + intermediate), a CT log key, a Rekor-like
log key, and a ``trusted_root.json`` naming them; plus what each issues:

- short-lived code-signing leaf certificates with an email SAN, the Fulcio OIDC-issuer
  extension and an embedded SCT signed by the CT log over the precertificate;
- transparency-log entries: a signed entry timestamp, and an RFC 6962 inclusion proof in
  a small tree with a checkpoint signed by the log.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from tests.verify.material import Signer, b64

SCT_OID = ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")
ISSUER_OID = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
ISSUER_V1_OID = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _der(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ocitui test"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _ca(
    cn: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None,
) -> x509.Certificate:
    issuer_name, issuer_key = issuer or (_name(cn), key)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(T0 - timedelta(days=365))
        .not_valid_after(T0 + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(issuer_key, hashes.SHA256())
    )


def _utf8_der(text: str) -> bytes:
    raw = text.encode()
    assert len(raw) < 128
    return bytes([0x0C, len(raw)]) + raw


@dataclass
class SigstorePKI:
    """Keys and certificates of one test Sigstore deployment."""

    root_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP384R1())
    )
    inter_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP384R1())
    )
    ct_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    log_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )

    def __post_init__(self) -> None:
        self.root = _ca("test fulcio root", self.root_key, None)
        self.intermediate = _ca(
            "test fulcio intermediate", self.inter_key, (self.root.subject, self.root_key)
        )
        self.log_id = hashlib.sha256(_der(self.log_key.public_key())).digest()
        self.ct_id = hashlib.sha256(_der(self.ct_key.public_key())).digest()

    def trusted_root(self) -> bytes:
        """``trusted_root.json`` naming this PKI's CA, Rekor log and CT log."""
        window = {"start": (T0 - timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ")}

        def log(key: ec.EllipticCurvePrivateKey, key_id: bytes) -> dict[str, Any]:
            return {
                "baseUrl": "https://log.invalid",
                "hashAlgorithm": "SHA2_256",
                "publicKey": {
                    "rawBytes": b64(_der(key.public_key())),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                    "validFor": window,
                },
                "logId": {"keyId": b64(key_id)},
            }

        chain = [self.intermediate, self.root]
        return json.dumps(
            {
                "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
                "tlogs": [log(self.log_key, self.log_id)],
                "certificateAuthorities": [
                    {
                        "subject": {"organization": "ocitui test", "commonName": "test fulcio"},
                        "uri": "https://fulcio.invalid",
                        "certChain": {
                            "certificates": [
                                {"rawBytes": b64(c.public_bytes(serialization.Encoding.DER))}
                                for c in chain
                            ]
                        },
                        "validFor": window,
                    }
                ],
                "ctlogs": [log(self.ct_key, self.ct_id)],
                "timestampAuthorities": [],
            }
        ).encode()

    def leaf(
        self,
        identity: str = "ci@example.com",
        issuer: str = "https://oidc.example.com",
        *,
        not_before: datetime = T0,
        sct: bool = True,
        ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None,
    ) -> tuple[Signer, x509.Certificate]:
        """A 10-minute code-signing certificate for ``identity`` (with an SCT unless told)."""
        key = ec.generate_private_key(ec.SECP256R1())
        ca_cert, ca_key = ca or (self.intermediate, self.inter_key)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([]))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_before + timedelta(minutes=10))
            .add_extension(
                x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False
            )
            .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(identity)]), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .add_extension(
                x509.UnrecognizedExtension(ISSUER_V1_OID, issuer.encode()), critical=False
            )
            .add_extension(
                x509.UnrecognizedExtension(ISSUER_OID, _utf8_der(issuer)), critical=False
            )
        )
        if sct:
            precert = builder.sign(ca_key, hashes.SHA256())
            builder = builder.add_extension(
                x509.UnrecognizedExtension(
                    SCT_OID, self._sct_list(precert.tbs_certificate_bytes, ca_cert, not_before)
                ),
                critical=False,
            )
        return Signer(key), builder.sign(ca_key, hashes.SHA256())

    def _sct_list(self, tbs: bytes, issuer: x509.Certificate, when: datetime) -> bytes:
        millis = int(when.timestamp() * 1000)
        issuer_hash = hashlib.sha256(_der(issuer.public_key())).digest()  # type: ignore[arg-type]
        signed = (
            struct.pack(">BBQH", 0, 0, millis, 1)
            + issuer_hash
            + len(tbs).to_bytes(3, "big")
            + tbs
            + b"\x00\x00"
        )
        sig = self.ct_key.sign(signed, ec.ECDSA(hashes.SHA256()))
        sct = (
            bytes([0])
            + self.ct_id
            + struct.pack(">Q", millis)
            + b"\x00\x00"
            + bytes([4, 3])
            + struct.pack(">H", len(sig))
            + sig
        )
        sct_list = struct.pack(">H", len(sct) + 2) + struct.pack(">H", len(sct)) + sct
        return (
            bytes([0x04, len(sct_list)]) + sct_list
            if len(sct_list) < 128
            else bytes([0x04, 0x81, len(sct_list)]) + sct_list
        )

    # -- the log -------------------------------------------------------------------------

    def _set(self, body_b64: str, integrated: int, index: int) -> bytes:
        payload = json.dumps(
            {
                "body": body_b64,
                "integratedTime": integrated,
                "logID": self.log_id.hex(),
                "logIndex": index,
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        return self.log_key.sign(payload, ec.ECDSA(hashes.SHA256()))

    def entry(
        self,
        body: dict[str, Any],
        integrated: datetime,
        *,
        index: int = 2,
        proof: bool = True,
        promise: bool = True,
    ) -> dict[str, Any]:
        """A bundle ``tlogEntries`` item for ``body`` (in a 5-leaf tree at ``index``)."""
        body_bytes = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        body_b64 = b64(body_bytes)
        seconds = int(integrated.timestamp())
        out: dict[str, Any] = {
            "logIndex": str(index),
            "logId": {"keyId": b64(self.log_id)},
            "kindVersion": {"kind": body["kind"], "version": "0.0.1"},
            "integratedTime": str(seconds),
            "canonicalizedBody": body_b64,
        }
        if promise:
            out["inclusionPromise"] = {
                "signedEntryTimestamp": b64(self._set(body_b64, seconds, index))
            }
        if proof:
            leaves = [
                hashlib.sha256(b"\x00" + (body_bytes if i == index else b"other %d" % i)).digest()
                for i in range(5)
            ]
            root = _mth(leaves)
            note = f"rekor.test - 42\n5\n{b64(root)}\n"
            sig = self.log_key.sign(note.encode(), ec.ECDSA(hashes.SHA256()))
            out["inclusionProof"] = {
                "logIndex": str(index),
                "rootHash": b64(root),
                "treeSize": "5",
                "hashes": [b64(h) for h in _path(index, leaves)],
                "checkpoint": {
                    "envelope": note + "\n\u2014 rekor.test " + b64(self.log_id[:4] + sig) + "\n"
                },
            }
        return out

    def legacy_bundle(self, body: dict[str, Any], integrated: datetime, index: int = 7) -> str:
        """cosign's ``dev.sigstore.cosign/bundle`` annotation value."""
        body_b64 = b64(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
        seconds = int(integrated.timestamp())
        return json.dumps(
            {
                "SignedEntryTimestamp": b64(self._set(body_b64, seconds, index)),
                "Payload": {
                    "body": body_b64,
                    "integratedTime": seconds,
                    "logIndex": index,
                    "logID": self.log_id.hex(),
                },
            }
        )


def _mth(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def _path(index: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if index < k:
        return [*_path(index, leaves[:k]), _mth(leaves[k:])]
    return [*_path(index - k, leaves[k:]), _mth(leaves[:k])]


def pem(cert: x509.Certificate) -> str:
    """PEM text of a certificate."""
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def hashedrekord(signature: bytes, data: bytes, cert: x509.Certificate) -> dict[str, Any]:
    """The Rekor body cosign logs for a signature over ``data``."""
    return {
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": hashlib.sha256(data).hexdigest()}},
            "signature": {
                "content": b64(signature),
                "publicKey": {"content": b64(pem(cert).encode())},
            },
        },
    }


def dsse_body(envelope: dict[str, Any], cert: x509.Certificate) -> dict[str, Any]:
    """The Rekor ``dsse`` body for an envelope."""
    return {
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {
            "envelopeHash": {
                "algorithm": "sha256",
                "value": hashlib.sha256(json.dumps(envelope).encode()).hexdigest(),
            },
            "payloadHash": {
                "algorithm": "sha256",
                "value": hashlib.sha256(base64.b64decode(envelope["payload"])).hexdigest(),
            },
            "signatures": [
                {"signature": s["sig"], "verifier": b64(pem(cert).encode())}
                for s in envelope["signatures"]
            ],
        },
    }

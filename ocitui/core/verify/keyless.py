"""Keyless (Fulcio-style) signatures, verified offline against a trusted root.

A keyless signature carries a short-lived certificate. It is trusted when: the
certificate's key verifies the signature; a transparency-log entry for this signature
verifies with a log key from the trusted root and proves *when* it was signed; the
certificate chains to a trusted CA and was valid at that time; an embedded SCT from a
trusted CT log vouches for the certificate; and its identity (SAN) and OIDC issuer
extension match what the user trusts.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier

from ocitui.core import jsonsafe
from ocitui.core.errors import VerifyError
from ocitui.core.verify.envelope import Failed, Malformed
from ocitui.core.verify.keys import as_public_key, verify_signature
from ocitui.core.verify.roots import Authority, TrustedRoot
from ocitui.core.verify.tlog import LogEntry, verify_entry, verify_legacy
from ocitui.core.verify.trust import Requirement

if TYPE_CHECKING:
    from ocitui.core.verify.check import Signed

ISSUER_V1 = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
ISSUER_V2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def load_certificate(data: bytes) -> x509.Certificate:
    """A PEM or DER certificate; :class:`Malformed` otherwise."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise Malformed("certificate is not valid X.509") from None


def identity_of(cert: x509.Certificate) -> tuple[str, str | None]:
    """``(subject, oidc issuer)``: the first email or URI SAN, and the Fulcio issuer."""
    subject = ""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        san = None
    if san is not None:
        names = san.get_values_for_type(x509.RFC822Name) + san.get_values_for_type(
            x509.UniformResourceIdentifier
        )
        subject = names[0] if names else ""
    return subject, _issuer(cert)


def _issuer(cert: x509.Certificate) -> str | None:
    for oid, der in ((ISSUER_V2, True), (ISSUER_V1, False)):
        try:
            ext = cert.extensions.get_extension_for_oid(oid).value
        except x509.ExtensionNotFound:
            continue
        raw = getattr(ext, "value", b"")
        if der:  # A DER UTF8String: tag 0x0c, short or long length.
            if len(raw) < 2 or raw[0] != 0x0C:
                return None
            length, offset = raw[1], 2
            if length & 0x80:
                count = length & 0x7F
                length, offset = int.from_bytes(raw[2 : 2 + count], "big"), 2 + count
            raw = raw[offset : offset + length]
        return raw.decode("utf-8", "replace")
    return None


def describe_certificate(data: bytes) -> str:
    """``subject (issuer)`` of a certificate, for messages (never raises)."""
    try:
        subject, issuer = identity_of(load_certificate(data))
    except (Malformed, ValueError):
        return "an unreadable certificate"
    return f"{subject or '?'} ({issuer or 'no issuer'})"


def log_time(signed: Signed, root: TrustedRoot | None) -> int | None:
    """The proven log time of a key-signed signature, when it carries log evidence."""
    if root is None or not (signed.tlog_entries or signed.legacy_rekor):
        return None
    return _log_entry(signed, root).integrated_time


def _log_entry(signed: Signed, root: TrustedRoot) -> LogEntry:
    entries = [verify_entry(e, root) for e in signed.tlog_entries]
    if signed.legacy_rekor is not None:
        entries.append(verify_legacy(signed.legacy_rekor, root))
    if not entries:
        raise Failed("no transparency-log entry proves when the certificate was used")
    for entry in entries:
        _bind_body(entry.body, signed)
    return entries[0]


def _bind_body(body: bytes, signed: Signed) -> None:
    """The log entry must record this signature (and, for hashedrekord, this data)."""
    try:
        data = jsonsafe.loads(body)
    except ValueError:
        raise Malformed("log entry body is not JSON") from None
    text = body.decode("utf-8", "replace")
    encoded = [base64.b64encode(s).decode() for s in signed.signatures]
    if not any(e in text or base64.b64encode(e.encode()).decode() in text for e in encoded):
        raise Failed("log entry is for another signature")
    spec = data.get("spec") if isinstance(data, dict) else None
    if isinstance(data, dict) and data.get("kind") == "hashedrekord" and isinstance(spec, dict):
        hashed = spec.get("data")
        hashed = hashed.get("hash") if isinstance(hashed, dict) else None
        value = hashed.get("value") if isinstance(hashed, dict) else None
        if value != hashlib.sha256(signed.signed_bytes).hexdigest():
            raise Failed("log entry records a hash of other data")


def verify(signed: Signed, req: Requirement) -> tuple[str, str, int | None]:
    """Verify a keyless signature; ``(signer, reason, log time)`` or :class:`Failed`."""
    root = req.trusted_root
    if root is None:
        raise Failed("keyless signature: no trusted root given (--trusted-root)")
    leaf = load_certificate(signed.certificates[0])
    try:
        key = as_public_key(leaf.public_key(), "certificate")
    except VerifyError as exc:
        raise Failed(str(exc)) from None
    if not any(verify_signature(key, s, signed.signed_bytes) for s in signed.signatures):
        raise Failed("signature does not verify with the certificate's key")
    entry = _log_entry(signed, root)
    when = datetime.fromtimestamp(entry.integrated_time, UTC)
    authority = _chain(leaf, root, when)
    _sct(leaf, authority, root)
    subject, issuer = identity_of(leaf)
    signer = f"{subject or '?'} ({issuer or 'no issuer'})"
    if not any(identity.matches(subject, issuer) for identity in req.identities):
        wanted = "; ".join(str(i) for i in req.identities)
        raise Failed(f"signed by {signer}, not by a trusted identity ({wanted})")
    return signer, f"keyless, certificate from {_name(authority.chain[-1])}", entry.integrated_time


def _name(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string() or "the trusted CA"


def _chain(leaf: x509.Certificate, root: TrustedRoot, when: datetime) -> Authority:
    """The trusted authority that issued ``leaf``, all certificates valid at ``when``."""
    if not root.authorities:
        raise Failed("the trusted root names no certificate authority")
    if not _valid_at(leaf, when):
        raise Failed(
            f"certificate was not valid when the log recorded the signature ({_iso(when)}; "
            f"valid {_iso(_start(leaf))} to {_iso(_end(leaf))})"
        )
    try:
        usage = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        if ExtendedKeyUsageOID.CODE_SIGNING not in usage:
            raise Failed("certificate is not for code signing")
    except x509.ExtensionNotFound:
        pass
    for authority in root.authorities:
        if not authority.window.contains(when) or not _issued_by(leaf, authority.chain[0]):
            continue
        chain = authority.chain
        if all(_issued_by(chain[i], chain[i + 1]) for i in range(len(chain) - 1)) and all(
            _valid_at(c, when) for c in chain
        ):
            return authority
    raise Failed("certificate does not chain to a certificate authority of the trusted root")


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _start(cert: x509.Certificate) -> datetime:
    return cert.not_valid_before_utc


def _end(cert: x509.Certificate) -> datetime:
    return cert.not_valid_after_utc


def _valid_at(cert: x509.Certificate, when: datetime) -> bool:
    return _start(cert) <= when <= _end(cert)


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _sct(leaf: x509.Certificate, authority: Authority, root: TrustedRoot) -> None:
    """At least one embedded SCT verifies with a CT log key from the trusted root."""
    try:
        scts = leaf.extensions.get_extension_for_class(
            x509.PrecertificateSignedCertificateTimestamps
        ).value
    except x509.ExtensionNotFound:
        raise Failed(
            "certificate has no embedded SCT (not logged for certificate transparency)"
        ) from None
    issuer_key = (
        authority.chain[0]
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    tbs = leaf.tbs_precertificate_bytes
    for sct in scts:
        log = root.ctlog(sct.log_id)
        if log is None or not log.window.contains(sct.timestamp.replace(tzinfo=UTC)):
            continue
        millis = (sct.timestamp.replace(tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)
        signed = (
            struct.pack(">BBQH", 0, 0, millis, 1)
            + hashlib.sha256(issuer_key).digest()
            + len(tbs).to_bytes(3, "big")
            + tbs
            + struct.pack(">H", len(sct.extension_bytes))
            + sct.extension_bytes
        )
        if verify_signature(log.key, sct.signature, signed):
            return
    raise Failed("no embedded SCT verifies with a CT log of the trusted root")

"""Checking one piece of signature material against a subject and a :class:`Requirement`.

Order of checks: the material parses; it binds to the subject (the signed digest or the
in-toto subject is the image's digest); a trusted key verifies it, or its certificate
chains to the trusted root with a matching identity and a transparency-log entry proves
when it was signed. The first failure is the verdict's reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ocitui.core.digest import Digest
from ocitui.core.verify.envelope import (
    COSIGN_SIGN_PREDICATE,
    Failed,
    Malformed,
    b64decode,
    load_json_object,
    parse_bundle,
    parse_envelope,
    parse_statement,
    simple_signing_digest,
)
from ocitui.core.verify.found import (
    BUNDLE,
    CERTIFICATE_ANNOTATION,
    CHAIN_ANNOTATION,
    DSSE,
    REKOR_BUNDLE_ANNOTATION,
    SIGNATURE_ANNOTATION,
    Found,
)
from ocitui.core.verify.model import ATTESTATION, SIGNATURE, SignatureCheck, Verdict
from ocitui.core.verify.trust import Requirement


@dataclass(frozen=True)
class Signed:
    """Parsed material, already bound to the subject: what was signed, and by what."""

    form: str
    signed_bytes: bytes
    signatures: tuple[bytes, ...]
    predicate_type: str | None = None
    #: PEM or DER certificates, leaf first (keyless signatures).
    certificates: tuple[bytes, ...] = ()
    #: Transparency-log entries: bundle ``tlogEntries`` objects, or a cosign Rekor bundle.
    tlog_entries: tuple[dict[str, Any], ...] = ()
    legacy_rekor: dict[str, Any] | None = None

    @property
    def kind(self) -> str:
        """``signature`` for image signatures, ``attestation`` for other predicates."""
        if self.predicate_type is None or self.predicate_type == COSIGN_SIGN_PREDICATE:
            return SIGNATURE
        return ATTESTATION


def check(found: Found, subject: Digest, subject_raw: bytes, req: Requirement) -> SignatureCheck:
    """Verify ``found`` for ``subject`` (whose manifest bytes are ``subject_raw``)."""
    if found.error is not None:
        return SignatureCheck(found.source, SIGNATURE, found.form, Verdict.FAIL, found.error)
    try:
        signed = _parse(found, subject, subject_raw)
    except (Failed, Malformed) as exc:
        return SignatureCheck(found.source, SIGNATURE, found.form, Verdict.FAIL, str(exc))
    except _SHAPE_ERRORS as exc:
        return SignatureCheck(found.source, SIGNATURE, found.form, Verdict.FAIL, _shape(exc))
    time, verified = _claimed_time(found, signed), False
    try:
        signer, reason, log_time = _verify(signed, req)
    except (Failed, Malformed) as exc:
        return _result(
            found, signed, Verdict.FAIL, reason=str(exc), signer=None, time=time, verified=False
        )
    except _SHAPE_ERRORS as exc:
        return _result(
            found, signed, Verdict.FAIL, reason=_shape(exc), signer=None, time=time, verified=False
        )
    if log_time is not None:
        time, verified = _iso(log_time), True
    return _result(
        found, signed, Verdict.PASS, reason=reason, signer=signer, time=time, verified=verified
    )


#: JSON of an unexpected shape (a list where an object belongs ...) surfaces as these;
#: the parsers check the shapes they know, this keeps anything else a verdict line.
_SHAPE_ERRORS = (TypeError, AttributeError, KeyError, ValueError, IndexError)


def _shape(exc: Exception) -> str:
    return f"malformed signature material ({type(exc).__name__})"


def _result(
    found: Found,
    signed: Signed,
    verdict: Verdict,
    *,
    reason: str,
    signer: str | None,
    time: str | None,
    verified: bool,
) -> SignatureCheck:
    return SignatureCheck(
        found.source,
        signed.kind,
        signed.form,
        verdict,
        reason,
        signer,
        time,
        verified,
        signed.predicate_type,
    )


def _parse(found: Found, subject: Digest, subject_raw: bytes) -> Signed:
    if found.form == BUNDLE:
        return _parse_bundle(found, subject, subject_raw)
    if found.form == DSSE:
        envelope = parse_envelope(load_json_object(found.blob, "DSSE envelope"))
        statement = parse_statement(envelope.payload)
        _bind_statement(statement.subjects, subject)
        return Signed(
            f"{DSSE} ({_short_type(statement.predicate_type)})",
            envelope.signed_bytes,
            envelope.signatures,
            statement.predicate_type,
            *_cosign_material(found),
        )
    signed_digest = simple_signing_digest(found.blob)
    if signed_digest != subject:
        raise Failed(f"signs {signed_digest}, not this image ({subject.short})")
    signature = b64decode(found.annotations.get(SIGNATURE_ANNOTATION), "signature annotation")
    return Signed(found.form, found.blob, (signature,), None, *_cosign_material(found))


def _cosign_material(
    found: Found,
) -> tuple[tuple[bytes, ...], tuple[dict[str, Any], ...], dict[str, Any] | None]:
    """Certificate, chain and Rekor bundle from cosign's layer annotations."""
    certs: list[bytes] = []
    cert = found.annotations.get(CERTIFICATE_ANNOTATION)
    if cert:
        certs.append(cert.encode())
        chain = found.annotations.get(CHAIN_ANNOTATION, "")
        certs += [
            ("-----BEGIN CERTIFICATE-----" + part).encode()
            for part in chain.split("-----BEGIN CERTIFICATE-----")[1:]
        ]
    rekor = found.annotations.get(REKOR_BUNDLE_ANNOTATION)
    legacy = load_json_object(rekor.encode(), "Rekor bundle annotation") if rekor else None
    return tuple(certs), (), legacy


def _parse_bundle(found: Found, subject: Digest, subject_raw: bytes) -> Signed:
    bundle = parse_bundle(found.blob)
    if bundle.message is not None:
        digest, signature = bundle.message
        if digest != subject:
            raise Failed(f"signs {digest}, not this image ({subject.short})")
        return Signed(
            f"{BUNDLE} (message signature)",
            subject_raw,
            (signature,),
            None,
            bundle.certificates,
            bundle.tlog_entries,
        )
    assert bundle.envelope is not None
    statement = parse_statement(bundle.envelope.payload)
    _bind_statement(statement.subjects, subject)
    return Signed(
        f"{BUNDLE} (DSSE, {_short_type(statement.predicate_type)})",
        bundle.envelope.signed_bytes,
        bundle.envelope.signatures,
        statement.predicate_type,
        bundle.certificates,
        bundle.tlog_entries,
    )


def _bind_statement(subjects: tuple[Digest, ...], subject: Digest) -> None:
    if subject in subjects:
        return
    named = ", ".join(d.short for d in subjects) or "nothing"
    raise Failed(f"in-toto statement is about {named}, not this image ({subject.short})")


def _short_type(predicate_type: str) -> str:
    return predicate_type.removeprefix("https://")


def _verify(signed: Signed, req: Requirement) -> tuple[str, str, int | None]:
    """``(signer, reason, verified log time)``; raises :class:`Failed`."""
    from ocitui.core.verify import keyless

    for key in req.keys:
        if any(key.verifies(sig, signed.signed_bytes) for sig in signed.signatures):
            log_time = keyless.log_time(signed, req.trusted_root) if req.trusted_root else None
            return key.fingerprint, f"verified with {key.algorithm} key {key.origin}", log_time
    if signed.certificates and req.identities:
        return keyless.verify(signed, req)
    if signed.certificates:
        who = keyless.describe_certificate(signed.certificates[0])
        if req.keys:
            raise Failed(f"keyless signature by {who}; it does not verify with the given key(s)")
        raise Failed(f"keyless signature by {who}; no certificate identity was given to trust")
    if req.keys:
        raise Failed(f"signature does not verify with the given key(s) ({len(req.keys)} tried)")
    raise Failed("signed with a key, but no key was given to verify it")


def _claimed_time(found: Found, signed: Signed) -> str | None:
    """An unverified time: a log entry's integratedTime, else the holder's created date."""
    for entry in signed.tlog_entries:
        value = entry.get("integratedTime")
        if isinstance(value, str | int) and str(value).isdigit():
            return _iso(int(value))
    if signed.legacy_rekor:
        payload = signed.legacy_rekor.get("Payload")
        value = payload.get("integratedTime") if isinstance(payload, dict) else None
        if isinstance(value, int):
            return _iso(value)
    return found.created


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

"""Keyless verification against a test Sigstore PKI, end to end and offline."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from ocitui.core.layout import Layout
from ocitui.core.verify import Identity, Policy, Requirement, parse_trusted_root, verify_refs
from tests.support.builders import put_image
from tests.verify.material import (
    SigLayer,
    attach_bundle,
    attach_legacy,
    b64,
    bundle_json,
    envelope,
    simple_signing,
    statement,
)
from tests.verify.pki import T0, SigstorePKI, dsse_body, hashedrekord, pem

REPO = "registry.example.com/team/app"
REF = f"{REPO}:1.0"
WHO = Identity("ci@example.com", None, "https://oidc.example.com", None)
SIGNED_AT = T0 + timedelta(minutes=2)


@pytest.fixture(scope="module")
def pki() -> SigstorePKI:
    return SigstorePKI()


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    layout = Layout.open(tmp_path / "layout", create=True)
    put_image(layout, {"a.txt": b"a"}, ref=REF)
    return layout


def _policy(pki: SigstorePKI, *identities: Identity) -> Policy:
    root = parse_trusted_root(pki.trusted_root())
    return Policy.everything(Requirement(identities=identities or (WHO,), trusted_root=root))


def _dsse_bundle(layout: Layout, pki: SigstorePKI, **leaf: Any) -> dict[str, Any]:
    """A cosign v3 keyless bundle (DSSE) for REF; returns its parts for tampering."""
    when = leaf.pop("when", SIGNED_AT)
    proof = leaf.pop("proof", True)
    signer, cert = pki.leaf(**leaf)
    env = envelope(
        signer, statement(layout.resolve(REF).digest, "https://sigstore.dev/cosign/sign/v1")
    )
    material = {
        "certificate": {"rawBytes": b64(cert.public_bytes(serialization.Encoding.DER))},
        "tlogEntries": [pki.entry(dsse_body(env, cert), when, proof=proof)],
    }
    return {"material": material, "dsseEnvelope": env}


def _attach(layout: Layout, parts: dict[str, Any]) -> None:
    attach_bundle(
        layout,
        layout.resolve(REF),
        bundle_json(parts["material"], dsseEnvelope=parts["dsseEnvelope"]),
    )


def _only_check(layout: Layout, policy: Policy) -> tuple[bool, str, str | None]:
    image = verify_refs(layout, [REF], policy).images[0]
    (check,) = image.checks
    return check.passed, check.reason, check.signer


def test_keyless_bundle_passes_end_to_end(layout: Layout, pki: SigstorePKI) -> None:
    _attach(layout, _dsse_bundle(layout, pki))
    report = verify_refs(layout, [REF], _policy(pki))
    assert report.ok, report.images[0].checks[0].reason
    check = report.images[0].checks[0]
    assert check.signer == "ci@example.com (https://oidc.example.com)"
    assert check.time == "2026-01-01T12:02:00Z" and check.time_verified


def test_identity_regexps(layout: Layout, pki: SigstorePKI) -> None:
    _attach(layout, _dsse_bundle(layout, pki))
    good = Identity(None, r".*@example\.com", None, r"https://oidc\..*")
    assert verify_refs(layout, [REF], _policy(pki, good)).ok
    bad = Identity(None, r".*@example\.org", "https://oidc.example.com", None)
    passed, reason, _ = _only_check(layout, _policy(pki, bad))
    assert not passed and "not by a trusted identity" in reason


def test_issuer_mismatch(layout: Layout, pki: SigstorePKI) -> None:
    _attach(layout, _dsse_bundle(layout, pki, issuer="https://evil.example.com"))
    passed, reason, _ = _only_check(layout, _policy(pki))
    assert (
        not passed
        and "ci@example.com (https://evil.example.com), not by a trusted identity" in reason
    )


def test_certificate_not_chaining_to_the_root(layout: Layout, pki: SigstorePKI) -> None:
    other = SigstorePKI()
    _attach(layout, _dsse_bundle(layout, pki, ca=(other.intermediate, other.inter_key)))
    passed, reason, _ = _only_check(layout, _policy(pki))
    assert not passed and "does not chain to a certificate authority" in reason


def test_certificate_expired_at_log_time(layout: Layout, pki: SigstorePKI) -> None:
    _attach(layout, _dsse_bundle(layout, pki, when=T0 + timedelta(minutes=30)))
    passed, reason, _ = _only_check(layout, _policy(pki))
    assert not passed and "certificate was not valid when the log recorded the signature" in reason


def test_missing_sct(layout: Layout, pki: SigstorePKI) -> None:
    _attach(layout, _dsse_bundle(layout, pki, sct=False))
    passed, reason, _ = _only_check(layout, _policy(pki))
    assert not passed and "no embedded SCT" in reason


def test_inclusion_promise_only_still_passes(layout: Layout, pki: SigstorePKI) -> None:
    _attach(layout, _dsse_bundle(layout, pki, proof=False))
    assert verify_refs(layout, [REF], _policy(pki)).ok


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (
            lambda e: e.update(integratedTime=str(int(e["integratedTime"]) + 1)),
            "signed entry timestamp does not verify",
        ),
        (
            lambda e: e["inclusionProof"].update(hashes=e["inclusionProof"]["hashes"][:-1]),
            "inclusion proof",
        ),
        (
            lambda e: e["inclusionProof"]["checkpoint"].update(envelope="x\n5\nAAAA\n\n"),
            "checkpoint",
        ),
        (
            lambda e: e.update(logId={"keyId": b64(b"\x01" * 32)}),
            "log the trusted root does not name",
        ),
        (lambda e: e.pop("inclusionPromise"), "no signed entry timestamp"),
    ],
)
def test_tampered_log_entries_fail(
    layout: Layout, pki: SigstorePKI, tamper: Any, reason: str
) -> None:
    parts = _dsse_bundle(layout, pki)
    tamper(parts["material"]["tlogEntries"][0])
    _attach(layout, parts)
    passed, got, _ = _only_check(layout, _policy(pki))
    assert not passed and reason in got


def test_log_entry_for_another_signature(layout: Layout, pki: SigstorePKI) -> None:
    parts = _dsse_bundle(layout, pki)
    other = _dsse_bundle(layout, pki)
    parts["material"]["tlogEntries"] = other["material"]["tlogEntries"]
    _attach(layout, parts)
    passed, reason, _ = _only_check(layout, _policy(pki))
    assert not passed and "log entry is for another signature" in reason


def test_tampered_envelope_payload(layout: Layout, pki: SigstorePKI) -> None:
    parts = _dsse_bundle(layout, pki)
    digest = layout.resolve(REF).digest
    parts["dsseEnvelope"]["payload"] = b64(
        statement(digest, "https://sigstore.dev/cosign/sign/v1", name="other")
    )
    _attach(layout, parts)
    passed, reason, _ = _only_check(layout, _policy(pki))
    assert not passed and "does not verify with the certificate's key" in reason


def test_legacy_keyless_signature_with_rekor_bundle(layout: Layout, pki: SigstorePKI) -> None:
    signer, cert = pki.leaf()
    subject = layout.resolve(REF)
    payload = simple_signing(REPO, subject.digest)
    signature = signer.sign(payload)
    chain = pem(pki.intermediate) + pem(pki.root)
    annotations = {
        "dev.sigstore.cosign/certificate": pem(cert),
        "dev.sigstore.cosign/chain": chain,
        "dev.sigstore.cosign/bundle": pki.legacy_bundle(
            hashedrekord(signature, payload, cert), SIGNED_AT
        ),
    }
    attach_legacy(layout, subject, REPO, [SigLayer(payload, b64(signature), annotations)])
    report = verify_refs(layout, [REF], _policy(pki))
    assert report.ok, report.images[0].checks[0].reason
    assert report.images[0].checks[0].time_verified


def test_keyless_without_log_entry_fails(layout: Layout, pki: SigstorePKI) -> None:
    signer, cert = pki.leaf()
    subject = layout.resolve(REF)
    payload = simple_signing(REPO, subject.digest)
    annotations = {"dev.sigstore.cosign/certificate": pem(cert)}
    attach_legacy(
        layout, subject, REPO, [SigLayer(payload, b64(signer.sign(payload)), annotations)]
    )
    passed, reason, _ = _only_check(layout, _policy(pki))
    assert not passed and "no transparency-log entry" in reason


def test_trusted_root_must_be_a_trusted_root() -> None:
    from ocitui.core.verify.envelope import Malformed

    for raw in (b"{}", b"[", b'{"mediaType": "application/vnd.dev.sigstore.trustedroot+json"}'):
        with pytest.raises(Malformed):
            parse_trusted_root(raw)


def test_log_key_used_outside_its_window(layout: Layout, pki: SigstorePKI) -> None:
    import json

    _attach(layout, _dsse_bundle(layout, pki))
    data = json.loads(pki.trusted_root())
    data["tlogs"][0]["publicKey"]["validFor"] = {"start": "2027-01-01T00:00:00Z"}
    root = parse_trusted_root(json.dumps(data).encode())
    policy = Policy.everything(Requirement(identities=(WHO,), trusted_root=root))
    passed, reason, _ = _only_check(layout, policy)
    assert not passed and "outside the log key's validity" in reason

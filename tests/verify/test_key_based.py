"""Key-based verification: every key type, every format, every binding check."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocitui.core.errors import VerifyError
from ocitui.core.layout import Layout
from ocitui.core.layout.metadata import METADATA_NAME
from ocitui.core.models import Descriptor
from ocitui.core.verify import Policy, Requirement, load_key_bytes, load_key_file, verify_refs
from ocitui.core.verify.model import Badge
from tests.support.builders import put_image, put_index
from tests.verify.material import (
    SLSA,
    SigLayer,
    Signer,
    attach_attestation,
    attach_bundle,
    attach_legacy,
    b64,
    bundle_json,
    envelope,
    key_bundle,
    simple_signing,
    statement,
)

REPO = "registry.example.com/team/app"
REF = f"{REPO}:1.0"


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    layout = Layout.open(tmp_path / "layout", create=True)
    put_image(layout, {"a.txt": b"a"}, ref=REF)
    put_image(layout, {"b.txt": b"b"}, ref=f"{REPO}:other")
    return layout


def _policy(*signers: Signer, attestations: tuple[str, ...] = ()) -> Policy:
    keys = tuple(load_key_bytes(s.public_pem, f"key{i}") for i, s in enumerate(signers))
    return Policy.everything(Requirement(keys, attestations=attestations))


def _legacy(
    layout: Layout, signer: Signer, subject: Descriptor, payload: bytes | None = None
) -> None:
    payload = payload if payload is not None else simple_signing(REPO, subject.digest)
    attach_legacy(layout, subject, REPO, [SigLayer(payload, b64(signer.sign(payload)))])


@pytest.mark.parametrize("kind", ["p256", "p384", "ed25519", "rsa"])
def test_legacy_signature_passes_with_each_key_type(layout: Layout, kind: str) -> None:
    signer = Signer.make(kind)
    _legacy(layout, signer, layout.resolve(REF))
    report = verify_refs(layout, [REF], _policy(signer))
    assert report.ok, report.images[0].reason
    (check,) = report.images[0].checks
    assert check.passed and check.form == "cosign simple signing"
    assert check.signer == load_key_bytes(signer.public_pem, "k").fingerprint
    assert report.images[0].badge is Badge.SIGNED


def test_wrong_key_fails_with_a_reason(layout: Layout) -> None:
    _legacy(layout, Signer.make(), layout.resolve(REF))
    report = verify_refs(layout, [REF], _policy(Signer.make()))
    assert not report.ok
    image = report.images[0]
    assert image.badge is Badge.INVALID
    assert "does not verify with the given key" in image.checks[0].reason
    assert image.reason.startswith("no valid signature")


def test_signature_over_another_digest_is_refused(layout: Layout) -> None:
    signer = Signer.make()
    other = layout.resolve(f"{REPO}:other")
    payload = simple_signing(REPO, other.digest)  # Validly signed, but about another image.
    _legacy(layout, signer, layout.resolve(REF), payload)
    report = verify_refs(layout, [REF], _policy(signer))
    assert not report.ok
    assert f"signs {other.digest}, not this image" in report.images[0].checks[0].reason


def test_tampered_payload_is_refused(layout: Layout) -> None:
    signer = Signer.make()
    subject = layout.resolve(REF)
    payload = simple_signing(REPO, subject.digest)
    tampered = payload.replace(b'"optional":null', b'"optional":{"x":"y"}')
    attach_legacy(layout, subject, REPO, [SigLayer(tampered, b64(signer.sign(payload)))])
    report = verify_refs(layout, [REF], _policy(signer))
    assert "does not verify" in report.images[0].checks[0].reason


def test_unsigned_and_missing_refs(layout: Layout) -> None:
    report = verify_refs(layout, [REF, "nope:1"], _policy(Signer.make()))
    assert report.images[0].reason == "unsigned: no signature found"
    assert report.images[0].badge is Badge.UNSIGNED
    assert not report.images[1].satisfied and report.images[1].digest is None


@pytest.mark.parametrize("kind", ["p256", "ed25519"])
def test_v3_bundle_dsse_passes_and_binds_to_the_statement_subject(
    layout: Layout, kind: str
) -> None:
    signer = Signer.make(kind)
    subject = layout.resolve(REF)
    attach_bundle(layout, subject, key_bundle(signer, subject.digest))
    report = verify_refs(layout, [REF], _policy(signer))
    assert report.ok and report.images[0].checks[0].form.startswith("sigstore bundle (DSSE")
    other = layout.resolve(f"{REPO}:other")
    attach_bundle(layout, other, key_bundle(signer, subject.digest))  # About REF, on other.
    bad = verify_refs(layout, [f"{REPO}:other"], _policy(signer))
    assert "in-toto statement is about" in bad.images[0].checks[0].reason


def test_message_signature_bundle_signs_the_manifest_bytes(layout: Layout) -> None:
    signer = Signer.make()
    subject = layout.resolve(REF)
    raw = layout.read_blob(subject.digest)
    message = {
        "messageDigest": {
            "algorithm": "SHA2_256",
            "digest": b64(bytes.fromhex(subject.digest.encoded)),
        },
        "signature": b64(signer.sign(raw)),
    }
    attach_bundle(layout, subject, bundle_json({"publicKey": {}}, messageSignature=message))
    assert verify_refs(layout, [REF], _policy(signer)).ok


@pytest.mark.parametrize(
    ("blob", "reason"),
    [
        (
            b'{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "verif',
            "not valid JSON",
        ),
        (b"[]", "not a JSON object"),
        (b'{"mediaType": "text/plain"}', "not a sigstore bundle"),
        (
            b'{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "verificationMaterial": {}}',
            "neither messageSignature nor dsseEnvelope",
        ),
    ],
)
def test_malformed_bundles_give_a_verdict_line(layout: Layout, blob: bytes, reason: str) -> None:
    attach_bundle(layout, layout.resolve(REF), blob)
    report = verify_refs(layout, [REF], _policy(Signer.make()))
    assert reason in report.images[0].checks[0].reason


def test_attestation_required_by_type(layout: Layout) -> None:
    signer = Signer.make()
    subject = layout.resolve(REF)
    _legacy(layout, signer, subject)
    assert not verify_refs(layout, [REF], _policy(signer, attestations=(SLSA,))).ok
    attach_attestation(layout, subject, envelope(signer, statement(subject.digest, SLSA)))
    report = verify_refs(layout, [REF], _policy(signer, attestations=(SLSA,)))
    assert report.ok
    kinds = sorted(c.kind for c in report.images[0].checks)
    assert kinds == ["attestation", "signature"]
    assert not verify_refs(layout, [REF], _policy(signer, attestations=("x/y",))).ok


def test_attestation_by_an_untrusted_key_does_not_count(layout: Layout) -> None:
    signer, stranger = Signer.make(), Signer.make()
    subject = layout.resolve(REF)
    _legacy(layout, signer, subject)
    attach_attestation(layout, subject, envelope(stranger, statement(subject.digest, SLSA)))
    report = verify_refs(layout, [REF], _policy(signer, attestations=(SLSA,)))
    assert (
        not report.ok
        and "no valid https://slsa.dev/provenance/v1 attestation" in report.images[0].reason
    )


def test_index_or_each_platform(layout: Layout) -> None:
    from ocitui.core.models import Platform

    signer = Signer.make()
    amd = put_image(layout, {"x": b"1"})
    arm = put_image(layout, {"x": b"2"}, arch="arm64")
    put_index(layout, [(amd, "linux/amd64"), (arm, "linux/arm64")], ref=f"{REPO}:multi")
    index = layout.resolve(f"{REPO}:multi")
    _legacy(layout, signer, index)
    assert verify_refs(layout, [f"{REPO}:multi"], _policy(signer)).ok
    per = verify_refs(
        layout, [f"{REPO}:multi"], _policy(signer), platforms=[Platform.parse("linux/arm64")]
    )
    assert not per.ok and "the index is signed" in per.images[0].reason
    assert per.images[0].platform == "linux/arm64"
    _legacy(layout, signer, arm.descriptor())
    assert verify_refs(
        layout, [f"{REPO}:multi"], _policy(signer), platforms=[Platform.parse("linux/arm64")]
    ).ok


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"hello", "not a PEM public key"),
        (
            b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
            "not a usable public key",
        ),
        (b"-----BEGIN PRIVATE KEY-----\n", "is a private key"),
    ],
)
def test_key_files_that_are_not_keys(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "k.pem"
    path.write_bytes(content)
    with pytest.raises(VerifyError, match=reason):
        load_key_file(path)


def test_unknown_key_type_is_refused(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import dsa, ec

    for key in (
        dsa.generate_private_key(2048).public_key(),
        ec.generate_private_key(ec.SECP256K1()).public_key(),
    ):
        pem = key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        with pytest.raises(VerifyError, match="unsupported"):
            load_key_bytes(pem, "k.pub")


def test_verification_never_writes_to_the_layout(layout: Layout) -> None:
    signer = Signer.make()
    _legacy(layout, signer, layout.resolve(REF))
    before = _layout_state(layout)
    verify_refs(layout, [REF, f"{REPO}:other"], _policy(signer))
    assert _layout_state(layout) == before


def _layout_state(layout: Layout) -> dict[Path, int]:
    """Every file of the layout and its mtime, except the derived metadata index (a
    cache any read may fill; see ocitui.core.layout.metadata)."""
    return {
        p: p.stat().st_mtime_ns
        for p in layout.root.rglob("*")
        if not p.name.startswith(METADATA_NAME)
    }


def test_verdict_cache_is_keyed_by_what_is_attached(layout: Layout) -> None:
    from ocitui.core.verify.badges import VerdictCache

    signer = Signer.make()
    cache = VerdictCache(_policy(signer))
    subject = layout.resolve(REF)
    assert cache.verdict(layout, subject.digest, REF).badge is Badge.UNSIGNED
    _legacy(layout, signer, subject)  # A new signature: the cached verdict no longer applies.
    verdict = cache.verdict(layout, subject.digest, REF)
    assert verdict.badge is Badge.SIGNED
    assert cache.verdict(layout, subject.digest, REF) is verdict
    (holder,) = {c.source for c in verdict.checks}
    assert [c.passed for c in cache.checks_of(layout, subject.digest, REF, holder)] == [True]


@pytest.mark.parametrize(
    "content",
    [
        {"dsseEnvelope": {"payloadType": "x", "payload": "e30=", "signatures": [{"sig": "AA=="}]}},
        {"dsseEnvelope": {"payloadType": 1, "payload": [], "signatures": {}}},
        {"messageSignature": {"messageDigest": [], "signature": 5}},
        {"messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": "AA=="}}},
    ],
)
def test_hostile_bundle_shapes_are_verdicts_not_tracebacks(
    layout: Layout, content: dict[str, object]
) -> None:
    material = {"x509CertificateChain": {"certificates": 5}, "tlogEntries": [{"logId": []}]}
    attach_bundle(layout, layout.resolve(REF), bundle_json(material, **content))
    (check,) = verify_refs(layout, [REF], _policy(Signer.make())).images[0].checks
    assert not check.passed and check.reason

"""The look-inside parsers: SBOMs, in-toto/DSSE, signatures, configs, blobs (unit level)."""

from __future__ import annotations

import base64
import json

import pytest

from ocitui.core.errors import ManifestError
from ocitui.core.inside.attestation import parse_attestation
from ocitui.core.inside.blob import blob_view
from ocitui.core.inside.image import config_view
from ocitui.core.inside.sbom import parse_sbom
from ocitui.core.inside.signature import sigstore_bundle, simple_signing

DIGEST = "sha256:" + "ab" * 32


def test_spdx_packages_with_purl_and_licence() -> None:
    doc = {
        "spdxVersion": "SPDX-2.3",
        "name": "img",
        "creationInfo": {"creators": ["Tool: syft"]},
        "packages": [
            {
                "name": "openssl",
                "versionInfo": "3.0.1",
                "licenseConcluded": "NOASSERTION",
                "licenseDeclared": "Apache-2.0",
                "externalRefs": [
                    {"referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a"},
                    {"referenceType": "purl", "referenceLocator": "pkg:apk/openssl@3.0.1"},
                ],
            },
            {"name": "zlib"},
            "junk",
        ],
        "files": [{}, {}],
    }
    sbom = parse_sbom(json.dumps(doc).encode())
    assert sbom.format == "SPDX-2.3" and sbom.name == "img" and sbom.files == 2
    assert [(p.name, p.version, p.license, p.purl) for p in sbom.packages] == [
        ("openssl", "3.0.1", "Apache-2.0", "pkg:apk/openssl@3.0.1"),
        ("zlib", "", "", ""),
    ]
    assert [p.name for p in sbom.search("APK")] == ["openssl"]
    assert sbom.search("nothing") == []


def test_cyclonedx_nested_components_and_licence_forms() -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "metadata": {"component": {"name": "app"}, "tools": {"components": [{"name": "trivy"}]}},
        "components": [
            {
                "name": "a",
                "version": "1",
                "licenses": [{"license": {"id": "MIT"}}],
                "purl": "pkg:npm/a@1",
                "components": [{"name": "a-sub", "licenses": [{"expression": "MIT OR GPL-2.0"}]}],
            },
            {"name": "b", "version": "2"},
        ],
    }
    sbom = parse_sbom(json.dumps(doc).encode())
    assert sbom.format == "CycloneDX 1.5" and sbom.name == "app" and sbom.creators == ("trivy",)
    assert [(p.name, p.license) for p in sbom.packages] == [
        ("a", "MIT"),
        ("a-sub", "MIT OR GPL-2.0"),
        ("b", ""),
    ]


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"hello": 1}'])
def test_sbom_refuses_what_it_cannot_read(raw: bytes) -> None:
    with pytest.raises(ManifestError):
        parse_sbom(raw)


def _statement(predicate_type: str, predicate: dict[str, object]) -> dict[str, object]:
    return {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "r.io/app", "digest": {"sha256": "ab" * 32}}],
        "predicateType": predicate_type,
        "predicate": predicate,
    }


def test_dsse_envelope_with_slsa_v02_provenance() -> None:
    statement = _statement(
        "https://slsa.dev/provenance/v0.2",
        {
            "builder": {"id": "https://github.com/actions/runner"},
            "buildType": "https://github.com/Attestations/GitHubActionsWorkflow@v1",
            "invocation": {"configSource": {"uri": "git+https://github.com/o/r@refs/heads/main"}},
            "materials": [{"uri": "git+https://github.com/o/r", "digest": {"sha1": "c0ffee"}}],
        },
    )
    envelope = {
        "payloadType": "application/vnd.in-toto+json",
        "payload": base64.b64encode(json.dumps(statement).encode()).decode(),
        "signatures": [{"sig": "eA=="}, {"sig": "eQ=="}],
    }
    parsed = parse_attestation(json.dumps(envelope).encode())
    assert parsed.subjects == (("r.io/app", DIGEST),)
    assert parsed.signatures == 2
    assert parsed.provenance is not None
    assert parsed.provenance.builder == "https://github.com/actions/runner"
    assert parsed.provenance.source == "git+https://github.com/o/r@refs/heads/main"
    assert parsed.provenance.materials[0].digests == ("sha1:c0ffee",)


def test_bare_statement_other_predicate_keeps_the_predicate() -> None:
    parsed = parse_attestation(
        json.dumps(_statement("https://cyclonedx.org/vex", {"x": 1})).encode()
    )
    assert parsed.provenance is None and parsed.predicate == {"x": 1}
    assert parsed.signatures == 0


def test_envelope_with_bad_base64_is_an_error() -> None:
    with pytest.raises(ManifestError, match="base64"):
        parse_attestation(b'{"payloadType": "x", "payload": "!!!"}')


def test_simple_signing_reads_digest_reference_and_rekor_time() -> None:
    payload = json.dumps(
        {
            "critical": {
                "identity": {"docker-reference": "r.io/app"},
                "image": {"docker-manifest-digest": DIGEST},
                "type": "cosign container image signature",
            }
        }
    ).encode()
    rekor = json.dumps({"Payload": {"integratedTime": 1767225900}})
    view = simple_signing(
        payload,
        {"dev.cosignproject.cosign/signature": "c2ln", "dev.sigstore.cosign/bundle": rekor},
    )
    assert view.signed_digest == DIGEST and view.reference == "r.io/app"
    assert view.integrated_time == "2026-01-01T00:05:00Z"
    assert view.signer.key_hint == "public key (no certificate)"


def test_sigstore_bundle_message_signature_digest_and_key_hint() -> None:
    bundle = {
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": "my-key"}, "tlogEntries": []},
        "messageSignature": {
            "messageDigest": {
                "algorithm": "SHA2_256",
                "digest": base64.b64encode(bytes.fromhex("ab" * 32)).decode(),
            },
            "signature": "c2ln",
        },
    }
    view = sigstore_bundle(json.dumps(bundle).encode())
    assert view.form == "sigstore bundle v0.3"
    assert view.signed_digest == DIGEST
    assert view.signer.key_hint == "my-key" and view.integrated_time == ""


def test_config_view_skips_the_zero_time_and_splits_env() -> None:
    view = config_view(
        {
            "created": "0001-01-01T00:00:00Z",
            "os": "linux",
            "architecture": "arm64",
            "config": {"Env": ["A=1=2", "B"], "Labels": {"z": "1", "a": "2"}},
            "history": [{"created_by": "RUN x", "empty_layer": True}],
        }
    )
    assert dict(view.settings) == {"platform": "linux/arm64"}
    assert view.env == (("A", "1=2"), ("B", ""))
    assert view.labels == (("a", "2"), ("z", "1"))
    assert view.history[0].empty_layer


def test_blob_view_json_text_hex_and_truncation() -> None:
    assert blob_view(b'{"a":1}', 7).kind == "json"
    assert blob_view(b"hello\nworld", 11).kind == "text"
    binary = blob_view(bytes(range(32)), 32)
    assert binary.kind == "hex" and binary.text.startswith("00000000  00 01 02")
    head = blob_view(b'{"a":', 100)
    assert head.truncated and head.kind == "text"


def test_certificate_signer_names_what_verify_names() -> None:
    """The viewer reads a Fulcio-like certificate with the verifier's own functions."""
    from ocitui.core.inside.signature import certificate_signer
    from ocitui.core.verify.keyless import describe_certificate
    from tests.verify.pki import SigstorePKI, pem

    _, cert = SigstorePKI().leaf("dev@example.com", "https://issuer.example.com")
    data = pem(cert).encode()
    signer = certificate_signer(data)
    assert (signer.identity, signer.issuer) == ("dev@example.com", "https://issuer.example.com")
    assert describe_certificate(data) == "dev@example.com (https://issuer.example.com)"
    assert certificate_signer(b"not a certificate").note == (
        "certificate present but not valid X.509"
    )

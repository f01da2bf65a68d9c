"""sigstore-python as an oracle: on the same bundles and trusted root, it and ocitui agree.

ocitui implements the keyless checks itself (see ``ocitui/core/verify/keyless.py``); this
test makes sure the test PKI is faithful (sigstore-python accepts its good bundles) and
that both refuse the same bad ones.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.verify import Identity, Policy, Requirement, parse_trusted_root, verify_refs
from tests.support.builders import put_image
from tests.verify.material import attach_bundle, b64, bundle_json, envelope, statement
from tests.verify.pki import T0, SigstorePKI, dsse_body

if os.environ.get("OCITUI_REQUIRE_E2E") == "1":
    import sigstore  # noqa: F401  (CI installs the test extra: missing is a failure)
sigstore_verify = pytest.importorskip("sigstore.verify")
sigstore_models = pytest.importorskip("sigstore.models")

REF = "registry.example.com/team/app:1.0"
ISSUER = "https://oidc.example.com"


def _bundle(pki: SigstorePKI, digest: Digest, **leaf: Any) -> bytes:
    when = leaf.pop("when", T0 + timedelta(minutes=2))
    signer, cert = pki.leaf(**leaf)
    env = envelope(signer, statement(digest, "https://sigstore.dev/cosign/sign/v1"))
    material = {
        "certificate": {"rawBytes": b64(cert.public_bytes(serialization.Encoding.DER))},
        "tlogEntries": [pki.entry(dsse_body(env, cert), when)],
    }
    return bundle_json(material, dsseEnvelope=env)


def _sigstore_says(pki: SigstorePKI, raw: bytes, tmp_path: Path) -> bool:
    root_file = tmp_path / "trusted_root.json"
    root_file.write_bytes(pki.trusted_root())
    verifier = sigstore_verify.Verifier(
        trusted_root=sigstore_models.TrustedRoot.from_file(str(root_file))
    )
    identity = sigstore_verify.policy.Identity(identity="ci@example.com", issuer=ISSUER)
    try:
        verifier.verify_dsse(sigstore_models.Bundle.from_json(raw), identity)
    except Exception:  # Any refusal, whatever sigstore-python calls it.
        return False
    return True


def _ocitui_says(pki: SigstorePKI, raw: bytes, tmp_path: Path) -> bool:
    layout = Layout.open(tmp_path / "layout", create=True)
    put_image(layout, {"a": b"a"}, ref=REF)
    attach_bundle(layout, layout.resolve(REF), raw)
    requirement = Requirement(
        identities=(Identity("ci@example.com", None, ISSUER, None),),
        trusted_root=parse_trusted_root(pki.trusted_root()),
    )
    return verify_refs(layout, [REF], Policy.everything(requirement)).ok


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ({}, True),
        ({"issuer": "https://evil.example.com"}, False),
        ({"identity": "mallory@example.com"}, False),
        ({"when": T0 + timedelta(minutes=30)}, False),
        ({"sct": False}, False),
        ({"foreign_ca": True}, False),
    ],
)
def test_sigstore_python_and_ocitui_agree(
    tmp_path: Path, case: dict[str, Any], expected: bool
) -> None:
    pki = SigstorePKI()
    if case.pop("foreign_ca", False):
        other = SigstorePKI()
        case["ca"] = (other.intermediate, other.inter_key)
    # The digest the statement names: the image put_image makes in _ocitui_says.
    probe = Layout.open(tmp_path / "probe", create=True)
    digest = put_image(probe, {"a": b"a"}).digest
    raw = _bundle(pki, digest, **case)
    assert _sigstore_says(pki, raw, tmp_path) is expected
    assert _ocitui_says(pki, raw, tmp_path) is expected

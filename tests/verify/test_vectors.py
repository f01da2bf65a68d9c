"""Published Sigstore test vectors (see ``vectors/README.md``): a real keyless bundle
from Sigstore's staging instance, verified offline against its real trusted root."""

from __future__ import annotations

import json
from pathlib import Path

from ocitui.core.digest import Digest
from ocitui.core.verify import Identity, Requirement, parse_trusted_root
from ocitui.core.verify.check import check
from ocitui.core.verify.found import BUNDLE, Found
from ocitui.core.verify.model import SignatureCheck

VECTORS = Path(__file__).with_name("vectors")
SIGNER = Identity("william@yossarian.net", None, "https://github.com/login/oauth", None)


def _check(
    identity: Identity = SIGNER, *, root: bytes | None = None, data: bytes | None = None
) -> SignatureCheck:
    artifact = data if data is not None else (VECTORS / "bundle_v3_alt.txt").read_bytes()
    trusted = parse_trusted_root(root or (VECTORS / "staging_trusted_root.json").read_bytes())
    bundle = (VECTORS / "bundle_v3_alt.txt.sigstore").read_bytes()
    digest = Digest.of(artifact)
    requirement = Requirement(identities=(identity,), trusted_root=trusted)
    return check(Found(digest, BUNDLE, bundle), digest, artifact, requirement)


def test_real_staging_bundle_verifies_offline() -> None:
    result = _check()
    assert result.passed, result.reason
    assert result.signer == "william@yossarian.net (https://github.com/login/oauth)"
    assert result.time == "2024-04-02T19:20:16Z" and result.time_verified


def test_real_bundle_other_identity() -> None:
    result = _check(Identity(None, r".*@example\.com", None, r".*"))
    assert not result.passed and "not by a trusted identity" in result.reason


def test_real_bundle_over_other_bytes() -> None:
    result = _check(data=b"DO NOT MODIFY ME!\n")
    assert not result.passed and "not this image" in result.reason


def test_real_bundle_without_its_ct_log() -> None:
    root = json.loads((VECTORS / "staging_trusted_root.json").read_bytes())
    root["ctlogs"] = [log for log in root["ctlogs"] if "2022-2" not in log["baseUrl"]]
    result = _check(root=json.dumps(root).encode())
    assert not result.passed and "SCT" in result.reason


def test_real_bundle_against_another_ca() -> None:
    from tests.verify.pki import SigstorePKI

    ours = json.loads(SigstorePKI().trusted_root())
    root = json.loads((VECTORS / "staging_trusted_root.json").read_bytes())
    root["certificateAuthorities"] = ours["certificateAuthorities"]
    result = _check(root=json.dumps(root).encode())
    assert not result.passed and "does not chain" in result.reason

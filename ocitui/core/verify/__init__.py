"""Offline verification of signatures and attestations in a layout.

>>> policy = Policy.everything(Requirement(keys=(load_key_file(Path("cosign.pub")),)))
>>> report = verify_refs(layout, ["registry.example.com/app:1.0"], policy)

Formats: cosign simple signing (legacy ``.sig`` tags and cosign referrers), Sigstore
bundles v0.1-v0.3 (message signatures and DSSE), bare DSSE envelopes. Signers: PEM
public keys, or keyless certificates checked against a Sigstore ``trusted_root.json``.
Never touches the network; never writes to the layout.
"""

from ocitui.core.verify.engine import decide, signable_refs, verify_image, verify_refs
from ocitui.core.verify.keys import TrustedKey, load_key_bytes, load_key_file
from ocitui.core.verify.model import (
    ATTESTATION,
    SIGNATURE,
    Badge,
    ImageVerdict,
    SignatureCheck,
    Verdict,
    VerifyReport,
)
from ocitui.core.verify.roots import TrustedRoot, load_trusted_root, parse_trusted_root
from ocitui.core.verify.trust import Identity, Policy, Requirement, Rule

__all__ = [
    "ATTESTATION",
    "SIGNATURE",
    "Badge",
    "Identity",
    "ImageVerdict",
    "Policy",
    "Requirement",
    "Rule",
    "SignatureCheck",
    "TrustedKey",
    "TrustedRoot",
    "Verdict",
    "VerifyReport",
    "decide",
    "load_key_bytes",
    "load_key_file",
    "load_trusted_root",
    "parse_trusted_root",
    "signable_refs",
    "verify_image",
    "verify_refs",
]

"""Public keys to verify with: PEM files (ECDSA P-256/P-384/P-521, Ed25519, RSA), and raw
signature checks with the hash each key type uses in cosign and sigstore.

Every failure is a :class:`VerifyError` with one readable line; nothing here raises a
``cryptography`` exception to the caller.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from ocitui.core.errors import VerifyError

PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | rsa.RSAPublicKey

#: The hash cosign/sigstore pair with each ECDSA curve by default.
_CURVE_HASH: dict[str, type[hashes.HashAlgorithm]] = {
    "secp256r1": hashes.SHA256,
    "secp384r1": hashes.SHA384,
    "secp521r1": hashes.SHA512,
}
_MAX_KEY_FILE = 64 * 1024


@dataclass(frozen=True)
class TrustedKey:
    """A public key the user trusts, with a fingerprint to show as the signer."""

    key: PublicKey
    #: Where it came from (a file name), for messages.
    origin: str

    @property
    def fingerprint(self) -> str:
        """``SHA256:<hex>`` of the DER SubjectPublicKeyInfo (what ``cosign`` calls the key id)."""
        der = self.key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return "SHA256:" + hashlib.sha256(der).hexdigest()[:32]

    @property
    def algorithm(self) -> str:
        """A short name: ``ecdsa-p256``, ``ed25519``, ``rsa-2048`` ..."""
        return key_algorithm(self.key)

    def verifies(self, signature: bytes, data: bytes) -> bool:
        """True when ``signature`` is this key's signature over ``data``."""
        return verify_signature(self.key, signature, data)


def key_algorithm(key: PublicKey) -> str:
    """A short name for a key's algorithm."""
    if isinstance(key, ec.EllipticCurvePublicKey):
        return {"secp256r1": "ecdsa-p256", "secp384r1": "ecdsa-p384"}.get(
            key.curve.name, f"ecdsa-{key.curve.name}"
        )
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "ed25519"
    return f"rsa-{key.key_size}"


def as_public_key(key: object, origin: str) -> PublicKey:
    """``key`` if it is of a supported type; :class:`VerifyError` otherwise."""
    if isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.name not in _CURVE_HASH:
            raise VerifyError(f"{origin}: unsupported ECDSA curve {key.curve.name}")
        return key
    if isinstance(key, ed25519.Ed25519PublicKey | rsa.RSAPublicKey):
        return key
    raise VerifyError(f"{origin}: unsupported key type {type(key).__name__.lstrip('_')}")


def load_key_bytes(data: bytes, origin: str) -> TrustedKey:
    """Parse one PEM public key (or a certificate, whose key is used)."""
    if b"-----BEGIN" not in data:
        raise VerifyError(f"{origin}: not a PEM public key")
    if b"PRIVATE KEY" in data:
        raise VerifyError(f"{origin}: is a private key; give the public key")
    try:
        if b"BEGIN CERTIFICATE" in data:
            from cryptography import x509

            key: object = x509.load_pem_x509_certificate(data).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise VerifyError(f"{origin}: not a usable public key ({_why(exc)})") from None
    return TrustedKey(as_public_key(key, origin), origin)


def load_key_file(path: Path) -> TrustedKey:
    """Read and parse a PEM public key file."""
    try:
        with path.open("rb") as handle:
            data = handle.read(_MAX_KEY_FILE + 1)
    except OSError as exc:
        raise VerifyError(f"{path}: cannot read key file: {exc.strerror}") from None
    if len(data) > _MAX_KEY_FILE:
        raise VerifyError(f"{path}: over {_MAX_KEY_FILE} bytes; not a key file")
    return load_key_bytes(data, str(path))


def verify_signature(key: PublicKey, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` verifies over ``data`` with ``key``.

    ECDSA: DER signatures with the curve's hash (SHA-256 also accepted, which cosign uses
    for every curve when signing with ``--key``). RSA: PKCS#1 v1.5 or PSS over SHA-256.
    Ed25519: pure Ed25519.
    """
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            algorithms: list[type[hashes.HashAlgorithm]] = [_CURVE_HASH[key.curve.name]]
            if hashes.SHA256 not in algorithms:
                algorithms.append(hashes.SHA256)
            return any(_ecdsa(key, signature, data, a()) for a in algorithms)
        if isinstance(key, ed25519.Ed25519PublicKey):
            return _try(lambda: key.verify(signature, data))
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
        return _try(
            lambda: key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        ) or _try(lambda: key.verify(signature, data, pss, hashes.SHA256()))
    except (ValueError, TypeError):
        return False


def _ecdsa(
    key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes, algorithm: hashes.HashAlgorithm
) -> bool:
    try:
        key.verify(signature, data, ec.ECDSA(algorithm))
    except (InvalidSignature, ValueError):
        return False
    return True


def _try(check: Callable[[], object]) -> bool:
    try:
        check()
    except (InvalidSignature, ValueError):
        return False
    return True


def _why(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]

"""A Sigstore ``trusted_root.json``, read offline: the certificate authorities (Fulcio),
the transparency logs (Rekor) and the certificate-transparency logs, with their keys and
validity windows. Nothing is fetched: the file is the whole trust.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from ocitui.core.errors import VerifyError
from ocitui.core.text_safety import shown
from ocitui.core.verify.envelope import Malformed, b64decode, load_json_object
from ocitui.core.verify.keys import PublicKey, as_public_key

_MAX_ROOT_FILE = 4 * 1024 * 1024


@dataclass(frozen=True)
class Window:
    """A validity window; ``end`` ``None`` means still valid."""

    start: datetime | None
    end: datetime | None

    def contains(self, when: datetime) -> bool:
        """True when ``when`` falls inside the window."""
        return (self.start is None or self.start <= when) and (self.end is None or when <= self.end)


@dataclass(frozen=True)
class LogKey:
    """A transparency or CT log: its key id (sha256 of the DER key) and public key."""

    key_id: bytes
    key: PublicKey
    window: Window


@dataclass(frozen=True)
class Authority:
    """A certificate authority: its chain, leaf-side (intermediate) first, root last."""

    chain: tuple[x509.Certificate, ...]
    window: Window


@dataclass(frozen=True)
class TrustedRoot:
    """Everything a ``trusted_root.json`` says to trust."""

    authorities: tuple[Authority, ...]
    tlogs: tuple[LogKey, ...]
    ctlogs: tuple[LogKey, ...]
    origin: str = "trusted root"

    def tlog(self, key_id: bytes) -> LogKey | None:
        """The transparency log with ``key_id``."""
        return next((log for log in self.tlogs if log.key_id == key_id), None)

    def ctlog(self, key_id: bytes) -> LogKey | None:
        """The CT log with ``key_id``."""
        return next((log for log in self.ctlogs if log.key_id == key_id), None)


def load_trusted_root(path: Path) -> TrustedRoot:
    """Read and parse a ``trusted_root.json`` file; :class:`VerifyError` when unusable."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(_MAX_ROOT_FILE + 1)
    except OSError as exc:
        raise VerifyError(f"{path}: cannot read trusted root: {exc.strerror}") from None
    if len(raw) > _MAX_ROOT_FILE:
        raise VerifyError(f"{path}: over {_MAX_ROOT_FILE} bytes; not a trusted root")
    try:
        return parse_trusted_root(raw, str(path))
    except Malformed as exc:
        raise VerifyError(f"{path}: {exc}") from None


def parse_trusted_root(raw: bytes, origin: str = "trusted root") -> TrustedRoot:
    """Parse ``trusted_root.json`` bytes; :class:`Malformed` on anything unusable."""
    data = load_json_object(raw, "trusted root")
    media_type = data.get("mediaType", "")
    if not isinstance(media_type, str) or "trustedroot" not in media_type:
        raise Malformed(f"not a Sigstore trusted root (mediaType {shown(media_type)})")
    authorities = tuple(_authority(a) for a in _objects(data, "certificateAuthorities"))
    tlogs = tuple(log for t in _objects(data, "tlogs") if (log := _log(t, "tlog")))
    ctlogs = tuple(log for t in _objects(data, "ctlogs") if (log := _log(t, "ctlog")))
    if not authorities and not tlogs:
        raise Malformed("trusted root names no certificate authority and no log")
    return TrustedRoot(authorities, tlogs, ctlogs, origin)


def _objects(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise Malformed(f"trusted root {key} is not a list of objects")
    return value


def _window(data: object) -> Window:
    if not isinstance(data, dict):
        return Window(None, None)
    return Window(_time(data.get("start")), _time(data.get("end")))


def _time(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Malformed("trusted root validFor time is not a string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Malformed(f"trusted root validFor time {shown(value)} is not RFC 3339") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _authority(data: dict[str, Any]) -> Authority:
    chain = data.get("certChain")
    certs = chain.get("certificates") if isinstance(chain, dict) else None
    if not isinstance(certs, list) or not certs:
        raise Malformed("trusted root certificate authority has no certChain")
    parsed = []
    for cert in certs:
        der = b64decode(cert.get("rawBytes") if isinstance(cert, dict) else None, "CA cert")
        try:
            parsed.append(x509.load_der_x509_certificate(der))
        except ValueError:
            raise Malformed("trusted root CA certificate is not DER X.509") from None
    return Authority(tuple(parsed), _window(data.get("validFor")))


def _log(data: dict[str, Any], what: str) -> LogKey | None:
    """A log's key; ``None`` for a key type ocitui cannot use (that log then vouches for
    nothing, which is the safe side; the other logs of the root still count)."""
    key = data.get("publicKey")
    if not isinstance(key, dict):
        raise Malformed(f"trusted root {what} has no publicKey")
    der = b64decode(key.get("rawBytes"), f"{what} public key")
    try:
        public = as_public_key(serialization.load_der_public_key(der), f"{what} key")
    except (ValueError, VerifyError, UnsupportedAlgorithm):
        return None
    log_id = data.get("logId")
    key_id = b64decode(log_id.get("keyId"), f"{what} keyId") if isinstance(log_id, dict) else b""
    return LogKey(key_id or hashlib.sha256(der).digest(), public, _window(key.get("validFor")))

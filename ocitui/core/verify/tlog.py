"""Transparency-log evidence, checked offline against the trusted root's log keys.

- the signed entry timestamp (SET): the log's signature over the entry's canonical
  ``{body, integratedTime, logID, logIndex}``, which proves the entry time;
- the inclusion proof: the RFC 6962 audit path from the entry's leaf hash to the root
  hash, and the checkpoint (a signed note) committing the log to that root;
- cosign's legacy ``dev.sigstore.cosign/bundle`` annotation (a SET and its payload).

And that the entry is about *this* signature: its body carries the same signature bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ocitui.core.verify.envelope import Failed, Malformed, b64decode
from ocitui.core.verify.keys import verify_signature
from ocitui.core.verify.roots import LogKey, TrustedRoot

_MAX_PROOF_HASHES = 64


@dataclass(frozen=True)
class LogEntry:
    """A verified log entry: its body and the (SET-proven) time it was integrated."""

    body: bytes
    integrated_time: int
    log_index: int


def _int(value: object, what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise Malformed(f"log entry {what} is not an integer")


def _set_payload(body_b64: str, integrated_time: int, log_id: bytes, log_index: int) -> bytes:
    payload = {
        "body": body_b64,
        "integratedTime": integrated_time,
        "logID": log_id.hex(),
        "logIndex": log_index,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def _log(root: TrustedRoot, key_id: bytes) -> LogKey:
    log = root.tlog(key_id)
    if log is None:
        raise Failed(
            f"log entry is from a log the trusted root does not name ({key_id.hex()[:16]})"
        )
    return log


def verify_entry(entry: dict[str, Any], root: TrustedRoot) -> LogEntry:
    """Check a bundle ``tlogEntries`` item: SET, inclusion proof and checkpoint when present.

    At least one of SET and inclusion proof must be there; the time counts as proven
    only with a SET.
    """
    log_id = entry.get("logId")
    key_id = b64decode(log_id.get("keyId") if isinstance(log_id, dict) else None, "log id")
    log = _log(root, key_id)
    body_b64 = entry.get("canonicalizedBody")
    body = b64decode(body_b64, "log entry body")
    assert isinstance(body_b64, str)
    log_index = _int(entry.get("logIndex"), "logIndex")
    integrated = _int(entry.get("integratedTime"), "integratedTime")
    promise = entry.get("inclusionPromise")
    proof = entry.get("inclusionProof")
    if not isinstance(promise, dict) and not isinstance(proof, dict):
        raise Failed("log entry has neither a signed entry timestamp nor an inclusion proof")
    if isinstance(proof, dict):
        _verify_inclusion(proof, body, log)
    if not isinstance(promise, dict):
        raise Failed("log entry has no signed entry timestamp; its time is not proven")
    signature = b64decode(promise.get("signedEntryTimestamp"), "signed entry timestamp")
    if not verify_signature(
        log.key, signature, _set_payload(body_b64, integrated, key_id, log_index)
    ):
        raise Failed("signed entry timestamp does not verify with the log's key")
    _in_window(log, integrated)
    return LogEntry(body, integrated, log_index)


def verify_legacy(bundle: dict[str, Any], root: TrustedRoot) -> LogEntry:
    """Check cosign's ``dev.sigstore.cosign/bundle`` annotation (SET + payload)."""
    payload = bundle.get("Payload")
    if not isinstance(payload, dict):
        raise Malformed("Rekor bundle annotation has no Payload")
    body_b64 = payload.get("body")
    body = b64decode(body_b64, "Rekor bundle body")
    assert isinstance(body_b64, str)
    log_id_hex = payload.get("logID")
    try:
        key_id = bytes.fromhex(log_id_hex) if isinstance(log_id_hex, str) else b""
    except ValueError:
        raise Malformed("Rekor bundle logID is not hex") from None
    log = _log(root, key_id)
    integrated = _int(payload.get("integratedTime"), "integratedTime")
    log_index = _int(payload.get("logIndex"), "logIndex")
    signature = b64decode(bundle.get("SignedEntryTimestamp"), "SignedEntryTimestamp")
    if not verify_signature(
        log.key, signature, _set_payload(body_b64, integrated, key_id, log_index)
    ):
        raise Failed("Rekor bundle's signed entry timestamp does not verify with the log's key")
    _in_window(log, integrated)
    return LogEntry(body, integrated, log_index)


def _in_window(log: LogKey, integrated: int) -> None:
    """The trusted root trusts a log key only for its validity window."""
    if not log.window.contains(datetime.fromtimestamp(integrated, UTC)):
        raise Failed("log entry time is outside the log key's validity in the trusted root")


def _verify_inclusion(proof: dict[str, Any], body: bytes, log: LogKey) -> None:
    index = _int(proof.get("logIndex"), "inclusion proof logIndex")
    size = _int(proof.get("treeSize"), "inclusion proof treeSize")
    root_hash = b64decode(proof.get("rootHash"), "inclusion proof rootHash")
    hashes = proof.get("hashes") or []
    if not isinstance(hashes, list) or len(hashes) > _MAX_PROOF_HASHES:
        raise Malformed("inclusion proof hashes are not a (short) list")
    path = [b64decode(h, "inclusion proof hash") for h in hashes]
    leaf = hashlib.sha256(b"\x00" + body).digest()
    if root_from_proof(index, size, leaf, path) != root_hash:
        raise Failed("inclusion proof does not lead to the log's root hash")
    checkpoint = proof.get("checkpoint")
    envelope = checkpoint.get("envelope") if isinstance(checkpoint, dict) else None
    if not isinstance(envelope, str):
        raise Failed("inclusion proof has no checkpoint")
    _verify_checkpoint(envelope, size, root_hash, log)


def root_from_proof(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    """The Merkle root an RFC 6962/9162 inclusion proof leads to (:class:`Failed` if invalid)."""
    if index >= size or index < 0:
        raise Failed("inclusion proof index is outside the tree")
    node, last, result = index, size - 1, leaf
    for sibling in path:
        if last == 0:
            raise Failed("inclusion proof is longer than the tree is deep")
        if node % 2 == 1 or node == last:
            result = hashlib.sha256(b"\x01" + sibling + result).digest()
            if node % 2 == 0:
                while node % 2 == 0 and node != 0:
                    node >>= 1
                    last >>= 1
        else:
            result = hashlib.sha256(b"\x01" + result + sibling).digest()
        node >>= 1
        last >>= 1
    if last != 0:
        raise Failed("inclusion proof is shorter than the tree is deep")
    return result


def _verify_checkpoint(envelope: str, size: int, root_hash: bytes, log: LogKey) -> None:
    """A signed note: ``origin\\nsize\\nroot\\n[extensions]\\n\\n— name base64(hint+sig)``."""
    text, sep, signatures = envelope.partition("\n\n")
    if not sep:
        raise Malformed("checkpoint is not a signed note")
    lines = text.split("\n")
    if len(lines) < 3 or not lines[1].isdigit():
        raise Malformed("checkpoint body is malformed")
    if int(lines[1]) != size or b64decode(lines[2], "checkpoint root") != root_hash:
        raise Failed("checkpoint does not commit to the inclusion proof's tree")
    signed = (text + "\n").encode()
    for line in signatures.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014":
            continue
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except ValueError:
            continue
        if raw[:4] == log.key_id[:4] and verify_signature(log.key, raw[4:], signed):
            return
    raise Failed("checkpoint is not signed by the log's key")

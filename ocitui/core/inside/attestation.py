"""in-toto statements, bare or in a DSSE envelope (or a sigstore bundle's envelope), read
into what a person checks: the subjects, the predicate type, and for SLSA provenance
(v0.2 and v1) the builder, build type, source and materials."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from ocitui.core.errors import ManifestError
from ocitui.core.models import load_json

DSSE_TYPE = "application/vnd.dsse.envelope.v1+json"
INTOTO_TYPE = "application/vnd.in-toto+json"


@dataclass(frozen=True)
class Material:
    """A source or dependency the build used: ``uri`` and its digests (``alg:value``)."""

    uri: str
    digests: tuple[str, ...] = ()


@dataclass(frozen=True)
class Provenance:
    """The SLSA fields worth a glance (``""`` where absent)."""

    builder: str = ""
    build_type: str = ""
    source: str = ""
    invocation: str = ""
    started: str = ""
    finished: str = ""
    materials: tuple[Material, ...] = ()


@dataclass(frozen=True)
class Statement:
    """An in-toto statement: ``subjects`` as ``(name, alg:digest)``; ``signatures`` counts
    the envelope's signatures (0 for a bare statement)."""

    statement_type: str
    predicate_type: str
    subjects: tuple[tuple[str, str], ...]
    payload_type: str = ""
    signatures: int = 0
    provenance: Provenance | None = None
    predicate: dict[str, Any] = field(default_factory=dict)


def _b64(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise ManifestError(f"{what} is missing")
    try:
        if "-" in value or "_" in value:
            return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ManifestError(f"{what} is not valid base64") from None


def _digests(value: object) -> tuple[str, ...]:
    if not isinstance(value, dict):
        return ()
    return tuple(f"{alg}:{digest}" for alg, digest in sorted(value.items()))


def _get(data: object, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _materials(items: object, uri_key: str) -> tuple[Material, ...]:
    if not isinstance(items, list):
        return ()
    return tuple(
        Material(str(item.get(uri_key) or item.get("name") or ""), _digests(item.get("digest")))
        for item in items
        if isinstance(item, dict)
    )


def provenance(predicate_type: str, predicate: dict[str, Any]) -> Provenance | None:
    """SLSA provenance fields, v1 (``buildDefinition``/``runDetails``) or v0.2."""
    if "slsa.dev/provenance/v1" in predicate_type:
        params = _get(predicate, "buildDefinition", "externalParameters")
        source = _get(params, "source") or _get(params, "workflow", "repository") or ""
        if isinstance(source, dict):
            source = source.get("uri") or ""
        return Provenance(
            builder=str(_get(predicate, "runDetails", "builder", "id") or ""),
            build_type=str(_get(predicate, "buildDefinition", "buildType") or ""),
            source=str(source),
            invocation=str(_get(predicate, "runDetails", "metadata", "invocationId") or ""),
            started=str(_get(predicate, "runDetails", "metadata", "startedOn") or ""),
            finished=str(_get(predicate, "runDetails", "metadata", "finishedOn") or ""),
            materials=_materials(_get(predicate, "buildDefinition", "resolvedDependencies"), "uri"),
        )
    if "slsa.dev/provenance/v0" in predicate_type:
        return Provenance(
            builder=str(_get(predicate, "builder", "id") or ""),
            build_type=str(predicate.get("buildType") or ""),
            source=str(_get(predicate, "invocation", "configSource", "uri") or ""),
            started=str(_get(predicate, "metadata", "buildStartedOn") or ""),
            finished=str(_get(predicate, "metadata", "buildFinishedOn") or ""),
            materials=_materials(predicate.get("materials"), "uri"),
        )
    return None


def statement_from(
    data: dict[str, Any], *, payload_type: str = "", signatures: int = 0
) -> Statement:
    """Read a decoded in-toto statement object."""
    subjects = tuple(
        (str(s.get("name") or ""), ", ".join(_digests(s.get("digest"))))
        for s in data.get("subject") or []
        if isinstance(s, dict)
    )
    predicate_type = str(data.get("predicateType") or "")
    predicate = data.get("predicate") if isinstance(data.get("predicate"), dict) else {}
    return Statement(
        str(data.get("_type") or ""),
        predicate_type,
        subjects,
        payload_type,
        signatures,
        provenance(predicate_type, predicate or {}),
        predicate or {},
    )


def envelope_statement(envelope: dict[str, Any]) -> Statement:
    """A DSSE envelope's statement (the signatures are counted, not checked here)."""
    payload_type = str(envelope.get("payloadType") or "")
    payload = _b64(envelope.get("payload"), "DSSE payload")
    signatures = envelope.get("signatures")
    count = len(signatures) if isinstance(signatures, list) else 0
    return statement_from(
        load_json(payload, "DSSE payload"), payload_type=payload_type, signatures=count
    )


def parse_attestation(raw: bytes) -> Statement:
    """A DSSE envelope, a sigstore bundle holding one, or a bare in-toto statement."""
    data = load_json(raw, "attestation")
    if isinstance(data.get("dsseEnvelope"), dict):
        return envelope_statement(data["dsseEnvelope"])
    if "payload" in data and "payloadType" in data:
        return envelope_statement(data)
    if "predicateType" in data or "_type" in data:
        return statement_from(data)
    raise ManifestError("not an in-toto statement or DSSE envelope")


__all__ = [
    "DSSE_TYPE",
    "INTOTO_TYPE",
    "Material",
    "Provenance",
    "Statement",
    "envelope_statement",
    "parse_attestation",
    "provenance",
    "statement_from",
]

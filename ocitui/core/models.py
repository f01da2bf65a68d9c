"""Frozen data types for descriptors, platforms, manifests and indexes.

Manifests and indexes keep the exact bytes they were parsed from (``raw``): fetched
content is never re-serialised, because re-encoding changes its digest. Parsing validates
every descriptor (digest grammar, non-negative size, media-type grammar) and refuses the
type-confusion shapes of CVE-2021-41190.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ocitui.core import jsonsafe
from ocitui.core import media_types as mt
from ocitui.core.bulk import build_frozen
from ocitui.core.digest import Digest, verify_bytes
from ocitui.core.errors import InvalidDigest, InvalidPlatform, ManifestError
from ocitui.core.text_safety import shown

#: Default cap for manifests, indexes, referrers responses and the like (distribution's).
MAX_MANIFEST_SIZE = 4 * 1024 * 1024


@dataclass(frozen=True, order=True)
class Platform:
    """An OCI platform: ``os/architecture[/variant]`` plus optional OS details."""

    os: str
    architecture: str
    variant: str | None = None
    os_version: str | None = None
    os_features: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Platform:
        """Parse ``linux/arm64/v8`` (also accepts ``linux/arm64/v8:os.version``)."""
        parts = text.strip().split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise InvalidPlatform(f"invalid platform {text!r}: expected os/arch[/variant]")
        return cls(parts[0], parts[1], parts[2] if len(parts) == 3 else None)

    @classmethod
    def from_json(cls, data: object) -> Platform:
        """Build from an index entry's ``platform`` object."""
        if not isinstance(data, dict):
            raise ManifestError("platform must be an object")
        os_, arch = data.get("os"), data.get("architecture")
        if not isinstance(os_, str) or not isinstance(arch, str):
            raise ManifestError("platform needs string os and architecture")
        variant = data.get("variant")
        os_version = data.get("os.version")
        features = data.get("os.features") or []
        return cls(
            os_,
            arch,
            variant if isinstance(variant, str) and variant else None,
            os_version if isinstance(os_version, str) else None,
            tuple(f for f in features if isinstance(f, str)) if isinstance(features, list) else (),
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON object form."""
        out: dict[str, Any] = {"architecture": self.architecture, "os": self.os}
        if self.os_version:
            out["os.version"] = self.os_version
        if self.os_features:
            out["os.features"] = list(self.os_features)
        if self.variant:
            out["variant"] = self.variant
        return out

    def matches(self, wanted: Platform) -> bool:
        """True when this platform satisfies ``wanted`` (a missing variant matches any)."""
        if (self.os, self.architecture) != (wanted.os, wanted.architecture):
            return False
        return wanted.variant is None or self.variant == wanted.variant

    @property
    def is_unknown(self) -> bool:
        """True for buildkit's ``unknown/unknown`` attestation entries."""
        return self.os == "unknown" and self.architecture == "unknown"

    def __str__(self) -> str:
        text = f"{self.os}/{self.architecture}"
        return f"{text}/{self.variant}" if self.variant else text


def _all_strings(mapping: dict[Any, Any]) -> bool:
    """True when every key and value is a string (``str.join`` checks in C: every
    ``index.json`` entry's annotations pass here)."""
    try:
        "".join(mapping)
        "".join(mapping.values())
    except TypeError:
        return False
    return True


#: The descriptor fields we model; anything else is kept in ``extra``.
_KNOWN_FIELDS = frozenset(
    ("mediaType", "digest", "size", "annotations", "artifactType", "platform", "urls", "data")
)
#: The fields of a plain entry (what :meth:`Descriptor.from_json_many` builds itself).
_PLAIN_FIELDS = frozenset(("mediaType", "digest", "size", "annotations", "artifactType"))


@dataclass(frozen=True)
class Descriptor:
    """A content descriptor. ``extra`` keeps unknown fields so nothing is lost on rewrite."""

    media_type: str
    digest: Digest
    size: int
    annotations: dict[str, str] = field(default_factory=dict, compare=False)
    artifact_type: str | None = None
    platform: Platform | None = None
    urls: tuple[str, ...] = ()
    data: bytes | None = field(default=None, compare=False)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_json(cls, obj: object, *, where: str = "descriptor") -> Descriptor:
        """Validate and build a descriptor; raise :class:`ManifestError` naming ``where``."""
        if not isinstance(obj, dict):
            raise ManifestError(f"{where}: must be an object")
        media_type = obj.get("mediaType")
        if not mt.is_valid_media_type(media_type):
            raise ManifestError(f"{where}: invalid mediaType {shown(media_type)}")
        try:
            digest = Digest.parse(obj.get("digest"))
        except InvalidDigest as exc:
            raise ManifestError(f"{where}: {exc}") from None
        size = obj.get("size")
        if (
            size.__class__ is not int and (isinstance(size, bool) or not isinstance(size, int))
        ) or (size < 0):
            raise ManifestError(f"{where}: size must be a non-negative integer, got {shown(size)}")
        annotations = obj.get("annotations") or {}
        if annotations and (not isinstance(annotations, dict) or not _all_strings(annotations)):
            raise ManifestError(f"{where}: annotations must map strings to strings")
        artifact_type = obj.get("artifactType")
        if artifact_type is not None and not mt.is_valid_media_type(artifact_type):
            raise ManifestError(f"{where}: invalid artifactType {shown(artifact_type)}")
        platform = Platform.from_json(obj["platform"]) if obj.get("platform") else None
        urls = obj.get("urls") or []
        if urls and (not isinstance(urls, list) or not all(isinstance(u, str) for u in urls)):
            raise ManifestError(f"{where}: urls must be a list of strings")
        data = None
        if obj.get("data") is not None:
            try:
                data = base64.b64decode(obj["data"], validate=True)
            except (binascii.Error, TypeError, ValueError):
                raise ManifestError(f"{where}: data is not valid base64") from None
            try:
                verify_bytes(data, digest, size)
            except Exception as exc:
                raise ManifestError(f"{where}: embedded data does not match: {exc}") from None
        extra = (
            {}
            if obj.keys() <= _KNOWN_FIELDS
            else {k: v for k, v in obj.items() if k not in _KNOWN_FIELDS}
        )
        return build_frozen(
            cls,
            {
                "media_type": str(media_type),
                "digest": digest,
                "size": size,
                "annotations": dict(annotations),
                "artifact_type": artifact_type,
                "platform": platform,
                "urls": tuple(urls),
                "data": data,
                "extra": extra,
            },
        )

    @classmethod
    def from_json_many(cls, items: Sequence[object]) -> list[Descriptor]:
        """``[Descriptor.from_json(item) for item in items]``, the plain entries built in
        one loop (every entry of a big ``index.json`` passes here).

        An entry with only ``mediaType``, ``digest``, ``size``, ``annotations`` and
        ``artifactType``, whose media types were already found valid
        (:data:`~ocitui.core.media_types.VALID_SEEN`), whose size is an ``int`` and whose
        annotations are a string map, is built here; any other entry, and any doubt, is
        :meth:`from_json`'s to decide (the same descriptor or the same error).
        """
        seen = mt.VALID_SEEN
        plain = _PLAIN_FIELDS
        parse = Digest.parse
        out: list[Descriptor] = []
        append = out.append
        for obj in items:
            if type(obj) is dict and obj.keys() <= plain:
                media_type = obj.get("mediaType")
                size = obj.get("size")
                annotations = obj.get("annotations") or {}
                artifact_type = obj.get("artifactType")
                if (
                    media_type.__class__ is str
                    and media_type in seen
                    and size.__class__ is int
                    and size >= 0
                    and annotations.__class__ is dict
                    and _all_strings(annotations)
                    and (
                        artifact_type is None
                        or (artifact_type.__class__ is str and artifact_type in seen)
                    )
                ):
                    try:
                        digest = parse(obj.get("digest"))
                    except InvalidDigest:
                        pass  # from_json words the error.
                    else:
                        append(
                            build_frozen(
                                cls,
                                {
                                    "media_type": media_type,
                                    "digest": digest,
                                    "size": size,
                                    "annotations": dict(annotations),
                                    "artifact_type": artifact_type,
                                    "platform": None,
                                    "urls": (),
                                    "data": None,
                                    "extra": {},
                                },
                            )
                        )
                        continue
            append(cls.from_json(obj))
        return out

    def to_json(self) -> dict[str, Any]:
        """The JSON object form, fields in the conventional order."""
        out: dict[str, Any] = {"mediaType": self.media_type}
        if self.artifact_type:
            out["artifactType"] = self.artifact_type
        out["digest"] = str(self.digest)
        out["size"] = self.size
        if self.urls:
            out["urls"] = list(self.urls)
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        if self.data is not None:
            out["data"] = base64.b64encode(self.data).decode()
        if self.platform is not None:
            out["platform"] = self.platform.to_json()
        out.update(self.extra)
        return out

    @property
    def is_foreign_layer(self) -> bool:
        """A non-distributable layer with ``urls``: fetched from its URLs, not a registry.

        Pulls leave it out (registries usually do not hold it), so a layout without its
        blob is complete: ``fsck``, ``export`` and ``import`` do not ask for it.
        """
        return bool(self.urls) and self.media_type in mt.NON_DISTRIBUTABLE_LAYERS

    def with_changes(self, **changes: Any) -> Descriptor:
        """A copy with some fields replaced."""
        from dataclasses import replace

        return replace(self, **changes)

    @property
    def ref_name(self) -> str | None:
        """The ``org.opencontainers.image.ref.name`` annotation, if any."""
        return self.annotations.get(REF_NAME)

    @property
    def is_manifest_like(self) -> bool:
        """True when this descriptor points at a manifest or an index."""
        return self.media_type in mt.MANIFEST_LIKE


REF_NAME = "org.opencontainers.image.ref.name"
#: On a tagged index entry whose children are only partly in the layout: the platforms
#: a filtered pull kept (fsck tells this sparse-by-design from broken).
PLATFORMS_ANNOTATION = "dev.ocitui.platforms"
CREATED = "org.opencontainers.image.created"


class _RawDocument:
    """What manifests and indexes share: identity comes from the exact bytes."""

    raw: bytes
    media_type: str

    @cached_property
    def digest(self) -> Digest:
        """The sha256 digest of the exact bytes (computed once)."""
        return Digest.of(self.raw)

    def descriptor(self, **extra: Any) -> Descriptor:
        """A descriptor for this document (mediaType, digest, size) plus ``extra`` fields."""
        return Descriptor(self.media_type, self.digest, len(self.raw), **extra)


@dataclass(frozen=True)
class Manifest(_RawDocument):
    """An image manifest (OCI or Docker v2), with its exact bytes."""

    raw: bytes = field(repr=False)
    media_type: str
    config: Descriptor
    layers: tuple[Descriptor, ...]
    subject: Descriptor | None = None
    annotations: dict[str, str] = field(default_factory=dict, compare=False)
    artifact_type: str | None = None
    doc: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def effective_artifact_type(self) -> str:
        """``artifactType``, else ``config.mediaType``."""
        return self.artifact_type or self.config.media_type

    def children(self) -> tuple[Descriptor, ...]:
        """Config then layers: every blob this manifest needs (subject excluded)."""
        return (self.config, *self.layers)


@dataclass(frozen=True)
class Index(_RawDocument):
    """An image index (OCI) or manifest list (Docker), with its exact bytes."""

    raw: bytes = field(repr=False)
    media_type: str
    manifests: tuple[Descriptor, ...]
    subject: Descriptor | None = None
    annotations: dict[str, str] = field(default_factory=dict, compare=False)
    artifact_type: str | None = None
    doc: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def effective_artifact_type(self) -> str | None:
        """``artifactType`` only: indexes have no config to fall back to."""
        return self.artifact_type

    def children(self) -> tuple[Descriptor, ...]:
        """The listed manifests."""
        return self.manifests

    @property
    def platforms(self) -> tuple[Platform, ...]:
        """Runnable platforms listed (buildkit attestation entries excluded)."""
        return tuple(
            d.platform
            for d in self.manifests
            if d.platform is not None and not d.platform.is_unknown
        )


Document = Manifest | Index


def load_json(raw: bytes, what: str = "document") -> dict[str, Any]:
    """Decode a JSON object, with a one-line error for anything else."""
    try:
        doc = jsonsafe.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ManifestError(f"{what} must be a JSON object")
    return doc


#: The fields of a manifest or index, and of a descriptor (by their lower-case spelling),
#: that Go's ``encoding/json`` (what docker, containerd, crane, oras, regctl and skopeo
#: decode with) also matches case-insensitively: ``"Layers"`` fills their ``layers``.
#: Python's ``json`` does not.
_DOC_FIELDS = {
    name.lower(): name
    for name in (
        "schemaVersion",
        "mediaType",
        "artifactType",
        "config",
        "layers",
        "manifests",
        "subject",
        "annotations",
    )
}
_DESCRIPTOR_FIELDS = {
    name.lower(): name
    for name in (
        "mediaType",
        "digest",
        "size",
        "urls",
        "annotations",
        "data",
        "artifactType",
        "platform",
    )
}


def refuse_case_variants(obj: object, fields: dict[str, str], where: str) -> None:
    """Refuse a key that differs from one of ``fields`` only in case.

    ``{"layers": [A], "Layers": []}`` is an image with layer A here and with no layers
    for Go-based tools (the later key wins there): one digest, two meanings. Such a
    document is refused rather than read one way (exact duplicate keys need no check:
    the last one wins in both).
    """
    if not isinstance(obj, dict):
        return
    for key in obj:
        canonical = fields.get(key.lower())
        if canonical is not None and canonical != key:
            raise ManifestError(
                f"{where}key {shown(key)} differs from '{canonical}' only in case "
                f"(Go-based tools read it as '{canonical}'): refusing the ambiguous document"
            )


def parse_document(
    raw: bytes,
    expected_media_type: str | None = None,
    *,
    max_size: int = MAX_MANIFEST_SIZE,
) -> Document:
    """Parse a manifest or index from its exact bytes.

    ``expected_media_type`` is the type we were told (a parent descriptor or a
    ``Content-Type``); a document that declares another type is refused. Documents of
    a media type we do not know raise :class:`ManifestError` so callers can carry them
    as opaque blobs.
    """
    if len(raw) > max_size:
        raise ManifestError(f"manifest is {len(raw)} bytes, over the {max_size}-byte limit")
    doc = load_json(raw, "manifest")
    refuse_case_variants(doc, _DOC_FIELDS, "")
    for key in ("config", "subject"):
        refuse_case_variants(doc.get(key), _DESCRIPTOR_FIELDS, f"{key}: ")
    for key in ("layers", "manifests"):
        items = doc.get(key)
        if isinstance(items, list):
            for i, item in enumerate(items):
                refuse_case_variants(item, _DESCRIPTOR_FIELDS, f"{key}[{i}]: ")
    declared = doc.get("mediaType")
    if declared is not None and not isinstance(declared, str):
        raise ManifestError("manifest mediaType must be a string")
    if expected_media_type and declared and declared != expected_media_type:
        raise ManifestError(
            f"manifest declares mediaType {shown(declared)} but was served as {shown(expected_media_type)}"
        )
    if "manifests" in doc and ("layers" in doc or "config" in doc):
        raise ManifestError("ambiguous document: has both manifests and layers/config")
    media_type = declared or expected_media_type or _guess_media_type(doc)
    if doc.get("schemaVersion") != 2:
        raise ManifestError(f"unsupported schemaVersion {shown(doc.get('schemaVersion'))}")
    subject = _opt_descriptor(doc, "subject")
    annotations = doc.get("annotations") or {}
    if not isinstance(annotations, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in annotations.items()
    ):
        raise ManifestError("annotations must map strings to strings")
    artifact_type = doc.get("artifactType")
    if artifact_type is not None and not mt.is_valid_media_type(artifact_type):
        raise ManifestError(f"invalid artifactType {shown(artifact_type)}")
    if media_type in mt.INDEX_TYPES:
        entries = doc.get("manifests")
        if not isinstance(entries, list):
            raise ManifestError("index has no manifests list")
        manifests = tuple(
            Descriptor.from_json(e, where=f"manifests[{i}]") for i, e in enumerate(entries)
        )
        return Index(raw, media_type, manifests, subject, dict(annotations), artifact_type, doc)
    if media_type in mt.MANIFEST_TYPES:
        if "config" not in doc:
            raise ManifestError("manifest has no config")
        config = Descriptor.from_json(doc["config"], where="config")
        layer_list = doc.get("layers") or []
        if not isinstance(layer_list, list):
            raise ManifestError("manifest layers must be a list")
        layers = tuple(
            Descriptor.from_json(e, where=f"layers[{i}]") for i, e in enumerate(layer_list)
        )
        if config.media_type == mt.OCI_EMPTY and not artifact_type:
            # Tolerated on read (the spec says MUST on write); effective type = empty.
            pass
        return Manifest(
            raw, media_type, config, layers, subject, dict(annotations), artifact_type, doc
        )
    raise ManifestError(f"unknown manifest media type {shown(media_type)}")


def _guess_media_type(doc: dict[str, Any]) -> str:
    if "manifests" in doc:
        return mt.OCI_INDEX
    if "config" in doc:
        return mt.OCI_MANIFEST
    raise ManifestError("document is neither a manifest nor an index")


def _opt_descriptor(doc: dict[str, Any], key: str) -> Descriptor | None:
    value = doc.get(key)
    return None if value is None else Descriptor.from_json(value, where=key)


def canonical_json(obj: object) -> bytes:
    """Deterministic compact JSON for documents *we* create (never for fetched ones)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()

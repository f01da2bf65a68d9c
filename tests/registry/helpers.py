"""Test helpers: an in-memory BlobSink and small images/artifacts built from bytes."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from typing import Any, BinaryIO

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import DigestMismatch
from ocitui.core.models import Descriptor
from ocitui.core.reference import Reference, parse_reference


class MemorySink:
    """A BlobSink in memory that hashes while writing and refuses bytes past ``size``."""

    def __init__(self, size: int | None = None, held: bytes = b"") -> None:
        self.size = size
        self.data = bytearray(held)
        self.restarts = 0

    @property
    def offset(self) -> int:
        return len(self.data)

    def write(self, chunk: bytes) -> None:
        if self.size is not None and len(self.data) + len(chunk) > self.size:
            raise DigestMismatch("too many bytes")
        self.data += chunk

    def restart(self) -> None:
        self.restarts += 1
        self.data.clear()

    def digest(self) -> Digest:
        return Digest("sha256", hashlib.sha256(self.data).hexdigest())


def blob_desc(data: bytes, media_type: str = mt.OCI_LAYER_GZIP) -> Descriptor:
    return Descriptor(media_type, Digest.of(data), len(data))


def opener(data: bytes) -> Callable[[], BinaryIO]:
    return lambda: io.BytesIO(data)


def dumps(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def image(
    layer: bytes = b"layer-bytes",
    config: bytes = b'{"architecture":"amd64","os":"linux"}',
    *,
    subject: Descriptor | None = None,
    artifact_type: str | None = None,
    annotations: dict[str, str] | None = None,
    config_type: str = mt.OCI_CONFIG,
) -> tuple[bytes, list[tuple[Descriptor, bytes]]]:
    """A manifest's bytes and the blobs it needs."""
    cfg, lay = blob_desc(config, config_type), blob_desc(layer)
    doc: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "config": cfg.to_json(),
        "layers": [lay.to_json()],
    }
    if artifact_type:
        doc["artifactType"] = artifact_type
    if subject is not None:
        doc["subject"] = subject.to_json()
    if annotations:
        doc["annotations"] = annotations
    return dumps(doc), [(cfg, config), (lay, layer)]


def ref(host: str, text: str) -> Reference:
    return parse_reference(f"{host}/{text}")

"""Create an OCI 1.1 artifact manifest that refers to a subject, from local files.

The artifact has the empty config descriptor, an ``artifactType``, one layer per file
(title annotation = file name), annotations including ``org.opencontainers.image.created``,
and ``subject`` = the target. With no files it carries the single empty layer the spec
recommends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import LayoutError, ManifestError
from ocitui.core.layout.store import Layout
from ocitui.core.models import CREATED, Descriptor, canonical_json, parse_document
from ocitui.core.text_safety import shown

TITLE = "org.opencontainers.image.title"
DEFAULT_LAYER_TYPE = "application/octet-stream"


def utc_now() -> dt.datetime:
    """The current time (the default clock)."""
    return dt.datetime.now(dt.UTC)


def rfc3339(moment: dt.datetime) -> str:
    """``2026-01-01T00:00:00Z``."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_file_arg(text: str) -> tuple[Path, str | None]:
    """``FILE[:MEDIATYPE]`` -> (path, media type or None)."""
    path, sep, media_type = text.rpartition(":")
    if sep and "/" in media_type and mt.is_valid_media_type(media_type):
        return Path(path), media_type
    return Path(text), None


def attach(
    layout: Layout,
    subject_ref: str,
    artifact_type: str,
    files: Sequence[tuple[Path, str | None]] = (),
    annotations: Mapping[str, str] | None = None,
    *,
    clock: Callable[[], dt.datetime] = utc_now,
) -> Descriptor:
    """Attach ``files`` to ``subject_ref`` as a new referrer; returns its index entry."""
    if not mt.is_valid_media_type(artifact_type):
        raise ManifestError(f"invalid artifact type {artifact_type!r}: expected type/subtype")
    subject = layout.resolve(subject_ref)
    if not subject.is_manifest_like:
        raise LayoutError(f"{subject_ref!r} is not a manifest or index; cannot attach to it")
    for path, media_type in files:
        if not path.is_file():
            raise LayoutError(f"{path}: no such file")
        if media_type is not None and not mt.is_valid_media_type(media_type):
            raise ManifestError(f"{path}: invalid media type {shown(media_type)}")

    empty = Descriptor(mt.OCI_EMPTY, layout.put_blob(mt.EMPTY_JSON), len(mt.EMPTY_JSON))
    layers = []
    for path, media_type in files:
        digest: Digest = layout.put_file(path)
        layers.append(
            Descriptor(
                media_type or DEFAULT_LAYER_TYPE,
                digest,
                path.stat().st_size,
                annotations={TITLE: path.name},
            )
        )
    manifest_annotations = {CREATED: rfc3339(clock()), **(annotations or {})}
    document = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "artifactType": artifact_type,
        "config": empty.to_json(),
        "layers": [d.to_json() for d in layers] or [empty.to_json()],
        "subject": Descriptor(subject.media_type, subject.digest, subject.size).to_json(),
        "annotations": manifest_annotations,
    }
    raw = canonical_json(document)
    doc = parse_document(raw, mt.OCI_MANIFEST)
    return layout.add_referrer(doc)

"""Deterministic byte builders: tar layers, gzip, zstd, JSON blobs and descriptors.

Reproducibility rules (why each choice is made):

* tar: USTAR format (no PAX headers carrying float mtimes), members sorted by path,
  parent directories listed explicitly, fixed mtime/uid/gid/uname/gname.
* gzip: ``mtime=0`` and an empty file name in the header, fixed level 9.
* zstd: fixed level, single-threaded, content size written and checksum off, so the
  frame header never depends on how the data was fed in.
"""

from __future__ import annotations

import gzip
import io
import random
import tarfile
from dataclasses import dataclass, field
from typing import Any

import zstandard

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.models import CREATED, Descriptor, canonical_json

#: 2026-01-01T00:00:00Z, the demo's "now".
EPOCH = 1767225600
CREATED_1_0 = "2026-01-01T00:00:00Z"
CREATED_1_1 = "2026-02-01T00:00:00Z"
ZSTD_LEVEL = 19
GZIP_LEVEL = 9


@dataclass(frozen=True)
class FileEntry:
    """One member of a layer tar: a regular file, or an empty whiteout marker."""

    path: str
    data: bytes = b""
    mode: int = 0o644


@dataclass
class Layer:
    """A built layer: compressed bytes, their media type, and the diff_id."""

    media_type: str
    blob: bytes
    diff_id: Digest
    files: list[FileEntry] = field(default_factory=list)

    @property
    def digest(self) -> Digest:
        """Digest of the compressed blob."""
        return Digest.of(self.blob)


def rng(seed: str) -> random.Random:
    """A pseudo-random generator seeded from a string (stable across runs)."""
    return random.Random(seed)


def random_bytes(seed: str, size: int) -> bytes:
    """``size`` seeded pseudo-random bytes (incompressible filler for fake binaries)."""
    return rng(seed).randbytes(size)


_WORDS = [
    "layer",
    "manifest",
    "index",
    "digest",
    "registry",
    "blob",
    "config",
    "platform",
    "referrer",
    "signature",
    "sbom",
    "bundle",
    "mirror",
    "cache",
    "airgap",
    "tag",
    "descriptor",
    "annotation",
    "artifact",
    "subject",
    "attestation",
    "provenance",
    "builder",
    "policy",
    "verify",
    "rootfs",
    "whiteout",
    "history",
    "entrypoint",
]


def prose(seed: str, lines: int, width: int = 10) -> str:
    """Seeded filler text, ``lines`` lines of ``width`` words each."""
    gen = rng(seed)
    rows = [" ".join(gen.choice(_WORDS) for _ in range(width)) for _ in range(lines)]
    return "\n".join(rows) + "\n"


def _parents(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _header(name: str, kind: bytes, mode: int, size: int = 0) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.size = size
    info.mtime = EPOCH
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def make_tar(files: list[FileEntry]) -> bytes:
    """An uncompressed tar of ``files`` plus their parent directories, sorted by path."""
    dirs = sorted({d for f in files for d in _parents(f.path)})
    members: list[tuple[str, FileEntry | None]] = [(d, None) for d in dirs]
    members += [(f.path, f) for f in files]
    members.sort(key=lambda pair: pair[0])
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, entry in members:
            if entry is None:
                tar.addfile(_header(name + "/", tarfile.DIRTYPE, 0o755))
            else:
                info = _header(name, tarfile.REGTYPE, entry.mode, len(entry.data))
                tar.addfile(info, io.BytesIO(entry.data))
    return buffer.getvalue()


def gzip_bytes(data: bytes) -> bytes:
    """gzip with no timestamp and no file name in the header."""
    buffer = io.BytesIO()
    with gzip.GzipFile(
        filename="", mode="wb", fileobj=buffer, compresslevel=GZIP_LEVEL, mtime=0
    ) as handle:
        handle.write(data)
    return buffer.getvalue()


def zstd_bytes(data: bytes) -> bytes:
    """One zstd frame at a fixed level, content size on, checksum off, single thread."""
    compressor = zstandard.ZstdCompressor(
        level=ZSTD_LEVEL, write_content_size=True, write_checksum=False, threads=0
    )
    out: bytes = compressor.compress(data)
    return out


def build_layer(files: list[FileEntry], media_type: str) -> Layer:
    """Tar ``files`` and compress according to ``media_type``."""
    tar = make_tar(files)
    if media_type in mt.GZIP_LAYERS:
        blob = gzip_bytes(tar)
    elif media_type in mt.ZSTD_LAYERS:
        blob = zstd_bytes(tar)
    else:
        blob = tar
    return Layer(media_type, blob, Digest.of(tar), files)


def descriptor(
    media_type: str, data: bytes, annotations: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    """A descriptor JSON object for ``data`` (fields in the conventional order)."""
    out: dict[str, Any] = {"mediaType": media_type}
    if "artifactType" in extra:
        out["artifactType"] = extra.pop("artifactType")
    out["digest"] = str(Digest.of(data))
    out["size"] = len(data)
    if annotations:
        out["annotations"] = annotations
    out.update(extra)
    return out


def put_layer(layout: Layout, layer: Layer) -> dict[str, Any]:
    """Store a layer blob and return its descriptor object."""
    layout.put_blob(layer.blob)
    return descriptor(layer.media_type, layer.blob)


def put_json_blob(layout: Layout, media_type: str, obj: object, **extra: Any) -> dict[str, Any]:
    """Store ``obj`` as canonical JSON and return its descriptor object."""
    data = canonical_json(obj)
    layout.put_blob(data)
    return descriptor(media_type, data, **extra)


def empty_config(layout: Layout) -> dict[str, Any]:
    """Store the ``{}`` blob and return the OCI empty descriptor."""
    layout.put_blob(mt.EMPTY_JSON)
    return descriptor(mt.OCI_EMPTY, mt.EMPTY_JSON)


def subject_of(desc: Descriptor) -> dict[str, Any]:
    """The ``subject`` field for a referrer of ``desc`` (mediaType, digest, size only)."""
    return {"mediaType": desc.media_type, "digest": str(desc.digest), "size": desc.size}


def artifact_manifest(
    artifact_type: str,
    config: dict[str, Any],
    layers: list[dict[str, Any]],
    subject: Descriptor,
    annotations: dict[str, str],
) -> bytes:
    """An OCI 1.1 artifact manifest (referrer) in canonical JSON."""
    doc = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "artifactType": artifact_type,
        "config": config,
        "layers": layers,
        "subject": subject_of(subject),
        "annotations": annotations,
    }
    return canonical_json(doc)


def created(value: str, **more: str) -> dict[str, str]:
    """Annotations starting with ``org.opencontainers.image.created``."""
    return {CREATED: value, **more}

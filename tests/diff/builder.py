"""Build small test images in a layout: tar layers with chosen members, configs, manifests.

Everything is deterministic (fixed mtimes, gzip without timestamps) so digests and golden
output are stable from run to run.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import zstandard

from ocitui.core import media_types as mt
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor, Platform, canonical_json, parse_document


@dataclass(frozen=True)
class M:
    """A tar member: ``kind`` is file, dir, symlink, hardlink, char, fifo."""

    name: str
    data: bytes = b""
    kind: str = "file"
    mode: int = 0o644
    uid: int = 0
    gid: int = 0
    link: str = ""


def tar_bytes(members: Sequence[M]) -> bytes:
    """A plain tar of ``members``, in order."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for m in members:
            info = tarfile.TarInfo(m.name)
            info.mode, info.uid, info.gid, info.mtime = m.mode, m.uid, m.gid, 1_700_000_000
            kinds = {
                "file": tarfile.REGTYPE,
                "dir": tarfile.DIRTYPE,
                "symlink": tarfile.SYMTYPE,
                "hardlink": tarfile.LNKTYPE,
                "char": tarfile.CHRTYPE,
                "fifo": tarfile.FIFOTYPE,
            }
            info.type = kinds[m.kind]
            info.linkname = m.link
            if m.kind == "file":
                info.size = len(m.data)
                tar.addfile(info, io.BytesIO(m.data))
            else:
                tar.addfile(info)
    return buffer.getvalue()


def compress(data: bytes, how: str) -> tuple[bytes, str]:
    """``data`` compressed ``how`` (gzip, gzip1, zstd, tar, docker) and its media type."""
    if how == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0), mt.OCI_LAYER_GZIP
    if how == "gzip1":
        return gzip.compress(data, compresslevel=1, mtime=0), mt.OCI_LAYER_GZIP
    if how == "docker":
        return gzip.compress(data, compresslevel=9, mtime=0), mt.DOCKER_LAYER_GZIP
    if how == "zstd":
        return zstandard.ZstdCompressor(level=3).compress(data), mt.OCI_LAYER_ZSTD
    if how == "tar":
        return data, mt.OCI_LAYER_TAR
    raise ValueError(how)


def _uncompressed(raw: bytes) -> bytes:
    """Best effort: the tar inside ``raw`` (so its diff_id is right), else ``raw`` itself."""
    try:
        if raw.startswith(b"\x1f\x8b"):
            return gzip.decompress(raw)
        if raw.startswith(b"\x28\xb5\x2f\xfd"):
            return zstandard.ZstdDecompressor().decompressobj().decompress(raw)
    except (OSError, EOFError, zstandard.ZstdError):
        pass
    return raw


@dataclass
class Layer:
    """A layer to build: members (or raw bytes) and compression."""

    members: Sequence[M] = ()
    how: str = "gzip"
    raw: bytes | None = None
    media_type: str | None = None
    annotations: dict[str, str] = field(default_factory=dict)


class Builder:
    """Writes test images into a layout."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def layer(self, spec: Layer) -> tuple[Descriptor, str]:
        """Store one layer; return its descriptor and diff_id."""
        plain = tar_bytes(spec.members)
        data, media_type = compress(plain, spec.how)
        if spec.raw is not None:
            data, plain = spec.raw, _uncompressed(spec.raw)
        digest = self.layout.put_blob(data)
        desc = Descriptor(
            spec.media_type or media_type, digest, len(data), annotations=dict(spec.annotations)
        )
        return desc, "sha256:" + hashlib.sha256(plain).hexdigest()

    def image(
        self,
        layers: Sequence[Layer],
        *,
        tag: str | None = None,
        env: Sequence[str] = ("PATH=/usr/bin",),
        cmd: Sequence[str] = ("/bin/app",),
        labels: dict[str, str] | None = None,
        platform: str = "linux/amd64",
        docker: bool = False,
        annotations: dict[str, str] | None = None,
        history: Sequence[str] | None = None,
        extra_run: dict[str, Any] | None = None,
    ) -> Descriptor:
        """Store an image (config + manifest) and optionally tag it."""
        built = [self.layer(spec) for spec in layers]
        plat = Platform.parse(platform)
        run: dict[str, Any] = {"Env": list(env), "Cmd": list(cmd), **(extra_run or {})}
        if labels:
            run["Labels"] = labels
        steps = history if history is not None else [f"layer {i}" for i in range(len(built))]
        config = {
            "architecture": plat.architecture,
            "os": plat.os,
            **({"variant": plat.variant} if plat.variant else {}),
            "config": run,
            "rootfs": {"type": "layers", "diff_ids": [d for _, d in built]},
            "history": [{"created_by": s} for s in steps],
        }
        config_raw = canonical_json(config)
        config_type = mt.DOCKER_CONFIG if docker else mt.OCI_CONFIG
        config_desc = Descriptor(config_type, self.layout.put_blob(config_raw), len(config_raw))
        doc: dict[str, Any] = {
            "schemaVersion": 2,
            "mediaType": mt.DOCKER_MANIFEST if docker else mt.OCI_MANIFEST,
            "config": config_desc.to_json(),
            "layers": [d.to_json() for d, _ in built],
        }
        if annotations:
            doc["annotations"] = annotations
        return self.document(doc, tag)

    def document(self, doc: dict[str, Any], tag: str | None = None) -> Descriptor:
        """Store a manifest/index document and optionally tag it."""
        desc = self.layout.put_document(canonical_json(doc), doc["mediaType"])
        if tag:
            self.layout.set_tag(tag, desc)
        return desc

    def index(
        self,
        entries: Sequence[tuple[Descriptor, str]],
        *,
        tag: str | None = None,
        docker: bool = False,
    ) -> Descriptor:
        """Store an index of ``(manifest descriptor, platform)`` entries."""
        manifests = []
        for desc, platform in entries:
            item = Descriptor(desc.media_type, desc.digest, desc.size).to_json()
            item["platform"] = Platform.parse(platform).to_json()
            manifests.append(item)
        doc = {
            "schemaVersion": 2,
            "mediaType": mt.DOCKER_MANIFEST_LIST if docker else mt.OCI_INDEX,
            "manifests": manifests,
        }
        return self.document(doc, tag)

    def referrer(
        self, subject: Descriptor, artifact_type: str, payload: bytes = b"sig"
    ) -> Descriptor:
        """Attach an artifact of ``artifact_type`` to ``subject``."""
        blob = self.layout.put_blob(payload)
        doc = {
            "schemaVersion": 2,
            "mediaType": mt.OCI_MANIFEST,
            "artifactType": artifact_type,
            "config": {"mediaType": mt.OCI_EMPTY, "digest": mt.EMPTY_DIGEST, "size": 2},
            "layers": [
                {"mediaType": "application/octet-stream", "digest": str(blob), "size": len(payload)}
            ],
            "subject": Descriptor(subject.media_type, subject.digest, subject.size).to_json(),
        }
        self.layout.put_blob(mt.EMPTY_JSON)
        parsed = parse_document(canonical_json(doc), mt.OCI_MANIFEST)
        return self.layout.add_referrer(parsed)


def config_of(layout: Layout, desc: Descriptor) -> dict[str, Any]:
    """The parsed config of an image manifest (for assertions)."""
    doc = layout.get_document(desc.digest)
    return json.loads(layout.read_blob(doc.children()[0].digest))

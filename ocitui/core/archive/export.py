"""``export``: a layout (or the closure of some refs) as a tar that is itself an OCI layout.

The tar holds ``oci-layout``, ``index.json`` and ``blobs/<alg>/<hex>`` at its root, so
``skopeo inspect oci-archive:FILE:<ref name>`` and ``oras`` read it. Members come in a
fixed order with fixed metadata, so the same content always gives the same bytes:
``oci-layout``, ``index.json``, then the blobs breadth first from the ``index.json``
entries (every manifest before what it describes, so ``import`` can check each member
against its descriptor before writing it, in one read). Blobs are streamed from the
layout in chunks and re-verified against their digests on the way out. The stream can be
zstd-compressed (multi-threaded) and split into parts for removable media.

skopeo (checked with 1.9.3) splits ``oci-archive:PATH:NAME`` at the first ``:``, so NAME
may be a full reference such as ``registry.example.com/demo/app:1.0`` (PATH may not
contain ``:``); it also reads the ``.tar.zst`` form. skopeo 1.9 only matches index.json
entries of OCI media types, so Docker v2 entries (e.g. an imgpkg bundle) are in the
archive but not visible to it.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zstandard

from ocitui.core.archive.closure import Selection, select_all, select_refs
from ocitui.core.archive.output import OutputSink, PartInfo, manifest_path
from ocitui.core.archive.peers import for_peers
from ocitui.core.archive.sizes import PROGRESS_STEP
from ocitui.core.archive.tarwrite import TarWriter
from ocitui.core.digest import Digest, Verifier
from ocitui.core.errors import ArchiveError, DigestMismatch, OcituiError
from ocitui.core.events import (
    ArchiveFinished,
    ArchiveStarted,
    BlobDone,
    BlobProgress,
    BlobStarted,
    EventSink,
    ignore,
)
from ocitui.core.layout import Layout
from ocitui.core.layout.index_file import LAYOUT_VERSION, render_index
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor, parse_document

CHUNK = 1024 * 1024
ZSTD_SUFFIXES = (".zst", ".zstd")


@dataclass
class ExportReport:
    """What an export wrote."""

    path: Path
    refs: list[str]
    entries: int
    blobs: int
    blob_bytes: int
    archive_bytes: int
    sha256: str
    compression: str
    parts: list[PartInfo] = field(default_factory=list)
    parts_manifest: Path | None = None
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (``--json``)."""
        return {
            "archive": str(self.path),
            "refs": self.refs,
            "entries": self.entries,
            "blobs": self.blobs,
            "blobBytes": self.blob_bytes,
            "archiveBytes": self.archive_bytes,
            "sha256": self.sha256,
            "compression": self.compression,
            "parts": [p.to_json() for p in self.parts],
            "partsManifest": str(self.parts_manifest) if self.parts_manifest else None,
            "missing": self.missing,
            "warnings": self.warnings,
        }


def wants_zstd(path: Path) -> bool:
    """True when the file name asks for zstd (``.tar.zst``, ``.zst``, ``.zstd``)."""
    return path.name.endswith(ZSTD_SUFFIXES)


def export_archive(
    layout: Layout,
    path: Path,
    refs: Sequence[str] = (),
    *,
    zstd: bool | None = None,
    split: int | None = None,
    level: int = 3,
    threads: int = -1,
    allow_missing: bool = False,
    peers: bool = False,
    consumer: EventSink = ignore,
) -> ExportReport:
    """Write ``layout`` (or the closure of ``refs``) to ``path`` as an OCI-layout tar.

    ``zstd`` defaults to the file name's suffix; ``split`` (bytes) writes numbered parts
    plus ``<path>.parts.json``. Blobs the layout lacks fail the export unless
    ``allow_missing`` (the archive is then as sparse as the layout). ``peers`` writes one
    repository with short tags and referrers fallback indexes (:mod:`.peers`).
    """
    selection = select_refs(layout, refs) if refs else select_all(layout)
    extra = for_peers(selection) if peers else {}
    if selection.missing and not allow_missing:
        first = next(iter(selection.missing))
        raise ArchiveError(
            f"{len(selection.missing)} referenced blob(s) are not in the layout (e.g. {first}); "
            "pull them first or pass --allow-missing"
        )
    compress = wants_zstd(path) if zstd is None else zstd
    compression = "zstd" if compress else "none"
    total = selection.total_bytes + sum(len(raw) for raw in extra.values())
    consumer(ArchiveStarted("export", len(selection.blobs) + len(extra), total))
    sink = OutputSink(path, split=split, compression=compression, consumer=consumer)
    try:
        if compress:
            params = zstandard.ZstdCompressor(level=level, threads=_threads(threads))
            target: Any = sink  # zstandard only needs write(); its stubs want IO[bytes].
            zwriter: Any = params.stream_writer(target, closefd=False, write_return_read=True)
            _write_tar(layout, selection, zwriter, consumer, extra)
            zwriter.close()  # Ends the frame; closefd=False leaves the sink open.
        else:
            _write_tar(layout, selection, sink, consumer, extra)
        parts = sink.finish()
    except BaseException:
        sink.abort()
        raise
    consumer(ArchiveFinished("export", len(selection.blobs), selection.total_bytes))
    return ExportReport(
        path=path,
        refs=[e.ref_name for e in selection.entries if e.ref_name],
        entries=len(selection.entries),
        blobs=len(selection.blobs),
        blob_bytes=selection.total_bytes,
        archive_bytes=sink.size,
        sha256=sink.sha256,
        compression=compression,
        parts=parts if split is not None else [],
        parts_manifest=manifest_path(path) if split is not None else None,
        missing=[str(d) for d in selection.missing],
        warnings=selection.warnings,
    )


def _threads(threads: int) -> int:
    # zstd's multi-threaded output does not depend on the worker count, but differs
    # from single-threaded mode: always use at least one worker so archives are
    # byte-identical on any machine.
    if threads < 0:
        threads = os.cpu_count() or 1
    return max(threads, 1)


def _write_tar(
    layout: Layout,
    selection: Selection,
    out: Any,
    consumer: EventSink,
    extra: dict[Digest, bytes],
) -> None:
    tar = TarWriter(out)
    header = json.dumps({"imageLayoutVersion": LAYOUT_VERSION}).encode() + b"\n"
    tar.add_bytes("oci-layout", header)
    tar.add_bytes("index.json", render_index({}, selection.entries))
    tar.add_dir("blobs")
    order = blob_order(layout, selection, extra)
    for algorithm in sorted({digest.algorithm for digest in order}):
        tar.add_dir(f"blobs/{algorithm}")
    for digest in order:
        if digest in extra:  # Made by the export (a fallback index): from memory.
            tar.add_bytes(f"blobs/{digest.algorithm}/{digest.encoded}", extra[digest])
        else:
            _write_blob(layout, tar, digest, selection.blobs[digest], consumer)
    tar.close()


def blob_order(layout: Layout, selection: Selection, extra: dict[Digest, bytes]) -> list[Digest]:
    """Every blob to write, each document before what it describes: breadth first from
    the entries, children in document order; anything not reached last, by digest."""
    wanted = {*selection.blobs, *extra}
    order: list[Digest] = []
    placed: set[Digest] = set()
    queue = deque(selection.entries)
    while queue:
        desc = queue.popleft()
        if desc.digest in placed or desc.digest not in wanted:
            continue
        placed.add(desc.digest)
        order.append(desc.digest)
        if desc.is_manifest_like:
            queue.extend(_children(layout, desc, extra))
    order.extend(sorted(wanted - placed, key=str))
    return order


def _children(layout: Layout, desc: Descriptor, extra: dict[Digest, bytes]) -> list[Descriptor]:
    try:
        raw = extra.get(desc.digest) or layout.read_blob(desc.digest, max_size=MAX_MANIFEST_SIZE)
        return list(parse_document(raw, desc.media_type).children())
    except OcituiError:
        return []  # Unreadable: what it names comes last, in digest order.


def _write_blob(
    layout: Layout, tar: TarWriter, digest: Digest, size: int, consumer: EventSink
) -> None:
    consumer(BlobStarted(str(digest), size))
    verifier = Verifier(digest, size)
    tar.begin_file(f"blobs/{digest.algorithm}/{digest.encoded}", size)
    next_report = PROGRESS_STEP
    with layout.open_blob(digest) as handle:
        while chunk := handle.read(min(CHUNK, size - verifier.count + 1)):
            try:
                verifier.update(chunk)
            except DigestMismatch as exc:
                raise DigestMismatch(f"corrupt blob in layout: {exc}") from None
            tar.write(chunk)
            if verifier.count >= next_report:
                consumer(BlobProgress(str(digest), verifier.count, size))
                next_report += PROGRESS_STEP
    try:
        verifier.verify()
    except DigestMismatch as exc:
        raise DigestMismatch(f"corrupt blob in layout: {exc}") from None
    tar.end_file()
    consumer(BlobDone(str(digest), size, "written"))

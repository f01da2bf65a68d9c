"""One read of an archive for ``import``: the tar stream member by member.

The ``oci-layout`` header and ``index.json`` are read (bounded) and checked; a blob member
is written through :meth:`Layout.ingest` (verified while it is written) only when the
:class:`~ocitui.core.archive.budget.MemberBudget` admits it, i.e. something read so far
describes it with exactly its size; the rest is recorded as skipped. Tar, zstd and digest
failures become one-line :class:`ArchiveError` s naming the part at fault. What to do with
the entries (naming, completeness, the merge into ``index.json``) is
:mod:`ocitui.core.archive.importer`'s.
"""

from __future__ import annotations

import contextlib
import json
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING

import zstandard

from ocitui.core import jsonsafe
from ocitui.core.archive.budget import MemberBudget
from ocitui.core.archive.inputs import ArchiveSource, PartsReader, open_stream
from ocitui.core.archive.members import Member, classify
from ocitui.core.archive.sizes import MAX_INDEX_SIZE, PROGRESS_STEP
from ocitui.core.digest import Digest
from ocitui.core.errors import ArchiveError, DigestMismatch, LayoutError, OcituiError
from ocitui.core.events import ArchiveStarted, BlobDone, BlobProgress, BlobStarted, EventSink
from ocitui.core.layout import Layout
from ocitui.core.layout.index_file import parse_index
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor
from ocitui.core.text_safety import shown

if TYPE_CHECKING:
    from ocitui.core.archive.importer import ImportReport

CHUNK = 1024 * 1024
_MAX_HEADER = 64 * 1024


def scan(
    layout: Layout,
    source: ArchiveSource,
    report: ImportReport,
    consumer: EventSink,
    *,
    budget: MemberBudget,
    skipped: dict[Digest, str],
    renamed: set[Path],
    only: set[Digest] | None = None,
    outside: list[str] | None = None,
) -> tuple[list[Descriptor], int]:
    """One read of the archive: write the blobs ``budget`` admits (of ``only``, when
    given), record the ones it skips in ``skipped`` (and the names of members outside the
    layout, never written, in ``outside``); the entries and bytes read."""
    consumer(ArchiveStarted("import", 0, source.total_size))
    reader = PartsReader(source, consumer)
    entries: list[Descriptor] | None = None
    seen: set[str] = set()
    header = False
    try:
        stream = open_stream(reader)
        with tarfile.open(fileobj=stream, mode="r|", bufsize=CHUNK) as tar:
            for info in tar:
                member = classify(info)
                if member.kind != "dir" and member.name in seen:
                    raise ArchiveError(f"archive member {shown(member.name)} appears twice")
                seen.add(member.name)
                if member.kind == "oci-layout":
                    _check_header(_read_small(tar, info, _MAX_HEADER))
                    header = True
                elif member.kind == "index":
                    raw = _read_small(tar, info, MAX_INDEX_SIZE)
                    entries = _parse_entries(raw)
                    budget.describe(entries)
                elif member.kind == "other":
                    budget.skip(member.name, member.size)
                    if outside is not None:
                        outside.append(member.name)
                elif member.kind == "blob":
                    digest = member.digest
                    assert digest is not None
                    if only is not None and digest not in only:
                        continue
                    if not budget.admit(member.name, digest, member.size):
                        skipped[digest] = member.name
                        if member.size <= MAX_MANIFEST_SIZE:  # Perhaps a manifest: look.
                            budget.note(digest, _read_small(tar, info, MAX_MANIFEST_SIZE))
                        continue
                    _ingest(
                        layout, tar, info, member, report=report, consumer=consumer, renamed=renamed
                    )
                    if budget.is_manifest(digest):
                        budget.learn(digest, _small_blob(layout, member))
        while stream.read(CHUNK):  # Trailing padding; also finishes the zstd frame.
            pass
        reader.drain()
    except ArchiveError:
        _diagnose(reader)
        raise
    except (tarfile.TarError, zstandard.ZstdError, DigestMismatch, EOFError, LayoutError) as exc:
        _diagnose(reader)
        raise ArchiveError(f"{source.label}: {_explain(exc)}") from None
    finally:
        reader.close()
    if not header or entries is None:
        raise ArchiveError(f"{source.label}: not an OCI layout archive (no oci-layout/index.json)")
    return entries, reader.bytes_read


def _small_blob(layout: Layout, member: Member) -> bytes | None:
    """The verified bytes of a just-imported blob small enough to be a manifest."""
    if member.digest is None or member.size > MAX_MANIFEST_SIZE:
        return None
    try:
        return layout.read_blob(member.digest, max_size=MAX_MANIFEST_SIZE)
    except OcituiError:
        return None


def _diagnose(reader: PartsReader) -> None:
    # A corrupt part usually surfaces as a tar or digest error first; name the part.
    with contextlib.suppress(OSError):
        reader.diagnose()


def _explain(exc: BaseException) -> str:
    if isinstance(exc, tarfile.ReadError) and "unexpected end" in str(exc):
        return "archive is truncated (unexpected end of data)"
    if isinstance(exc, tarfile.TarError):
        return f"not a valid tar archive ({exc})"
    if isinstance(exc, zstandard.ZstdError):
        return f"corrupt zstd stream ({exc})"
    if isinstance(exc, DigestMismatch):
        return f"corrupt blob: {exc}"
    return str(exc) or type(exc).__name__


def _read_small(tar: tarfile.TarFile, info: tarfile.TarInfo, cap: int) -> bytes:
    if info.size > cap:
        raise ArchiveError(f"archive member {shown(info.name)} is {info.size} bytes, over {cap}")
    handle = tar.extractfile(info)
    if handle is None:
        raise ArchiveError(f"archive member {shown(info.name)} cannot be read")
    data = handle.read(info.size)  # Not cap: the reader would allocate that much.
    if len(data) != info.size:
        raise ArchiveError("archive is truncated (unexpected end of data)")
    return data


def _check_header(raw: bytes) -> None:
    try:
        doc = jsonsafe.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ArchiveError("archive oci-layout is not valid JSON") from None
    version = doc.get("imageLayoutVersion") if isinstance(doc, dict) else None
    if not isinstance(version, str) or not version.startswith("1."):
        raise ArchiveError(f"archive oci-layout: unsupported imageLayoutVersion {shown(version)}")


def _parse_entries(raw: bytes) -> list[Descriptor]:
    try:
        _, entries = parse_index(raw, Path("index.json"))
    except LayoutError as exc:
        raise ArchiveError(f"archive {exc}") from None
    return entries


def _ingest(
    layout: Layout,
    tar: tarfile.TarFile,
    info: tarfile.TarInfo,
    member: Member,
    *,
    report: ImportReport,
    consumer: EventSink,
    renamed: set[Path],
) -> None:
    digest, size = member.digest, member.size
    assert digest is not None
    if layout.has_blob(digest, size):
        # Already verified when it was written; the tar reader skips the bytes. Its rename
        # (by an earlier run that may have failed before naming it) is made durable too.
        renamed.add(layout.blob_path(digest).parent)
        report.blobs_skipped += 1
        consumer(BlobDone(str(digest), size, "exists"))
        return
    consumer(BlobStarted(str(digest), size))
    handle = tar.extractfile(info)
    if handle is None:
        raise ArchiveError(f"archive member {shown(member.name)} cannot be read")
    writer = layout.ingest(digest, size, on_renamed=renamed.add)
    try:
        with writer:
            writer.restart()  # Start clean: the archive is read from this member's start.
            next_report = PROGRESS_STEP
            while chunk := handle.read(CHUNK):
                writer.write(chunk)
                if writer.offset >= next_report:
                    consumer(BlobProgress(str(digest), writer.offset, size))
                    next_report += PROGRESS_STEP
            writer.commit()
    except BaseException:
        # Nothing half-written survives an interrupted import (it restarts from 0 anyway).
        with contextlib.suppress(OSError):
            writer.partial_path.unlink()
        raise
    report.blobs_written += 1
    report.bytes_written += size
    report.written.append(Descriptor("application/octet-stream", digest, size))
    consumer(BlobDone(str(digest), size, "written"))

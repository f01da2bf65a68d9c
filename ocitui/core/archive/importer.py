"""``import``: merge archives written by ``export`` (or any OCI-layout tar) into a layout.

Each archive is streamed once: parts are checked (size, sha256) as they are read, member
names are checked before use (:mod:`members`), every blob goes through
:meth:`Layout.ingest`, which verifies digest and size while writing. Blobs the layout
already holds are skipped, so an interrupted import can simply be re-run. Only when
every archive has been read and verified, and the graph it describes is complete, are
its ``index.json`` entries merged, in one locked update: names from the archive replace
the same names in the layout; untagged (referrer) entries are deduplicated by digest.
"""

from __future__ import annotations

import contextlib
import json
import tarfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zstandard

from ocitui.core import jsonsafe
from ocitui.core.archive.budget import MemberBudget
from ocitui.core.archive.inputs import ArchiveSource, PartsReader, open_stream, resolve_sources
from ocitui.core.archive.members import Member, classify
from ocitui.core.archive.sizes import PROGRESS_STEP
from ocitui.core.archive.verify import check_complete, merge_entries
from ocitui.core.digest import Digest
from ocitui.core.errors import (
    ArchiveError,
    DigestMismatch,
    InvalidReference,
    LayoutError,
    OcituiError,
)
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
from ocitui.core.layout.gc import unreferenced
from ocitui.core.layout.index_file import parse_index
from ocitui.core.layout.ingest import fsync_dir
from ocitui.core.layout.refs import is_short_tag, valid_name, with_repository
from ocitui.core.models import MAX_MANIFEST_SIZE, REF_NAME, Descriptor

CHUNK = 1024 * 1024
_MAX_HEADER = 64 * 1024
_MAX_INDEX = MAX_MANIFEST_SIZE * 16


@dataclass
class ImportReport:
    """What an import added to the layout."""

    archives: list[str] = field(default_factory=list)
    refs_added: list[str] = field(default_factory=list)
    refs_replaced: list[str] = field(default_factory=list)
    referrers_added: int = 0
    entries: int = 0
    blobs_written: int = 0
    blobs_skipped: int = 0
    bytes_written: int = 0
    archive_bytes: int = 0
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Blobs this import wrote (not in ``to_json``): what a failure leaves unnamed.
    written: list[Descriptor] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (``--json``)."""
        return {
            "archives": self.archives,
            "refsAdded": self.refs_added,
            "refsReplaced": self.refs_replaced,
            "referrersAdded": self.referrers_added,
            "entries": self.entries,
            "blobsWritten": self.blobs_written,
            "blobsSkipped": self.blobs_skipped,
            "bytesWritten": self.bytes_written,
            "archiveBytes": self.archive_bytes,
            "missing": self.missing,
            "warnings": self.warnings,
        }


def import_archives(
    layout: Layout,
    paths: Sequence[Path],
    *,
    allow_missing: bool = False,
    repository: str | None = None,
    consumer: EventSink = ignore,
    gate: Callable[[Layout, list[Descriptor]], None] | None = None,
) -> ImportReport:
    """Verify and merge the archives at ``paths`` into ``layout`` (see module docstring).

    Blobs referenced by an archive but neither in it nor in the layout fail the import
    unless ``allow_missing``. Names are checked against the reference grammar; short tags
    other tools wrote (``1.0``) become ``REPOSITORY:1.0`` when ``repository`` is given.
    ``gate`` (e.g. ``import --verify``) sees the verified entries before they are merged
    and refuses them by raising: then nothing is added to ``index.json``.
    """
    if repository is not None:
        with_repository("latest", repository)  # Refuse a bad name before reading anything.
    report = ImportReport()
    with layout.lease():  # gc removes nothing while this import writes and names blobs.
        try:
            return _import(
                layout,
                paths,
                report,
                allow_missing=allow_missing,
                repository=repository,
                consumer=consumer,
                gate=gate,
            )
        except ArchiveError as exc:
            left = unreferenced(layout, report.written)
            if not left:
                raise
            raise ArchiveError(
                f"{exc}; {len(left)} verified blobs it wrote stay in the layout unnamed "
                "(a rerun uses them, 'ocitui gc' frees them)"
            ) from None


def _import(
    layout: Layout,
    paths: Sequence[Path],
    report: ImportReport,
    *,
    allow_missing: bool,
    repository: str | None,
    consumer: EventSink,
    gate: Callable[[Layout, list[Descriptor]], None] | None,
) -> ImportReport:
    incoming: list[Descriptor] = []
    #: Directories blobs were renamed into: each fsynced once, before index.json can name
    #: a blob in it (one fsync per blob's directory was a storm on many small blobs).
    renamed: set[Path] = set()
    for source in resolve_sources(paths):
        report.archives.append(source.label)
        incoming.extend(_read_archive(layout, source, report, consumer, renamed))
    incoming = [_named(entry, repository, report) for entry in incoming]
    missing, warnings = check_complete(layout, incoming)
    report.warnings.extend(warnings)
    report.missing = [str(d) for d in missing]
    if missing and not allow_missing:
        raise ArchiveError(
            f"archive is incomplete: {len(missing)} referenced blob(s) are neither in it nor "
            f"in the layout (e.g. {missing[0]}); nothing was added to index.json"
        )
    if gate is not None:
        gate(layout, incoming)
    for folder in sorted(renamed):
        fsync_dir(folder)
    with layout.batch() as batch:  # One locked index.json rewrite per import.
        batch.apply(lambda entries: merge_entries(entries, incoming, report))
    report.entries = len(incoming)
    consumer(ArchiveFinished("import", report.blobs_written, report.bytes_written))
    return report


def _named(entry: Descriptor, repository: str | None, report: ImportReport) -> Descriptor:
    """``entry`` with a short tag put into ``repository``; a name that is no reference is
    kept as written (another tool's layout is read as it is) and warned about."""
    name = entry.ref_name
    if not name:
        return entry
    if is_short_tag(name):
        if repository is None:
            return entry
        name = with_repository(name, repository)
    else:
        try:
            name = valid_name(name)
        except InvalidReference as exc:
            report.warnings.append(f"kept a name that is not a reference: {exc}")
    return entry.with_changes(annotations={**entry.annotations, REF_NAME: name})


def _read_archive(
    layout: Layout,
    source: ArchiveSource,
    report: ImportReport,
    consumer: EventSink,
    renamed: set[Path],
) -> list[Descriptor]:
    """Import what ``source`` describes; returns its ``index.json`` entries.

    Members are written only once described (see :mod:`.budget`). An archive that puts
    a blob before what describes it is read a second time for those blobs alone
    (``ocitui export`` writes every document before what it describes: one read).
    """
    budget = MemberBudget(source.total_size)
    skipped: dict[Digest, str] = {}
    entries, read = _scan(
        layout, source, report, consumer, budget=budget, skipped=skipped, renamed=renamed
    )
    report.archive_bytes += read
    later = {digest for digest in skipped if budget.is_described(digest)}
    if later:
        _scan(
            layout,
            source,
            report,
            consumer,
            budget=budget,
            skipped={},
            only=later,
            renamed=renamed,
        )
    never = sorted(name for digest, name in skipped.items() if digest not in later)
    if never:
        report.warnings.append(
            f"{source.label}: {len(never)} archive member(s) that nothing in the archive "
            f"describes were not imported (e.g. {never[0]})"
        )
    return entries


def _scan(
    layout: Layout,
    source: ArchiveSource,
    report: ImportReport,
    consumer: EventSink,
    *,
    budget: MemberBudget,
    skipped: dict[Digest, str],
    renamed: set[Path],
    only: set[Digest] | None = None,
) -> tuple[list[Descriptor], int]:
    """One read of the archive: write the blobs ``budget`` admits (of ``only``, when
    given), record the ones it skips in ``skipped``; the entries and bytes read."""
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
                    raise ArchiveError(f"archive member {member.name!r} appears twice")
                seen.add(member.name)
                if member.kind == "oci-layout":
                    _check_header(_read_small(tar, info, _MAX_HEADER))
                    header = True
                elif member.kind == "index":
                    raw = _read_small(tar, info, _MAX_INDEX)
                    entries = _parse_entries(raw)
                    budget.describe(entries)
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
        raise ArchiveError(f"archive member {info.name!r} is {info.size} bytes, over {cap}")
    handle = tar.extractfile(info)
    if handle is None:
        raise ArchiveError(f"archive member {info.name!r} cannot be read")
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
        raise ArchiveError(f"archive oci-layout: unsupported imageLayoutVersion {version!r}")


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
        raise ArchiveError(f"archive member {member.name!r} cannot be read")
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

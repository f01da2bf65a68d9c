"""``import``: merge archives written by ``export`` (or any OCI-layout tar) into a layout.

Each archive is streamed (:mod:`.scan`): parts are checked (size, sha256) as they are
read, member names are checked before use (:mod:`.members`), every blob goes through
:meth:`Layout.ingest`, which verifies digest and size while writing. An archive ``export``
wrote is read once; one that puts a blob before what describes it is read a second time
for those blobs. Blobs the layout already holds are skipped, so an interrupted import can
simply be re-run. Only when
every archive has been read and verified, and the graph it describes is complete, are
its ``index.json`` entries merged, in one locked update: names from the archive replace
the same names in the layout; untagged (referrer) entries are deduplicated by digest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocitui.core.archive.budget import MemberBudget
from ocitui.core.archive.inputs import ArchiveSource, resolve_sources
from ocitui.core.archive.scan import scan
from ocitui.core.archive.verify import check_complete, merge_entries
from ocitui.core.digest import Digest
from ocitui.core.errors import (
    ArchiveError,
    InvalidReference,
)
from ocitui.core.events import (
    ArchiveFinished,
    EventSink,
    ignore,
)
from ocitui.core.layout import Layout
from ocitui.core.layout.gc import unreferenced
from ocitui.core.layout.ingest import fsync_dir
from ocitui.core.layout.refs import is_short_tag, valid_name, with_repository
from ocitui.core.models import REF_NAME, Descriptor


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
    #: Untagged entries the import added (not in ``to_json``): referrers, and whatever
    #: else other tools record untagged (oras: an index's platform manifests).
    untagged_added: list[Digest] = field(default_factory=list)

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
    if report.untagged_added:
        view = layout.referrer_view()
        report.referrers_added = sum(1 for d in report.untagged_added if view.is_referrer(d))
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
    outside: list[str] = []
    entries, read = scan(
        layout,
        source,
        report,
        consumer,
        budget=budget,
        skipped=skipped,
        renamed=renamed,
        outside=outside,
    )
    report.archive_bytes += read
    later = {digest for digest in skipped if budget.is_described(digest)}
    if later:
        scan(
            layout,
            source,
            report,
            consumer,
            budget=budget,
            skipped={},
            only=later,
            renamed=renamed,
        )
    if outside:
        report.warnings.append(
            f"{source.label}: {len(outside)} archive member(s) outside the OCI layout were "
            f"not imported (e.g. {outside[0]})"
        )
    never = sorted(name for digest, name in skipped.items() if digest not in later)
    if never:
        report.warnings.append(
            f"{source.label}: {len(never)} archive member(s) that nothing in the archive "
            f"describes were not imported (e.g. {never[0]})"
        )
    return entries

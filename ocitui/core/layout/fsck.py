"""fsck: verify every byte and every hint of a layout; ``repair`` normalises it.

Checks: each file under ``blobs/`` is a regular file whose content hashes to its name;
every index entry and everything reachable from it parses and has the promised size;
referrer hints match the manifests' ``subject``; names are unique; the derived metadata
index (:mod:`ocitui.core.layout.metadata`) agrees with the blobs. Foreign shapes
(oras-style untagged referrers, referrers another tool tagged, regclient fallback-tag
indexes) are reported and, with ``repair``, turned into ocitui's referrer entries.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ocitui.core import media_types as mt
from ocitui.core.digest import ALGORITHMS, Digest
from ocitui.core.errors import OcituiError
from ocitui.core.layout import metadata
from ocitui.core.layout.guard import open_regular
from ocitui.core.layout.metadata import MetadataIndex
from ocitui.core.layout.referrers import (
    SUBJECT_HINT,
    entry_label,
    fallback_tag_subject,
    hinted_subject,
)
from ocitui.core.layout.refs import with_repository
from ocitui.core.layout.short_tags import name_short_tags
from ocitui.core.layout.store import Layout
from ocitui.core.models import PLATFORMS_ANNOTATION, Descriptor, Document, Index, Manifest
from ocitui.core.text_safety import shown

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Finding:
    """One problem (or note) found by fsck."""

    severity: str  # "error", "warning" or "info"
    code: str
    message: str
    digest: str | None = None
    repaired: bool = False

    def to_json(self) -> dict[str, object]:
        """JSON form."""
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "digest": self.digest,
            "repaired": self.repaired,
        }


@dataclass(frozen=True)
class FsckProgress:
    """Bytes verified so far out of the total in ``blobs/``."""

    done: int
    total: int


@dataclass
class FsckReport:
    """Everything fsck found."""

    findings: list[Finding] = field(default_factory=list)
    blobs: int = 0
    bytes: int = 0

    @property
    def ok(self) -> bool:
        """True when no unrepaired error remains."""
        return not any(f.severity == "error" and not f.repaired for f in self.findings)

    def to_json(self) -> dict[str, object]:
        """JSON form."""
        return {
            "ok": self.ok,
            "blobs": self.blobs,
            "bytes": self.bytes,
            "findings": [f.to_json() for f in self.findings],
        }


def fsck(
    layout: Layout,
    *,
    repair: bool = False,
    repository: str | None = None,
    progress: Callable[[FsckProgress], None] | None = None,
) -> FsckReport:
    """Verify ``layout``; with ``repair`` fix what can be fixed without the network.

    ``repository`` names the repository of short tags other tools wrote: ``repair``
    renames ``1.0`` to ``REPOSITORY:1.0`` (never over a name that is already taken).
    """
    if repository is not None:
        with_repository("latest", repository)  # A bad name fails before anything is read.
    report = FsckReport()
    _check_blobs(layout, report, repair, progress)
    fixes: dict[Digest, Descriptor] = {}
    adopted: list[Document] = []
    _check_entries(layout, report, repair, fixes, adopted)
    if repair and fixes:
        _apply_fixes(layout, fixes)
    with layout.batch():
        for doc in adopted:
            layout.add_referrer(doc)
    report.findings.extend(
        Finding(*note) for note in name_short_tags(layout, repository if repair else None)
    )
    _check_metadata(layout, report, repair)
    return report


def _check_metadata(layout: Layout, report: FsckReport, repair: bool) -> None:
    """The derived metadata index agrees with the blobs (bad records are dropped)."""
    index = MetadataIndex(layout.root)
    if not index.path.exists():
        return
    problems, _ = metadata.check(layout, index)
    if repair:
        index.delete(key for key, _ in problems if key)
    index.close()
    for key, problem in problems:
        report.findings.append(
            Finding("warning", "metadata-record", problem, key or None, repaired=repair)
        )


def _blob_paths(layout: Layout, report: FsckReport) -> list[tuple[Path, os.stat_result]]:
    found: list[tuple[Path, os.stat_result]] = []
    if not layout.blobs_dir.is_dir():
        report.findings.append(Finding("error", "no-blobs-dir", "blobs/ directory is missing"))
        return found
    for folder in sorted(layout.blobs_dir.iterdir()):
        if folder.name not in ALGORITHMS:
            report.findings.append(
                Finding(
                    "warning", "unknown-algorithm", f"blobs/{folder.name}: unknown digest algorithm"
                )
            )
            continue
        for path in sorted(folder.iterdir()):
            found.append((path, os.lstat(path)))
    return found


def _check_blobs(
    layout: Layout,
    report: FsckReport,
    repair: bool,
    progress: Callable[[FsckProgress], None] | None,
) -> None:
    paths = _blob_paths(layout, report)
    total = sum(info.st_size for _, info in paths if stat.S_ISREG(info.st_mode))
    done = 0
    for path, info in paths:
        name = f"{path.parent.name}:{path.name}"
        if not Digest.is_valid(name):
            report.findings.append(
                Finding(
                    "error", "bad-blob-name", f"blobs/{path.parent.name}/{path.name}: not a digest"
                )
            )
            continue
        digest = Digest.parse(name)
        if not stat.S_ISREG(info.st_mode):
            kind = "a symlink" if stat.S_ISLNK(info.st_mode) else "not a regular file"
            if repair and stat.S_ISLNK(info.st_mode):
                path.unlink()
            report.findings.append(
                Finding(
                    "error",
                    "not-a-file",
                    f"blob {digest} is {kind}",
                    str(digest),
                    repair and stat.S_ISLNK(info.st_mode),
                )
            )
            continue
        hasher = digest.hasher()
        try:
            fd = open_regular(path, f"blob {digest}")
        except (OcituiError, OSError) as exc:
            report.findings.append(Finding("error", "not-a-file", str(exc), str(digest)))
            continue
        with os.fdopen(fd, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                hasher.update(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(FsckProgress(done, total))
        report.blobs += 1
        report.bytes += info.st_size
        if hasher.hexdigest() != digest.encoded:
            if repair:
                path.unlink()
            report.findings.append(
                Finding(
                    "error",
                    "corrupt-blob",
                    f"blob {digest} does not match its digest"
                    + (" (removed; pull it again)" if repair else ""),
                    str(digest),
                    repair,
                )
            )


def _check_entries(
    layout: Layout,
    report: FsckReport,
    repair: bool,
    fixes: dict[Digest, Descriptor],
    adopted: list[Document],
) -> None:
    entries = layout.entries()
    names: dict[str, int] = {}
    for entry in entries:
        if entry.ref_name:
            names[entry.ref_name] = names.get(entry.ref_name, 0) + 1
    for name, count in sorted(names.items()):
        if count > 1:
            report.findings.append(
                Finding("error", "duplicate-name", f"{shown(name)} names {count} entries")
            )
    seen: set[Digest] = set()
    for entry in entries:
        doc = _walk(layout, entry, report, seen, top=True)
        if doc is not None:
            _check_referrer_entry(entry, doc, report, repair, fixes)
            if entry.ref_name and doc.subject is not None and SUBJECT_HINT not in entry.annotations:
                _tagged_referrer(layout, entry, doc, report, repair=repair, adopted=adopted)
            if repair and isinstance(doc, Index):
                adopted.extend(_adopt_fallback(layout, entry, doc))


def _walk(
    layout: Layout, desc: Descriptor, report: FsckReport, seen: set[Digest], *, top: bool
) -> Document | None:
    """Check ``desc`` and everything below it, depth first with an explicit stack.

    No recursion over user data: a chain of 1,500 nested indexes is just a long loop.
    """
    doc = _visit(layout, desc, report, seen, top=top, root=desc, sparse_ok=False)
    # Only a platform-filtered pull leaves children out, and it says so on the entry.
    filtered = top and isinstance(doc, Index) and PLATFORMS_ANNOTATION in desc.annotations
    stack = [(child, filtered) for child in reversed(_children(doc))]
    while stack:
        child, sparse_ok = stack.pop()
        below = _visit(layout, child, report, seen, top=False, root=desc, sparse_ok=sparse_ok)
        stack.extend((grandchild, False) for grandchild in reversed(_children(below)))
    return doc


def _children(doc: Document | None) -> tuple[Descriptor, ...]:
    if doc is None:
        return ()
    return doc.manifests if isinstance(doc, Index) else doc.children()


def _visit(
    layout: Layout,
    desc: Descriptor,
    report: FsckReport,
    seen: set[Digest],
    *,
    top: bool,
    root: Descriptor,
    sparse_ok: bool,
) -> Document | None:
    """Check one node. A missing blob breaks ``root`` (an error), unless it is a platform
    manifest that ``root``'s recorded platform filter left out (``sparse_ok``: sparse by
    design, a note) or a foreign layer (fetched from its ``urls``; pulls leave it out)."""
    if not layout.has_blob(desc.digest):
        if top:
            report.findings.append(
                Finding(
                    "error",
                    "missing-manifest",
                    f"index entry {desc.digest} has no blob",
                    str(desc.digest),
                )
            )
        elif desc.digest not in seen and sparse_ok:
            report.findings.append(
                Finding(
                    "info",
                    "sparse",
                    f"{desc.digest} ({desc.platform or desc.media_type}) left out by the "
                    f"platform filter recorded on {entry_label(root)}",
                    str(desc.digest),
                )
            )
        elif desc.digest not in seen and desc.is_foreign_layer:
            report.findings.append(
                Finding(
                    "info",
                    "foreign-layer",
                    f"{desc.digest} ({desc.media_type}) is a foreign layer, fetched from its "
                    f"urls, not stored (as pulls leave it out)",
                    str(desc.digest),
                )
            )
        elif desc.digest not in seen:
            report.findings.append(
                Finding(
                    "error",
                    "missing-blob",
                    f"{desc.digest} ({desc.media_type}) is missing: {entry_label(root)} is broken",
                    str(desc.digest),
                )
            )
        seen.add(desc.digest)
        return None
    if not layout.has_blob(desc.digest, desc.size):
        report.findings.append(
            Finding(
                "error",
                "size-mismatch",
                f"{desc.digest}: blob size differs from descriptor size {desc.size}",
                str(desc.digest),
            )
        )
    if not desc.is_manifest_like or (desc.digest in seen and not top):
        seen.add(desc.digest)
        return None
    seen.add(desc.digest)
    try:
        doc = layout.get_document(desc.digest, desc.media_type)
    except OcituiError as exc:
        report.findings.append(
            Finding("error", "bad-manifest", f"{desc.digest}: {exc}", str(desc.digest))
        )
        return None
    return doc


def _check_referrer_entry(
    entry: Descriptor,
    doc: Document,
    report: FsckReport,
    repair: bool,
    fixes: dict[Digest, Descriptor],
) -> None:
    hint = hinted_subject(entry)
    subject = doc.subject.digest if doc.subject is not None else None
    effective = mt.effective_artifact_type(doc.doc)
    wanted = entry.with_changes(
        artifact_type=effective,
        annotations={**doc.annotations, **_keep(entry), SUBJECT_HINT: str(subject)},
    )
    if SUBJECT_HINT in entry.annotations:
        if subject is None or hint != subject:
            report.findings.append(
                Finding(
                    "error",
                    "bad-subject-hint",
                    f"{entry.digest}: index.json says subject {hint}, manifest says {subject}",
                    str(entry.digest),
                    repair,
                )
            )
            if repair:
                fixes[entry.digest] = wanted if subject else _without_hint(entry)
        elif entry.artifact_type != effective:
            report.findings.append(
                Finding(
                    "warning",
                    "bad-artifact-type",
                    f"{entry.digest}: index.json artifactType {shown(entry.artifact_type)}, "
                    f"manifest's is {shown(effective)}",
                    str(entry.digest),
                    repair,
                )
            )
            if repair:
                fixes[entry.digest] = wanted
    elif subject is not None and entry.ref_name is None:
        report.findings.append(
            Finding(
                "info",
                "foreign-referrer",
                f"{entry.digest}: referrer of {subject} without ocitui's subject hint (oras shape)",
                str(entry.digest),
                repair,
            )
        )
        if repair:
            fixes[entry.digest] = wanted
    elif fallback_tag_subject(entry.ref_name) is not None and isinstance(doc, Index):
        report.findings.append(
            Finding(
                "info",
                "fallback-tag-index",
                f"{entry.ref_name}: referrers fallback-tag index (regclient shape)",
                str(entry.digest),
                repair,
            )
        )
    if isinstance(doc, Manifest) and entry.annotations.get("kind", "").startswith(
        "dev.cosignproject.cosign/"
    ):
        report.findings.append(
            Finding(
                "info",
                "cosign-save-entry",
                f"{entry.digest}: cosign save entry ({entry.annotations['kind']})",
                str(entry.digest),
            )
        )


def _tagged_referrer(
    layout: Layout,
    entry: Descriptor,
    doc: Document,
    report: FsckReport,
    *,
    repair: bool,
    adopted: list[Document],
) -> None:
    """A referrer another tool tagged (``skopeo copy ... oci:L:sig``): it is listed as a
    referrer already; ``repair`` also records ocitui's untagged entry, keeping the tag."""
    assert doc.subject is not None
    recorded = any(
        e.digest == entry.digest and SUBJECT_HINT in e.annotations for e in layout.entries()
    )
    if recorded:
        return
    report.findings.append(
        Finding(
            "info",
            "tagged-referrer",
            f"{entry.ref_name}: a referrer of {doc.subject.digest} under a tag "
            "(kept; listed as a referrer)",
            str(entry.digest),
            repair,
        )
    )
    if repair:
        adopted.append(doc)


def _adopt_fallback(layout: Layout, entry: Descriptor, index: Index) -> list[Document]:
    """The referrer manifests a fallback-tag index lists that are present in the layout."""
    subject = fallback_tag_subject(entry.ref_name)
    if subject is None:
        return []
    adopted = []
    known = {e.digest for e in layout.entries() if SUBJECT_HINT in e.annotations}
    for child in index.manifests:
        if child.digest in known or not layout.has_blob(child.digest):
            continue
        try:
            doc = layout.get_document(child.digest, child.media_type)
        except OcituiError:
            continue
        if doc.subject is not None and doc.subject.digest == subject:
            adopted.append(doc)
    return adopted


def _keep(entry: Descriptor) -> dict[str, str]:
    return {k: v for k, v in entry.annotations.items() if k != SUBJECT_HINT}


def _without_hint(entry: Descriptor) -> Descriptor:
    return entry.with_changes(annotations=_keep(entry))


def _apply_fixes(layout: Layout, fixes: dict[Digest, Descriptor]) -> None:
    def patch(entries: list[Descriptor]) -> list[Descriptor]:
        out = []
        for entry in entries:
            fixed = fixes.get(entry.digest)
            out.append(fixed if fixed is not None and not entry.ref_name else entry)
        return out

    layout.update_index(patch)

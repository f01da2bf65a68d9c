"""After an import has streamed its blobs: is the graph complete, and how entries merge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ocitui.core.digest import Digest
from ocitui.core.errors import ArchiveError, ManifestError
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor

if TYPE_CHECKING:
    from ocitui.core.archive.importer import ImportReport


def check_complete(layout: Layout, entries: list[Descriptor]) -> tuple[list[Digest], list[str]]:
    """Walk from ``entries`` through the layout: ``(missing digests, warnings)``.

    A blob present with another size than a descriptor says is an error: its content
    was verified against its digest, so the descriptor lies.
    """
    missing: list[Digest] = []
    warnings: list[str] = []
    seen: set[Digest] = set()
    stack = list(entries)
    while stack:
        desc = stack.pop()
        if desc.digest in seen:
            continue
        seen.add(desc.digest)
        if not layout.has_blob(desc.digest, desc.size):
            if layout.has_blob(desc.digest):
                raise ArchiveError(
                    f"blob {desc.digest} is referenced with size {desc.size} but has another size"
                )
            if not desc.is_foreign_layer:  # Fetched from its urls: not needed here.
                missing.append(desc.digest)
            continue
        if not desc.is_manifest_like:
            continue
        try:
            doc = layout.get_document(desc.digest, desc.media_type)
        except ManifestError as exc:
            warnings.append(f"{desc.digest}: {exc}")
            continue
        stack.extend(doc.children())
    return sorted(missing, key=str), warnings


def merge_entries(
    existing: list[Descriptor], incoming: list[Descriptor], report: ImportReport
) -> list[Descriptor]:
    """Existing entries minus those the archive replaces, then the archive's entries.

    A name in the archive replaces the same name in the layout; an untagged entry
    replaces an untagged entry of the same digest (referrers are never listed twice).
    Later archives win over earlier ones.
    """
    latest: dict[tuple[str, str], Descriptor] = {}
    for entry in incoming:
        key = ("name", entry.ref_name) if entry.ref_name else ("digest", str(entry.digest))
        latest.pop(key, None)
        latest[key] = entry
    names = {e.ref_name for e in latest.values() if e.ref_name}
    untagged = {e.digest for e in latest.values() if not e.ref_name}
    held_names = {e.ref_name: e for e in existing if e.ref_name}
    held_untagged = {e.digest for e in existing if not e.ref_name}
    report.refs_added = sorted(n for n in names if n not in held_names)
    report.refs_replaced = sorted(
        n for n in names if n in held_names and held_names[n].digest != latest[("name", n)].digest
    )
    report.untagged_added = sorted(untagged - held_untagged, key=str)
    report.referrers_added = len(report.untagged_added)  # Until the caller tells them apart.
    kept = [
        e for e in existing if not (e.ref_name in names if e.ref_name else e.digest in untagged)
    ]
    return kept + list(latest.values())

"""The ``facts`` table of the metadata index: is a manifest a referrer, and of what.

Three fields of each stored record (:mod:`ocitui.core.layout.metadata`) are kept again,
as columns of a narrow table: the media type the document declares, its ``subject`` and
its effective artifact type (what the referrers API would report). Finding the referrers
among every entry of a big ``index.json`` reads only these columns, with no record
parsed. Rows are written and deleted together with their records (one transaction) and
``fsck`` compares them with the blobs like the records.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ocitui.core.digest import Digest
from ocitui.core.errors import InvalidDigest

if TYPE_CHECKING:
    from ocitui.core.layout.metadata import ManifestMeta, MetadataIndex

TABLE = "facts"
CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (digest TEXT PRIMARY KEY, "
    "declared TEXT, subject TEXT, artifact TEXT) WITHOUT ROWID"
)
INSERT = f"INSERT OR REPLACE INTO {TABLE} (digest, declared, subject, artifact) VALUES (?, ?, ?, ?)"

#: A row as stored: ``(digest, declared, subject, artifact)``, all text or NULL.
Row = tuple[str, str | None, str | None, str | None]


@dataclass(frozen=True)
class SubjectFacts:
    """The part of a record that says whether (and of what) a manifest is a referrer."""

    declared: str | None
    subject: Digest | None
    effective_artifact_type: str | None


def row_of(key: str, meta: ManifestMeta) -> Row:
    """The row stored for the facts ``meta`` of the digest ``key``."""
    return (key, meta.declared, meta.subject, meta.effective_artifact_type)


def subjects(index: MetadataIndex, digests: Iterable[Digest]) -> dict[Digest, SubjectFacts]:
    """The stored facts of ``digests`` (unknown ones and damaged rows left out).

    Much cheaper than :meth:`MetadataIndex.lookup` (no record is parsed): what a
    referrer scan of every index entry needs.
    """
    wanted = {str(d): d for d in digests}
    found: dict[Digest, SubjectFacts] = {}
    for key, declared, subject, artifact in index.select(
        TABLE, "declared, subject, artifact", wanted
    ):
        try:
            parsed = Digest.parse(subject) if subject is not None else None
        except InvalidDigest:
            continue  # A damaged row: computed again.
        found[wanted[key]] = SubjectFacts(_opt_text(declared), parsed, _opt_text(artifact))
    return found


def without_subject(index: MetadataIndex) -> set[str]:
    """The digests whose stored facts say they have no subject: a declared media type
    and no subject, so no reading of them finds one (one query; empty on any error)."""
    try:
        rows = index.query(
            f"SELECT digest FROM {TABLE} WHERE typeof(declared) = 'text' AND subject IS NULL"
        )
    except sqlite3.Error:
        return set()
    return {row[0] for row in rows}


def all_rows(index: MetadataIndex) -> list[Row]:
    """Every stored row (for fsck; raises ``sqlite3.Error`` when unreadable)."""
    return index.query(f"SELECT digest, declared, subject, artifact FROM {TABLE}")


def _opt_text(value: object) -> str | None:
    return value if isinstance(value, str) else None

"""Referrer diff: which signatures, SBOMs and attestations one side has and the other lacks.

Referrers are collected recursively (referrers of referrers), matched by digest, and
summarised per artifact type, which answers "did the signature come along?".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ocitui.core import media_types as mt
from ocitui.core.diff.data import DiffData
from ocitui.core.diff.store import ContentStore
from ocitui.core.digest import Digest
from ocitui.core.errors import DiffError, OcituiError
from ocitui.core.models import Descriptor

#: Referrer chains deeper than this are not followed (a signature of an SBOM's signature...).
MAX_DEPTH = 8
#: Cap on referrers collected per side, against pathological stores.
MAX_REFERRERS = 10_000


@dataclass(frozen=True)
class ReferrerRef(DiffData):
    """One referrer: its digest, artifact type, the subject it refers to, and its depth."""

    digest: str
    artifact_type: str | None
    media_type: str
    subject: str
    depth: int
    legacy_tag: str | None = None


@dataclass(frozen=True)
class TypeCount(DiffData):
    """How many referrers of one artifact type each side has."""

    artifact_type: str
    a: int
    b: int


@dataclass(frozen=True)
class ReferrersDiff(DiffData):
    """Referrers on one side only (by digest), how many are shared, and counts per type."""

    only_a: tuple[ReferrerRef, ...] = ()
    only_b: tuple[ReferrerRef, ...] = ()
    shared: int = 0
    by_type: tuple[TypeCount, ...] = ()

    @property
    def count(self) -> int:
        """Referrers present on one side only."""
        return len(self.only_a) + len(self.only_b)


def collect_referrers(store: ContentStore, subject: Digest, side: str) -> list[ReferrerRef]:
    """All referrers of ``subject``, breadth first, each digest once."""
    found: dict[str, ReferrerRef] = {}
    frontier = [(subject, 1)]
    seen = {str(subject)}
    while frontier:
        current, depth = frontier.pop(0)
        for desc, legacy in _attached(store, current, side):
            key = str(desc.digest)
            if key in seen or len(found) >= MAX_REFERRERS:
                continue
            seen.add(key)
            artifact_type = desc.artifact_type
            if legacy and (artifact_type is None or artifact_type in mt.CONFIG_TYPES):
                # A legacy cosign manifest's "type" is an image config: name the tag kind.
                artifact_type = f"cosign .{legacy} tag"
            found[key] = ReferrerRef(
                key, artifact_type, desc.media_type, str(current), depth, legacy
            )
            if depth < MAX_DEPTH:
                frontier.append((desc.digest, depth + 1))
    return sorted(found.values(), key=lambda r: (r.depth, r.artifact_type or "", r.digest))


def _attached(
    store: ContentStore, subject: Digest, side: str
) -> list[tuple[Descriptor, str | None]]:
    """Referrers of ``subject``, plus its legacy cosign tags."""
    try:
        found: list[tuple[Descriptor, str | None]] = [(d, None) for d in store.referrers(subject)]
        found += [(desc, kind) for kind, desc in store.legacy_attachments(subject)]
    except OcituiError as exc:
        raise DiffError(f"side {side}: cannot list referrers of {subject}: {exc}") from None
    return found


def diff_referrers(
    store_a: ContentStore, subject_a: Digest, store_b: ContentStore, subject_b: Digest
) -> ReferrersDiff:
    """Compare the referrer trees of two subjects."""
    refs_a = collect_referrers(store_a, subject_a, "A")
    refs_b = collect_referrers(store_b, subject_b, "B")
    digests_a = {r.digest for r in refs_a}
    digests_b = {r.digest for r in refs_b}
    count_a = Counter(r.artifact_type or "-" for r in refs_a)
    count_b = Counter(r.artifact_type or "-" for r in refs_b)
    by_type = tuple(
        TypeCount(t, count_a[t], count_b[t]) for t in sorted(set(count_a) | set(count_b))
    )
    return ReferrersDiff(
        only_a=tuple(r for r in refs_a if r.digest not in digests_b),
        only_b=tuple(r for r in refs_b if r.digest not in digests_a),
        shared=len(digests_a & digests_b),
        by_type=by_type,
    )

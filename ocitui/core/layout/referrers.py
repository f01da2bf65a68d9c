"""The subject -> referrers relation of a layout, answered from ``index.json``.

Our own entries carry ``dev.ocitui.referrer.subject``, so listing needs no blob reads.
Foreign shapes are read too: regclient's ``sha256-<hex>`` fallback-tag indexes, entries
whose subject is only inside the manifest (oras' untagged entries, a referrer another tool
tagged, the ``dev.cosignproject.cosign/referrers/<hex>`` kinds of cosign-based stores: every
manifest entry without a hint is read once per index state, from the layout's small-blob
memo), and the proposed PR #1171 annotation. Legacy cosign tags
(``sha256-<hex>.sig/.att/.sbom``) and cosign ``save``'s ``kind``-annotated sigs/atts
entries are reported separately as legacy attachments.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ocitui.core import media_types as mt
from ocitui.core.bulk import no_gc
from ocitui.core.digest import Digest
from ocitui.core.errors import InvalidDigest, OcituiError
from ocitui.core.layout import metadata_facts as facts
from ocitui.core.limits import GRAPH_DEPTH
from ocitui.core.models import REF_NAME, Descriptor, Index
from ocitui.core.views_text import unnamed_label

if TYPE_CHECKING:
    from ocitui.core.layout.index_file import RawIndex
    from ocitui.core.layout.store import Layout

SUBJECT_HINT = "dev.ocitui.referrer.subject"
PR1171_SUBJECT = "org.opencontainers.image.referrer.subject"
_FALLBACK_TAG = re.compile(r"(?:.*:)?(sha256|sha512)-([a-f0-9]{64})")
COSIGN_SAVE_KIND = "kind"
_COSIGN_SAVE_KINDS = {
    "dev.cosignproject.cosign/image": "subject",
    "dev.cosignproject.cosign/imageIndex": "subject",
    "dev.cosignproject.cosign/sigs": "sig",
    "dev.cosignproject.cosign/atts": "att",
    "dev.cosignproject.cosign/sboms": "sbom",
}
_LEGACY_TAG = re.compile(r"(?:.*:)?(sha256|sha512)-([a-f0-9]{64})\.(sig|att|sbom)")


@dataclass
class ReferrerNode:
    """One referrer and, recursively, its own referrers."""

    descriptor: Descriptor
    children: list[ReferrerNode] = field(default_factory=list)
    #: Where the relation came from: "ocitui", "fallback-tag", "manifest", "pr1171".
    source: str = "ocitui"
    #: True when this node has referrers of its own below the graph-depth bound.
    truncated: bool = False


def hinted_subject(entry: Descriptor) -> Digest | None:
    """The subject digest an entry's annotations claim, if any."""
    value = entry.annotations.get(SUBJECT_HINT) or entry.annotations.get(PR1171_SUBJECT)
    if value is None:
        return None
    try:
        return Digest.parse(value)
    except InvalidDigest:
        return None


def cosign_save_kind(entry: Descriptor) -> str | None:
    """``image``, ``imageIndex``, ``sigs``, ``atts``, ``sboms`` or ``referrers`` for an entry
    ``cosign save`` wrote (annotation ``kind: dev.cosignproject.cosign/...``), else None."""
    value = entry.annotations.get(COSIGN_SAVE_KIND, "")
    prefix = "dev.cosignproject.cosign/"
    if not value.startswith(prefix):
        return None
    return value[len(prefix) :].split("/", 1)[0] or None


def is_cosign_save_subject(entry: Descriptor) -> bool:
    """True for the image (or index) a ``cosign save`` layout was written for."""
    return cosign_save_kind(entry) in ("image", "imageIndex")


def entry_label(entry: Descriptor) -> str:
    """How an entry is named in output: its ``ref.name``, else what wrote it and its digest
    (``(cosign save sigs) sha256:...``), else ``(untagged) sha256:...``."""
    if entry.ref_name:
        return entry.ref_name
    return f"{unnamed_label(cosign_kind=cosign_save_kind(entry))} {entry.digest}"


def fallback_tag_subject(name: str | None) -> Digest | None:
    """The subject named by a referrers fallback tag ``[repo:]sha256-<hex>``."""
    if not name or "sha256-" not in name:
        return None
    match = _FALLBACK_TAG.fullmatch(name)
    if match is None:
        return None
    algorithm, encoded = match.groups()
    return Digest(algorithm, encoded) if algorithm == "sha256" else None


def legacy_tag_subject(name: str | None) -> tuple[Digest, str] | None:
    """``(subject, kind)`` for a cosign legacy tag ``[repo:]sha256-<hex>.sig|att|sbom``."""
    if not name or "sha256-" not in name:
        return None
    match = _LEGACY_TAG.fullmatch(name)
    if match is None or match.group(1) != "sha256":
        return None
    return Digest("sha256", match.group(2)), match.group(3)


class ReferrerView:
    """An immutable map subject -> referrer descriptors for one state of ``index.json``."""

    def __init__(self, layout: Layout, entries: list[Descriptor]) -> None:
        self._by_subject: dict[Digest, dict[Digest, tuple[Descriptor, str]]] = defaultdict(dict)
        self._legacy: dict[Digest, list[tuple[str, Descriptor]]] = defaultdict(list)
        cosign_subjects: list[Descriptor] = []
        cosign_attached: list[tuple[str, Descriptor]] = []
        self._unhinted: list[Descriptor] = []
        self._referrer_digests: set[Digest] | None = None
        with no_gc():
            unhinted = self._unhinted
            manifest_like = mt.MANIFEST_LIKE
            for entry in entries:
                annotations = entry.annotations
                if not annotations:  # Most image entries of big layouts: decided here.
                    if entry.media_type in manifest_like:
                        unhinted.append(entry)
                    continue
                kind = _COSIGN_SAVE_KINDS.get(annotations.get(COSIGN_SAVE_KIND, ""))
                if kind == "subject":
                    cosign_subjects.append(entry)
                elif kind is not None:
                    cosign_attached.append((kind, entry))
                name = annotations.get(REF_NAME)
                if (
                    SUBJECT_HINT in annotations
                    or PR1171_SUBJECT in annotations
                    or (name and "sha256-" in name)
                ):
                    self._add_entry(layout, entry)
                elif entry.media_type in manifest_like:
                    # What _add_entry decides for an entry without a hint or a digest tag.
                    unhinted.append(entry)
            if self._unhinted:
                self._add_from_manifests(layout, self._unhinted)
        # cosign save writes one image per layout, its sigs/atts beside it with only a
        # "kind" annotation: they belong to that image when it is the only one.
        if len(cosign_subjects) == 1:
            self._legacy[cosign_subjects[0].digest].extend(cosign_attached)

    def _record(self, subject: Digest, desc: Descriptor, source: str) -> None:
        known = self._by_subject[subject]
        if desc.digest not in known or source == "ocitui":
            known[desc.digest] = (desc, source)

    def _add_entry(self, layout: Layout, entry: Descriptor) -> None:
        hint = hinted_subject(entry)
        if hint is not None:
            self._record(hint, entry, "ocitui" if SUBJECT_HINT in entry.annotations else "pr1171")
            return
        legacy = legacy_tag_subject(entry.ref_name)
        if legacy is not None:
            self._legacy[legacy[0]].append((legacy[1], entry))
            return
        fallback = fallback_tag_subject(entry.ref_name)
        if fallback is not None and mt.is_index(entry.media_type):
            self._add_fallback_index(layout, fallback, entry)
            return
        if entry.is_manifest_like:
            # Tagged or not: skopeo copying a signature to ``L:sig`` keeps its subject.
            self._unhinted.append(entry)

    def _add_fallback_index(self, layout: Layout, subject: Digest, entry: Descriptor) -> None:
        try:
            doc = layout.get_document(entry.digest, entry.media_type)
        except OcituiError:
            return  # fsck reports unreadable entries; listing stays usable.
        if isinstance(doc, Index):
            for child in doc.manifests:
                self._record(subject, child, "fallback-tag")

    def _add_from_manifests(self, layout: Layout, entries: list[Descriptor]) -> None:
        """Entries without a hint: the subject, if any, is inside the manifest.

        Answered by the metadata index (three columns per entry, one query), so a
        layout of thousands of images is not re-read and re-hashed on every listing.
        """
        view = layout.metadata_view()
        if len(entries) > 64:
            # Most are images: one query names those whose stored facts rule out a
            # subject, and only the others are looked at one by one.
            ruled_out = facts.without_subject(view.index)
            entries = [e for e in entries if str(e.digest) not in ruled_out]
        found = view.subjects_of((e.digest, e.media_type) for e in entries)
        for entry in entries:
            known = found.get(entry.digest)
            if known is None or not layout.has_blob(entry.digest):
                continue
            subject, artifact_type = known
            desc = entry
            if desc.artifact_type is None:
                desc = desc.with_changes(artifact_type=artifact_type)
            self._record(subject, desc, "manifest")
        view.flush()

    def referrers(self, subject: Digest, artifact_types: Sequence[str] = ()) -> list[Descriptor]:
        """Direct referrers of ``subject``, filtered by artifact type when given."""
        found = [d for d, _ in self._by_subject.get(subject, {}).values()]
        if artifact_types:
            found = [d for d in found if d.artifact_type in artifact_types]
        return sorted(found, key=referrer_sort_key)

    def tree(self, subject: Digest, artifact_types: Sequence[str] = ()) -> list[ReferrerNode]:
        """Referrers of ``subject`` and theirs, breadth first, each digest once.

        A visited set keyed by digest keeps the walk linear however many subjects the
        entries claim for one digest (and cuts cycles); no recursion, and the tree stops at
        the graph-depth bound (:data:`~ocitui.core.limits.GRAPH_DEPTH`), marking the
        nodes whose referrers were not expanded as ``truncated``.
        """
        max_depth = GRAPH_DEPTH.int_value()
        seen = {subject}
        roots: list[ReferrerNode] = []
        order: list[ReferrerNode] = []
        queue: deque[tuple[Digest, list[ReferrerNode], int]] = deque([(subject, roots, 1)])
        while queue:
            parent, siblings, depth = queue.popleft()
            for desc, source in sorted(
                self._by_subject.get(parent, {}).values(),
                key=lambda pair: referrer_sort_key(pair[0]),
            ):
                if desc.digest in seen:
                    continue
                seen.add(desc.digest)
                node = ReferrerNode(desc, [], source)
                siblings.append(node)
                order.append(node)
                if depth >= max_depth:
                    node.truncated = bool(self._by_subject.get(desc.digest))
                else:
                    queue.append((desc.digest, node.children, depth + 1))
        if not artifact_types:
            return roots

        def keep(node: ReferrerNode) -> bool:
            return node.descriptor.artifact_type in artifact_types or bool(node.children)

        for node in reversed(order):  # Children before parents: a filtered branch empties.
            node.children = [child for child in node.children if keep(child)]
        return [node for node in roots if keep(node)]

    def is_referrer(self, digest: Digest) -> bool:
        """True when ``digest`` refers to some subject (by hint, fallback tag or manifest)."""
        if self._referrer_digests is None:
            self._referrer_digests = {d for known in self._by_subject.values() for d in known}
        return digest in self._referrer_digests

    def count(self, subject: Digest) -> int:
        """How many direct referrers ``subject`` has."""
        return len(self._by_subject.get(subject, ()))

    def legacy_attachments(self, subject: Digest) -> list[tuple[str, Descriptor]]:
        """Cosign legacy tags for ``subject``: ``[(kind, entry)]``, kind in sig/att/sbom."""
        found = self._legacy.get(subject)
        return sorted(found, key=lambda pair: pair[0]) if found else []

    def legacy_kinds(self, subject: Digest) -> tuple[str, ...]:
        """The kinds of :meth:`legacy_attachments`, in its order."""
        found = self._legacy.get(subject)
        return tuple(kind for kind, _ in self.legacy_attachments(subject)) if found else ()


@dataclass
class _Candidates:
    """Where the entries that can relate to a subject are, by position in ``index.json``
    (a superset: :class:`ReferrerView` applies the exact rules to the ones chosen)."""

    #: Entries whose subject hint is a valid digest, by that digest's text.
    hinted: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: Entries named ``...sha256-<hex>...`` (fallback and legacy tags), by that hex.
    tagged: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: Manifests and indexes without a valid hint: their subject is inside them.
    unhinted: list[int] = field(default_factory=list)
    #: Entries ``cosign save`` marked with a kind (its rule counts them all).
    cosign: list[int] = field(default_factory=list)


_TAG_HEX = re.compile(r"sha256-([a-f0-9]{64})")


def _candidates(index: RawIndex) -> _Candidates:
    """One pass over the undecided entries (kept with the index state)."""
    found = index.memo.get("referrer-candidates")
    if isinstance(found, _Candidates):
        return found
    out = _Candidates()
    for i, item in enumerate(index.items):
        if not isinstance(item, dict):
            continue
        annotations = item.get("annotations")
        if not isinstance(annotations, dict):
            annotations = {}
        # Undecided entries are raw JSON: a value may be a list or an object (unhashable),
        # so only strings are looked up; the entry is judged when it is chosen.
        kind = annotations.get(COSIGN_SAVE_KIND)
        if isinstance(kind, str) and kind in _COSIGN_SAVE_KINDS:
            out.cosign.append(i)
        hint = annotations.get(SUBJECT_HINT) or annotations.get(PR1171_SUBJECT)
        if isinstance(hint, str) and Digest.is_valid(hint):
            out.hinted[hint].append(i)
            continue
        name = annotations.get(REF_NAME)
        if isinstance(name, str) and "sha256-" in name:
            for encoded in set(_TAG_HEX.findall(name)):
                out.tagged[encoded].append(i)
        media_type = item.get("mediaType")
        if not isinstance(media_type, str) or media_type in mt.MANIFEST_LIKE:
            out.unhinted.append(i)  # (A malformed type: chosen, so it is judged.)
    index.memo["referrer-candidates"] = out
    return out


def scoped_view(layout: Layout, index: RawIndex, subject: Digest, *, tree: bool) -> ReferrerView:
    """A :class:`ReferrerView` of only the entries that can relate to ``subject`` (with
    ``tree``: to its referrers too, down to one level below the graph-depth bound).

    Its answers about those subjects are the full view's: every entry that could be
    recorded for them is among the ones chosen (hinted at them, tagged with their hex,
    a manifest whose stored facts do not rule out a subject, every ``cosign save``
    entry), and the chosen ones keep their order. Only the chosen entries are
    validated: ``inspect REF`` and ``referrers REF`` of a 10,000-entry index judge a few.
    """
    where = _candidates(index)
    chosen: set[int] = set(where.cosign)
    scope: set[Digest] = set()
    frontier = [subject]
    levels = GRAPH_DEPTH.int_value() + 1 if tree else 1
    # Manifests whose stored facts say they have no subject at all stay out.
    ruled_out = facts.without_subject(layout.metadata_view().index)
    chosen.update(
        i
        for i in where.unhinted
        if not isinstance(digest := index.items[i].get("digest"), str) or digest not in ruled_out
    )
    view = ReferrerView(layout, [])
    for _ in range(levels):
        scope.update(frontier)
        for digest in frontier:
            chosen.update(where.hinted.get(str(digest), ()))
            chosen.update(where.tagged.get(digest.encoded[:64], ()))
        view = ReferrerView(layout, [index.entry(i) for i in sorted(chosen)])
        if not tree:
            break
        found = (desc.digest for digest in frontier for desc in view.referrers(digest))
        frontier = [digest for digest in dict.fromkeys(found) if digest not in scope]
        if not frontier:
            break
    return view


def referrer_sort_key(desc: Descriptor) -> tuple[str, str, str]:
    """The one order of referrers, local or remote: artifact type, creation time, digest."""
    from ocitui.core.models import CREATED

    return (desc.artifact_type or "", desc.annotations.get(CREATED, ""), str(desc.digest))

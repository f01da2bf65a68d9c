"""Presentation models of a layout: tags grouped by registry -> repository -> tag.

Pure data built from the layout store for the TUI's Browse pane. What an entry *is* comes
from the layout's own summary (:func:`ocitui.core.layout.summary.summarise`, the ``ls``
row) and its one machine-tag classifier; nothing here re-derives it. Machine tags
(``sha256-<hex>`` fallback indexes, cosign ``.sig/.att/.sbom``, imgpkg ``.imgpkg``) hang
under the image they belong to; untagged referrers hang under their subjects; an imgpkg
bundle's locked images hang under the bundle (see :mod:`ocitui.core.views_children`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from ocitui.core import media_types as mt
from ocitui.core.bulk import no_gc
from ocitui.core.digest import Digest
from ocitui.core.errors import InvalidReference
from ocitui.core.layout import Layout
from ocitui.core.layout.referrers import hinted_subject
from ocitui.core.layout.refs import LOCAL, is_short_tag, local_repository
from ocitui.core.layout.summary import children_of_indexes, machine_tag_kind, type_label
from ocitui.core.models import Descriptor
from ocitui.core.reference import parse_reference
from ocitui.core.views_describe import NodeInfo, describe, describe_many
from ocitui.core.views_search import SearchTerms, search_terms

#: Pseudo names for entries whose ref.name is not an image reference (other tools' short
#: tags are shown under the layout directory's name, see :mod:`ocitui.core.layout.refs`).
LOCAL_REGISTRY = LOCAL
UNNAMED_REPOSITORY = "(unnamed)"


@dataclass(frozen=True)
class MachineTag:
    """A tag written by tools rather than people (``sha256-<hex>[.suffix]``, ``*.imgpkg``)."""

    tag: str
    kind: str
    subject: Digest | None
    info: NodeInfo


@dataclass
class TagItem:
    """One human tag of a repository, with the machine tags that belong to it."""

    ref_name: str
    registry: str
    repository: str
    tag: str
    info: NodeInfo
    machine: list[MachineTag] = field(default_factory=list)
    _terms: SearchTerms | None = field(default=None, repr=False, compare=False)

    @property
    def terms(self) -> SearchTerms:
        """What ``/`` searches (see :mod:`ocitui.core.views_search`): set by
        :func:`build_tree` (with referrers and machine tags); until then worked out when
        first asked from the tag's own descriptor."""
        if self._terms is None:
            self._terms = search_terms(None, self.info, [])
        return self._terms

    @terms.setter
    def terms(self, terms: SearchTerms) -> None:
        self._terms = terms


@dataclass
class RepoGroup:
    """A repository and its tags (sorted by tag)."""

    registry: str
    repository: str
    tags: list[TagItem] = field(default_factory=list)

    @property
    def name(self) -> str:
        """``registry/repository``."""
        return f"{self.registry}/{self.repository}"

    @cached_property
    def terms(self) -> SearchTerms:
        """The search terms of all its tags at once: a filter passes over a repository
        none of whose tags match in one substring search."""
        return SearchTerms(
            tuple(text for tag in self.tags for text in tag.terms.texts),
            tuple(digest for tag in self.tags for digest in tag.terms.digests),
        )


@dataclass
class RegistryGroup:
    """A registry and its repositories."""

    registry: str
    repositories: list[RepoGroup] = field(default_factory=list)


@dataclass
class LayoutTree:
    """Everything the Browse tree shows at its top levels."""

    registries: list[RegistryGroup]
    #: Untagged entries that are not referrers (kept reachable by digest only).
    untagged: list[NodeInfo]
    tag_count: int
    entry_count: int
    #: Search terms of the untagged entries, by digest.
    untagged_terms: dict[Digest, SearchTerms] = field(default_factory=dict)
    #: Names only (:func:`outline_tree`): no counts, no machine tags, no untagged entries.
    partial: bool = False


@dataclass(frozen=True)
class ChildItem:
    """A node under a tag or another node.

    Kinds: ``platform`` (an index's manifest), ``referrer``, ``machine`` (a machine tag),
    ``locked`` (an image an imgpkg bundle locks; ``info`` is ``None`` when it is absent).
    """

    kind: str
    label: str
    info: NodeInfo | None
    present: bool = True


def _split_name(ref_name: str, local: str) -> tuple[str, str, str]:
    if is_short_tag(ref_name):  # Another tool's short tag: (local)/LAYOUT:TAG.
        return LOCAL_REGISTRY, local, ref_name
    try:
        ref = parse_reference(ref_name, default_tag=None)
    except InvalidReference:
        return LOCAL_REGISTRY, UNNAMED_REPOSITORY, ref_name
    tag = ref.tag if ref.tag is not None else f"@{ref.digest.short if ref.digest else '?'}"
    return ref.registry, ref.repository, tag


def _untagged_non_referrers(layout: Layout, entries: list[Descriptor]) -> list[Descriptor]:
    """Untagged entries that are not referrers (a subject hint, or one in the manifest:
    answered by the metadata index in one query) nor manifests of an index entry (oras
    records those as entries too; they show under their index, as ``ls`` leaves them out).
    """
    loose = [e for e in entries if not e.ref_name and hinted_subject(e) is None]
    if loose:
        children = children_of_indexes(layout, entries)
        loose = [e for e in loose if e.digest not in children]
    asked = [e for e in loose if e.is_manifest_like and layout.has_blob(e.digest)]
    view = layout.metadata_view()
    with_subject = view.subjects_of((e.digest, e.media_type) for e in asked)
    view.flush()
    return [e for e in loose if e.digest not in with_subject]


def build_tree(layout: Layout) -> LayoutTree:
    """Group the layout's tags by registry and repository; attach machine tags.

    Every tag and untagged entry is summarised in one batch
    (:func:`ocitui.core.views_describe.describe_many`), with the cyclic garbage
    collector paused (:func:`ocitui.core.bulk.no_gc`: the model forms no cycles).
    """
    with no_gc():
        return _build_tree(layout)


def _build_tree(layout: Layout) -> LayoutTree:
    entries = layout.entries()
    local = local_repository(layout.root)
    tagged = [e for e in entries if e.ref_name]
    untagged_entries = _untagged_non_referrers(layout, entries)
    infos = describe_many(layout, [*tagged, *untagged_entries])
    items: list[TagItem] = []
    machine: list[tuple[str, str, MachineTag, TagItem]] = []
    for entry, info in zip(tagged, infos, strict=False):
        assert entry.ref_name is not None
        registry, repository, tag = _split_name(entry.ref_name, local)
        item = TagItem(entry.ref_name, registry, repository, tag, info)
        kind = machine_tag_kind(tag)
        if kind is not None:
            machine.append(
                (registry, repository, MachineTag(tag, kind.kind, kind.subject, item.info), item)
            )
        else:
            items.append(item)
    _attach_machine_tags(layout, items, machine)
    view = layout.referrer_view()
    for item in items:
        item.terms = search_terms(view, item.info, [m.info for m in item.machine])
    untagged = infos[len(tagged) :]
    terms = {u.descriptor.digest: search_terms(view, u, []) for u in untagged}
    return LayoutTree(_group(items), untagged, len(tagged), len(entries), terms)


def outline_tree(layout: Layout) -> LayoutTree:
    """The tree's names, from ``index.json`` alone (no manifest or metadata is read).

    Registries, repositories and their tags, each tag labelled from its descriptor (no
    platform or referrer counts) and searchable by name, digest, artifact type and
    annotations. What Browse shows of a big layout while :func:`build_tree` summarises
    it; machine tags and untagged entries wait for that.
    """
    with no_gc():
        return _outline_tree(layout)


def _outline_tree(layout: Layout) -> LayoutTree:
    entries = layout.entries()
    local = local_repository(layout.root)
    items: list[TagItem] = []
    for entry in entries:
        name = entry.ref_name
        if not name:
            continue
        registry, repository, tag = _split_name(name, local)
        if machine_tag_kind(tag) is not None:
            continue
        label = type_label(entry.media_type, entry.artifact_type, ref_name=name)
        info = NodeInfo(entry, label, 0, 0, entry.artifact_type)
        items.append(TagItem(name, registry, repository, tag, info))
    tagged = sum(1 for e in entries if e.ref_name)
    # Search terms are worked out if a filter is typed before the whole model is in.
    return LayoutTree(_group(items, join_terms=False), [], tagged, len(entries), partial=True)


def _index_children(layout: Layout, items: list[TagItem]) -> dict[Digest, list[TagItem]]:
    """The manifests listed by the tagged indexes among ``items`` -> those items."""
    indexes = [
        i
        for i in items
        if mt.is_index(i.info.descriptor.media_type) and layout.has_blob(i.info.descriptor.digest)
    ]
    view = layout.metadata_view()
    view.prefetch(i.info.descriptor.digest for i in indexes)
    out: dict[Digest, list[TagItem]] = defaultdict(list)
    for item in indexes:
        meta = view.get(item.info.descriptor.digest)
        if meta is None or not meta.is_index:
            continue
        for digest, _, _ in meta.children:
            if Digest.is_valid(digest):
                out[Digest.parse(digest)].append(item)
    view.flush()
    return out


def _attach_machine_tags(
    layout: Layout, items: list[TagItem], machine: list[tuple[str, str, MachineTag, TagItem]]
) -> None:
    """Hang each machine tag under the tag of its subject (same repository first); a
    subject that is a platform of a tagged index hangs it under that index's tag."""
    by_digest: dict[Digest, list[TagItem]] = defaultdict(list)
    for item in items:
        by_digest[item.info.descriptor.digest].append(item)
    if any(m.subject is not None and m.subject not in by_digest for _, _, m, _ in machine):
        for digest, owners in _index_children(layout, items).items():
            by_digest[digest].extend(owners)
    for registry, repository, mtag, item in machine:
        owners = by_digest.get(mtag.subject, []) if mtag.subject else []
        same = [o for o in owners if (o.registry, o.repository) == (registry, repository)]
        candidates = same or owners
        owner = candidates[0] if candidates else None
        if owner is None:
            items.append(item)  # Orphan machine tag: still visible, as a plain tag.
        else:
            owner.machine.append(mtag)
    for item in items:
        item.machine.sort(key=lambda m: (m.kind, m.tag))


def _group(items: list[TagItem], *, join_terms: bool = True) -> list[RegistryGroup]:
    """Registries -> repositories -> tags, each level in natural order; ``join_terms``
    joins each repository's search terms now (in the loading worker, not on the first
    keystroke)."""
    repos: dict[tuple[str, str], RepoGroup] = {}
    for item in items:
        key = (item.registry, item.repository)
        repos.setdefault(key, RepoGroup(*key)).tags.append(item)
    registries: dict[str, RegistryGroup] = {}
    for key in sorted(repos, key=lambda k: (k[0], tag_sort_key(k[1]))):  # app2 < app10
        repo = repos[key]
        if len(repo.tags) > 1:
            repo.tags.sort(key=lambda t: tag_sort_key(t.tag))
        if join_terms:
            _ = repo.terms
        registries.setdefault(key[0], RegistryGroup(key[0])).repositories.append(repo)
    return [registries[name] for name in sorted(registries)]


_DIGITS = re.compile(r"(\d+)")


def tag_sort_key(tag: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order: ``1.9`` before ``1.10``."""
    parts = _DIGITS.split(tag)  # Text, digits, text, ...: the digits at odd places.
    return tuple((0, int(p)) if i % 2 else (1, p) for i, p in enumerate(parts) if p)


__all__ = [
    "LOCAL_REGISTRY",
    "UNNAMED_REPOSITORY",
    "ChildItem",
    "LayoutTree",
    "MachineTag",
    "NodeInfo",
    "RegistryGroup",
    "RepoGroup",
    "TagItem",
    "build_tree",
    "describe",
    "describe_many",
    "outline_tree",
    "tag_sort_key",
]

"""Presentation models of a layout: tags grouped by registry -> repository -> tag.

Pure data built from the layout store, shared by the TUI's Browse pane and any CLI listing.
Machine tags (``sha256-<hex>`` fallback indexes, cosign ``.sig/.att/.sbom``, imgpkg
``.imgpkg``) are attached to the image they belong to; untagged referrers never appear at
the top level (they hang under their subjects via :func:`children_of`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import InvalidReference, OcituiError
from ocitui.core.layout import Layout
from ocitui.core.layout.referrers import hinted_subject
from ocitui.core.models import Descriptor, Index, Manifest
from ocitui.core.reference import parse_reference

_MACHINE_TAG = re.compile(r"(sha256)-([a-f0-9]{64})(?:\.(.+))?", re.ASCII)
#: Pseudo names for entries whose ref.name is not an image reference (bare skopeo tags).
LOCAL_REGISTRY = "(local)"
UNNAMED_REPOSITORY = "(unnamed)"


@dataclass(frozen=True)
class NodeInfo:
    """What a descriptor is, in a few words: type label, platforms and referrers."""

    descriptor: Descriptor
    type_label: str
    platform_count: int
    referrer_count: int
    artifact_type: str | None = None


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


@dataclass(frozen=True)
class ChildItem:
    """A node under a tag or another node: a platform manifest, a referrer, a machine tag."""

    kind: str  # "platform" | "referrer" | "machine"
    label: str
    info: NodeInfo


def machine_tag_kind(tag: str) -> tuple[str, Digest | None] | None:
    """``(kind, subject)`` for a machine tag, ``None`` for a human tag.

    ``sha256-<hex>`` -> ("referrers", subject); ``sha256-<hex>.sig`` -> ("sig", subject);
    ``sha256-<hex>.image-locations.imgpkg`` -> ("image-locations.imgpkg", subject);
    ``x.imgpkg`` -> ("imgpkg", None).
    """
    match = _MACHINE_TAG.fullmatch(tag)
    if match is not None:
        return match.group(3) or "referrers", Digest(match.group(1), match.group(2))
    if tag.endswith(".imgpkg"):
        return "imgpkg", None
    return None


def describe(layout: Layout, desc: Descriptor) -> NodeInfo:
    """Read ``desc``'s document (if any) and summarise it; unreadable content degrades."""
    artifact_type = desc.artifact_type
    platforms = 0
    label = mt.friendly_artifact_type(artifact_type) if artifact_type else "blob"
    if desc.is_manifest_like:
        try:
            doc = layout.get_document(desc.digest, desc.media_type)
        except OcituiError:
            doc = None
        if isinstance(doc, Index):
            platforms = len(doc.platforms)
            artifact_type = doc.effective_artifact_type or artifact_type
            label = mt.friendly_artifact_type(artifact_type) if artifact_type else "index"
        elif isinstance(doc, Manifest):
            artifact_type = doc.effective_artifact_type
            label = mt.friendly_artifact_type(artifact_type)
            platforms = 1 if artifact_type in mt.CONFIG_TYPES else 0
        else:
            label = "unreadable"
    try:
        referrers = layout.referrer_count(desc.digest)
    except OcituiError:
        referrers = 0
    return NodeInfo(desc, label, platforms, referrers, artifact_type)


def _split_name(ref_name: str) -> tuple[str, str, str]:
    try:
        ref = parse_reference(ref_name, default_tag=None)
    except InvalidReference:
        return LOCAL_REGISTRY, UNNAMED_REPOSITORY, ref_name
    tag = ref.tag if ref.tag is not None else f"@{ref.digest.short if ref.digest else '?'}"
    return ref.registry, ref.repository, tag


def _is_referrer(layout: Layout, entry: Descriptor) -> bool:
    if hinted_subject(entry) is not None:
        return True
    if not entry.is_manifest_like:
        return False
    try:
        return layout.get_document(entry.digest, entry.media_type).subject is not None
    except OcituiError:
        return False


def build_tree(layout: Layout) -> LayoutTree:
    """Group the layout's tags by registry and repository; attach machine tags."""
    entries = layout.entries()
    items: list[TagItem] = []
    machine: list[tuple[str, str, MachineTag, TagItem]] = []
    for entry in entries:
        if not entry.ref_name:
            continue
        registry, repository, tag = _split_name(entry.ref_name)
        item = TagItem(entry.ref_name, registry, repository, tag, describe(layout, entry))
        kind = machine_tag_kind(tag)
        if kind is not None:
            machine.append(
                (registry, repository, MachineTag(tag, kind[0], kind[1], item.info), item)
            )
        else:
            items.append(item)
    _attach_machine_tags(layout, items, machine)
    untagged = [
        describe(layout, e) for e in entries if not e.ref_name and not _is_referrer(layout, e)
    ]
    return LayoutTree(_group(items), untagged, sum(1 for e in entries if e.ref_name), len(entries))


def _attach_machine_tags(
    layout: Layout, items: list[TagItem], machine: list[tuple[str, str, MachineTag, TagItem]]
) -> None:
    """Hang each machine tag under the tag of its subject (same repository first)."""
    by_digest: dict[Digest, list[TagItem]] = defaultdict(list)
    for item in items:
        by_digest[item.info.descriptor.digest].append(item)
        if mt.is_index(item.info.descriptor.media_type):
            try:
                doc = layout.get_document(item.info.descriptor.digest)
            except OcituiError:
                continue
            for child in doc.children():
                by_digest[child.digest].append(item)
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


def _group(items: list[TagItem]) -> list[RegistryGroup]:
    repos: dict[tuple[str, str], RepoGroup] = {}
    for item in items:
        key = (item.registry, item.repository)
        repos.setdefault(key, RepoGroup(*key)).tags.append(item)
    registries: dict[str, RegistryGroup] = {}
    for key in sorted(repos):
        repo = repos[key]
        repo.tags.sort(key=lambda t: _tag_sort_key(t.tag))
        registries.setdefault(key[0], RegistryGroup(key[0])).repositories.append(repo)
    return [registries[name] for name in sorted(registries)]


def _tag_sort_key(tag: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order: ``1.9`` before ``1.10``."""
    parts = re.split(r"(\d+)", tag)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


def children_of(
    layout: Layout, desc: Descriptor, machine: list[MachineTag] | None = None
) -> list[ChildItem]:
    """What expands under ``desc``: its platform manifests, referrers, then machine tags."""
    out: list[ChildItem] = []
    if mt.is_index(desc.media_type):
        try:
            doc = layout.get_document(desc.digest, desc.media_type)
        except OcituiError:
            doc = None
        if isinstance(doc, Index):
            for child in doc.manifests:
                info = describe(layout, child)
                if child.platform is not None and child.platform.is_unknown:
                    label = "attestation manifest"
                elif child.platform is not None:
                    label = str(child.platform)
                else:
                    label = info.type_label
                out.append(ChildItem("platform", label, info))
    for ref in layout.referrers(desc.digest):
        info = describe(layout, ref)
        out.append(ChildItem("referrer", info.type_label, info))
    for mtag in machine or []:
        out.append(ChildItem("machine", mtag.tag, mtag.info))
    return out


def human_size(size: int | None) -> str:
    """``1536`` -> ``1.5 KiB`` (``-`` for unknown)."""
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def filter_tree(tree: LayoutTree, text: str) -> LayoutTree:
    """Keep the tags whose full name, type or machine tags contain ``text`` (any case)."""
    needle = text.strip().lower()
    if not needle:
        return tree

    def keep(item: TagItem) -> bool:
        haystack = [item.ref_name, item.info.type_label, *(m.tag for m in item.machine)]
        return any(needle in h.lower() for h in haystack)

    registries = []
    for reg in tree.registries:
        repos = [
            RepoGroup(r.registry, r.repository, [t for t in r.tags if keep(t)])
            for r in reg.repositories
        ]
        repos = [r for r in repos if r.tags]
        if repos:
            registries.append(RegistryGroup(reg.registry, repos))
    untagged = [u for u in tree.untagged if needle in str(u.descriptor.digest)]
    return LayoutTree(registries, untagged, tree.tag_count, tree.entry_count)

"""The registry pane's model: a registry's repositories, their tags, each tag's platforms
and referrer tree, as typed nodes read one level at a time through the Target door.

Every read goes through :class:`~ocitui.core.target.registry.RegistryTarget` (the catalog,
which is not a Target operation, through its client); nothing is written. A referrer is
shown only after its manifest was fetched and its ``subject`` compared with the node it
hangs under: one that names another subject is kept but flagged ``mismatch`` (never shown
as valid, its own referrers not followed), one that cannot be read is flagged
``unreadable``. The catalog is best effort: a registry that refuses to list its
repositories gives a :class:`Catalog` that says so and what to type instead.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import OcituiError, RegistryError
from ocitui.core.layout.referrers import referrer_sort_key
from ocitui.core.layout.summary import machine_tag_kind, type_label
from ocitui.core.limits import REFERRER_CONCURRENCY
from ocitui.core.models import Descriptor, Index, parse_document
from ocitui.core.reference import Reference, parse_reference
from ocitui.core.target.registry import RegistryTarget
from ocitui.core.views import tag_sort_key
from ocitui.core.views_text import plural

NodeKind = Literal["repository", "tag", "platform", "referrer", "legacy"]
Verdict = Literal["verified", "mismatch", "unreadable"]

#: Statuses with which registries refuse ``/v2/_catalog`` (disabled, not allowed, unknown).
CATALOG_REFUSED = frozenset({400, 401, 403, 404, 405})


@dataclass(frozen=True)
class Catalog:
    """A registry's repositories, or why it would not list them (``refused``)."""

    registry: str
    repositories: tuple[str, ...] = ()
    refused: str = ""

    def matching(self, text: str) -> list[str]:
        """The repositories whose name contains ``text`` (any case)."""
        needle = text.strip().lower()
        return [r for r in self.repositories if needle in r.lower()]


async def read_catalog(target: RegistryTarget, registry: str) -> Catalog:
    """List ``registry``'s repositories; a refusal is an answer, other failures raise."""
    try:
        names = await target.client.catalog(registry)
    except RegistryError as exc:
        if exc.status not in CATALOG_REFUSED:
            raise
        why = f"HTTP {exc.status}" + (f" {exc.code}" if exc.code else "")
        return Catalog(
            registry,
            refused=f"{registry} does not list its repositories ({why}); "
            f"type a repository instead, e.g. {registry}/team/app",
        )
    return Catalog(registry, tuple(sorted(set(names))))


@dataclass(frozen=True)
class RemoteNode:
    """One row of the registry tree. ``name`` is the repository path (``repository``), the
    tag (``tag``), the platform (``platform``) or the legacy kind (``legacy``)."""

    kind: NodeKind
    repository: Reference
    name: str = ""
    descriptor: Descriptor | None = None
    #: For referrers: the digest of the node it hangs under.
    subject: Digest | None = None
    verdict: Verdict | None = None
    #: Why: the subject a mismatched referrer names, or why it could not be read.
    reason: str = ""

    @classmethod
    def repository_node(cls, registry: str, name: str) -> RemoteNode:
        """The node of repository ``name`` (a path like ``team/app``) of ``registry``."""
        return cls("repository", parse_reference(f"{registry}/{name}", default_tag=None), name)

    @cached_property
    def ref(self) -> str:
        """``registry/repo:tag`` for a tag, ``registry/repo@digest`` for content, else the
        repository's name."""
        if self.kind == "tag":
            return str(self.repository.with_tag(self.name))
        if self.kind == "legacy" and self.subject is not None:
            return str(self.repository.with_tag(f"{self.subject.tag_form}.{self.name}"))
        if self.descriptor is not None:
            return f"{self.repository.name}@{self.descriptor.digest}"
        return self.repository.name

    @cached_property
    def key(self) -> str:
        """Unique within a tree (the same referrer may hang under two subjects)."""
        return f"{self.kind}|{self.ref}|{self.subject or ''}"

    @property
    def expandable(self) -> bool:
        """Whether there can be anything below (a flagged referrer is not followed)."""
        if self.kind == "referrer":
            return self.verdict == "verified"
        return self.kind != "legacy"

    @property
    def pullable(self) -> bool:
        """Tags, platforms and verified referrers can be pulled into a layout."""
        return self.kind in ("tag", "platform", "legacy") or self.verdict == "verified"

    @property
    def title(self) -> str:
        """A short heading: ``demo/app:1.0``, the platform, or the referrer's type."""
        if self.kind == "tag":
            return f"{self.repository.repository}:{self.name}"
        if self.kind == "platform":
            return f"{self.repository.repository} {self.name}"
        return self.type_label or self.repository.repository

    @property
    def type_label(self) -> str:
        """``SPDX SBOM``, ``image``, ``index``, ... (the Browse tree's words)."""
        desc = self.descriptor
        if desc is None:
            return ""
        if self.kind == "legacy":
            return type_label(desc.media_type, None, ref_name=self.ref)
        return type_label(desc.media_type, desc.artifact_type)

    @property
    def mark(self) -> str:
        """``✓`` (subject checked), ``✗`` (names another subject), ``?`` (unreadable)."""
        return {"verified": "✓", "mismatch": "✗", "unreadable": "?"}.get(self.verdict or "", "")

    @property
    def verdict_text(self) -> str:
        """Why a referrer is flagged (empty for a verified one)."""
        if self.verdict == "mismatch":
            return f"subject mismatch: {self.reason}"
        if self.verdict == "unreadable":
            return f"unreadable: {self.reason}"
        return ""

    @property
    def label(self) -> str:
        """The tree row, without colour: the mark comes first so a narrow column keeps it."""
        if self.kind in ("repository", "tag"):
            return self.name
        short = f"@{self.descriptor.digest.encoded[:8]}" if self.descriptor else ""
        if self.kind == "platform":
            return f"{self.name} {short}"
        mark = f"{self.mark} " if self.mark else ""
        return f"↳ {mark}{short}  {self.type_label}  {self.verdict_text}".rstrip()


@dataclass(frozen=True)
class Expansion:
    """What one node holds: its descriptor (a tag's, once resolved), the nodes below it,
    and a one-line summary (``index · 2 platforms · 3 referrers``)."""

    descriptor: Descriptor | None
    children: tuple[RemoteNode, ...]
    summary: str
    #: The tree's short form (``index · 2 plat · 3 ref``, ``3 tags``).
    short: str = ""
    #: Tags the tools wrote for themselves (fallback, cosign, imgpkg), set apart.
    machine_tags: tuple[str, ...] = ()


async def expand(target: RegistryTarget, node: RemoteNode) -> Expansion:
    """Read one level below ``node``: a repository's tags; a tag's, platform's or
    verified referrer's platforms (indexes), verified referrers and legacy tags."""
    repo = node.repository
    if node.kind == "repository":
        tags = await target.tags(repo)
        human = sorted((t for t in tags if machine_tag_kind(t) is None), key=tag_sort_key)
        machine = tuple(sorted(t for t in tags if machine_tag_kind(t) is not None))
        children = tuple(RemoteNode("tag", repo, tag) for tag in human)
        hidden = f" · {plural(len(machine), 'machine tag')} set apart" if machine else ""
        count = plural(len(human), "tag")
        return Expansion(None, children, count + hidden, count, machine)
    if not node.expandable:
        return Expansion(node.descriptor, (), "")
    if node.kind == "tag":
        desc, raw = await target.resolve(repo, node.ref)
    else:
        assert node.descriptor is not None
        desc = node.descriptor
        raw = await target.fetch(repo, desc)
    doc = parse_document(raw, desc.media_type)
    platforms: list[RemoteNode] = []
    if isinstance(doc, Index):
        for child in doc.manifests:
            where = str(child.platform) if child.platform is not None else "manifest"
            platforms.append(RemoteNode("platform", repo, where, child))
    listed = await target.referrers(repo, desc.digest)
    gate = asyncio.Semaphore(REFERRER_CONCURRENCY.int_value())
    referrers = await asyncio.gather(
        *(_checked(target, repo, desc.digest, d, gate) for d in listed)
    )
    legacy = await target.legacy(repo, desc.digest)
    children = (
        *platforms,
        *sorted(referrers, key=_order),
        *(RemoteNode("legacy", repo, kind, d, desc.digest) for kind, d in legacy),
    )
    kind = "index" if isinstance(doc, Index) else type_label(desc.media_type, desc.artifact_type)
    parts = [kind]
    if platforms:
        parts.append(plural(len(platforms), "platform"))
    parts.append(plural(len(referrers), "referrer"))
    flagged = sum(1 for n in referrers if n.verdict != "verified")
    if flagged:
        parts.append(f"{flagged} flagged")
    if legacy:
        parts.append("legacy " + ", ".join(sorted({f".{kind}" for kind, _ in legacy})))
    short = [kind]
    if platforms:
        short.append(f"{len(platforms)} plat")
    if referrers:
        short.append(f"{len(referrers)} ref")
    if flagged:
        short.append(f"{flagged} ✗")
    return Expansion(desc, children, " · ".join(parts), " · ".join(short))


def verdict_rows(node: RemoteNode) -> list[tuple[str, str]]:
    """The subject check of a referrer (none for anything else)."""
    if node.kind != "referrer" or node.subject is None:
        return []
    if node.verdict == "verified":
        return [("subject check", f"✓ names @{node.subject.short}")]
    return [("subject check", f"{node.mark} {node.verdict_text}")]


def node_rows(node: RemoteNode, known: Expansion | None = None) -> list[tuple[str, str]]:
    """Label/value rows for a node before (or without) reading its manifest."""
    if node.kind == "repository":
        rows = [("repository", node.repository.name)]
        if known is None:
            return [*rows, ("tags", "enter lists them")]
        rows.append(("tags", known.summary))
        if known.machine_tags:
            rows.append(
                (
                    "machine tags",
                    ", ".join(known.machine_tags[:3]) + " …" * (len(known.machine_tags) > 3),
                )
            )
        return rows
    desc = node.descriptor or (known.descriptor if known is not None else None)
    rows = [("reference", node.ref), ("digest", str(desc.digest) if desc else "enter reads it")]
    if desc is not None:
        rows.append(("type", node.type_label or type_label(desc.media_type, desc.artifact_type)))
    rows.extend(verdict_rows(node))
    if known is not None and known.summary:
        rows.append(("holds", known.summary))
    return rows


def _order(node: RemoteNode) -> tuple[object, ...]:
    assert node.descriptor is not None
    return tuple(referrer_sort_key(node.descriptor))


async def _checked(
    target: RegistryTarget,
    repo: Reference,
    subject: Digest,
    desc: Descriptor,
    gate: asyncio.Semaphore,
) -> RemoteNode:
    """A referrer node whose manifest was read and its ``subject`` compared."""
    try:
        async with gate:
            raw = await target.fetch(repo, desc)
        doc = parse_document(raw, desc.media_type)
    except OcituiError as exc:
        return RemoteNode("referrer", repo, "", desc, subject, "unreadable", str(exc))
    plain = desc.with_changes(artifact_type=mt.effective_artifact_type(doc.doc))
    if doc.subject is None or doc.subject.digest != subject:
        named = f"@{doc.subject.digest.short}" if doc.subject is not None else "no subject"
        reason = f"names {named}, not @{subject.short}"
        return RemoteNode("referrer", repo, "", plain, subject, "mismatch", reason)
    return RemoteNode("referrer", repo, "", plain, subject, "verified")


__all__ = [
    "CATALOG_REFUSED",
    "Catalog",
    "Expansion",
    "NodeKind",
    "RemoteNode",
    "Verdict",
    "expand",
    "node_rows",
    "read_catalog",
    "verdict_rows",
]

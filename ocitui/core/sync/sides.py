"""The two kinds of place a sync reads from and writes to, behind one small interface.

A :class:`Side` is either the layout (plain file I/O, wrapped in coroutines so the walk
is written once) or a registry (the async client). Every method takes the repository it
concerns; the layout has one flat store and uses the repository only to name machine
tags.
"""

from __future__ import annotations

import json
import re
from typing import Protocol

from ocitui.core.digest import Digest
from ocitui.core.errors import InvalidReference, NotFound, OcituiError, RegistryError
from ocitui.core.layout import Layout
from ocitui.core.models import REF_NAME, Descriptor
from ocitui.core.reference import Reference, parse_reference
from ocitui.core.registry import RegistryClient

#: imgpkg machine tags: ``sha256-<hex>.imgpkg`` and ``sha256-<hex>.image-locations.imgpkg``.
IMGPKG_TAG = re.compile(r"(?:.*-)?(sha256)-([a-f0-9]{64})(?:\.image-locations)?\.imgpkg")


class Side(Protocol):
    """Where content lives: the layout or a registry."""

    label: str

    async def resolve(self, repo: Reference, text: str) -> tuple[Descriptor, bytes]:
        """The root manifest named by ``text``: its plain descriptor and exact bytes."""
        ...

    async def fetch(self, repo: Reference, desc: Descriptor) -> bytes:
        """The exact, verified bytes of a manifest (``NotFound`` when absent)."""
        ...

    async def referrers(self, repo: Reference, subject: Digest) -> list[Descriptor]:
        """Descriptors listed as referrers of ``subject`` (hints, unverified)."""
        ...

    async def legacy(self, repo: Reference, subject: Digest) -> dict[str, Descriptor]:
        """cosign legacy ``<alg>-<hex>.sig/.att/.sbom`` manifests of ``subject``."""
        ...

    async def imgpkg_tags(self, repo: Reference) -> list[str]:
        """Tags of ``repo`` ending in ``.imgpkg`` (empty when unknown)."""
        ...

    async def has_manifest(self, repo: Reference, desc: Descriptor) -> bool:
        """True when the manifest is already there."""
        ...

    async def has_blob(self, repo: Reference, desc: Descriptor) -> bool:
        """True when the blob is already there."""
        ...

    async def tag_digest(self, repo: Reference, tag: str) -> Digest | None:
        """What ``repo:tag`` (or the layout name) points at, None when unset."""
        ...


def plain(desc: Descriptor) -> Descriptor:
    """mediaType, digest, size (+ artifactType/platform): no names or hints."""
    return Descriptor(desc.media_type, desc.digest, desc.size, artifact_type=desc.artifact_type)


class LayoutSide:
    """The layout as a side of a sync (synchronous file I/O)."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.label = f"layout {layout.root}"

    def name_of(self, repo: Reference, tag: str) -> str:
        """The ``ref.name`` used for ``tag`` of ``repo`` in the layout."""
        return str(repo.with_tag(tag))

    async def resolve(self, repo: Reference, text: str) -> tuple[Descriptor, bytes]:
        """Resolve a layout name (full or short ref, ``name@digest``, digest)."""
        entry = self.layout.resolve(text)
        raw = self.layout.read_blob(entry.digest)
        return Descriptor(entry.media_type, entry.digest, len(raw)), raw

    async def fetch(self, repo: Reference, desc: Descriptor) -> bytes:
        """Read and verify a manifest blob."""
        if not self.layout.has_blob(desc.digest):
            raise NotFound(f"{desc.digest} is not in the layout")
        return self.layout.read_blob(desc.digest)

    async def referrers(self, repo: Reference, subject: Digest) -> list[Descriptor]:
        """Referrers recorded in ``index.json``."""
        return self.layout.referrers(subject)

    async def legacy(self, repo: Reference, subject: Digest) -> dict[str, Descriptor]:
        """Legacy cosign entries of ``subject`` (any repository name)."""
        return {kind: entry for kind, entry in self.layout.legacy_attachments(subject)}

    async def imgpkg_tags(self, repo: Reference) -> list[str]:
        """Tags of ``repo`` in the layout names that end in ``.imgpkg``."""
        out = []
        for entry in self.layout.tagged():
            try:
                ref = parse_reference(entry.ref_name or "")
            except InvalidReference:
                continue
            if ref.name == repo.name and ref.tag and ref.tag.endswith(".imgpkg"):
                out.append(ref.tag)
        return out

    async def has_manifest(self, repo: Reference, desc: Descriptor) -> bool:
        """Present as a blob (the layout writes children and blobs first)."""
        return self.layout.has_blob(desc.digest, desc.size)

    async def has_blob(self, repo: Reference, desc: Descriptor) -> bool:
        """Present under ``blobs/`` with the right size."""
        return self.layout.has_blob(desc.digest, desc.size)

    async def tag_digest(self, repo: Reference, tag: str) -> Digest | None:
        """The entry named ``repo:tag`` (or ``repo@digest`` when ``tag`` is a digest)."""
        name = self.name_of(repo, tag) if not tag.startswith("sha256:") else f"{repo.name}@{tag}"
        for entry in self.layout.entries():
            if entry.annotations.get(REF_NAME) == name:
                return entry.digest
        return None


class RegistrySide:
    """A registry as a side of a sync; ``cache`` is a layout to read manifests from."""

    def __init__(self, client: RegistryClient, cache: Layout | None = None) -> None:
        self.client = client
        self.cache = cache
        self.label = "registry"
        self._tags: dict[str, list[str]] = {}

    async def resolve(self, repo: Reference, text: str) -> tuple[Descriptor, bytes]:
        """GET the manifest by tag or digest; a digest the cache layout holds costs no request.

        ``name:tag@digest`` (a tag already resolved by a HEAD, as ``mirror`` does) is read
        by digest, so an unchanged tag is re-planned from the layout.
        """
        ref = parse_reference(text)
        if ref.digest is not None and self.cache is not None:
            cached = self._cached(ref.digest)
            if cached is not None:
                return cached
        fetched = await self.client.get_manifest(ref)
        return fetched.descriptor(), fetched.raw

    def _cached(self, digest: Digest) -> tuple[Descriptor, bytes] | None:
        """The cache layout's verified copy of manifest ``digest`` and its media type."""
        assert self.cache is not None
        if not self.cache.has_blob(digest):
            return None
        try:
            raw = self.cache.read_blob(digest, max_size=self.client.options.max_manifest_size)
            media_type = json.loads(raw).get("mediaType")
        except (OcituiError, ValueError, AttributeError):
            return None  # Damaged or not a manifest: ask the registry.
        if not isinstance(media_type, str) or not media_type:
            return None  # Old documents without mediaType: the registry says what it is.
        return Descriptor(media_type, digest, len(raw)), raw

    async def fetch(self, repo: Reference, desc: Descriptor) -> bytes:
        """By digest; from the cache layout when it already holds it (no request)."""
        if self.cache is not None and self.cache.has_blob(desc.digest, desc.size):
            try:
                return self.cache.read_blob(desc.digest)
            except OcituiError:
                pass  # A damaged cache copy: fetch it again.
        try:
            fetched = await self.client.get_manifest(repo.with_digest(desc.digest), expected=desc)
        except RegistryError as exc:
            if exc.status == 404:
                raise NotFound(f"{repo.name}@{desc.digest} is not in the registry") from None
            raise
        return fetched.raw

    async def referrers(self, repo: Reference, subject: Digest) -> list[Descriptor]:
        """Through the referrers API or the fallback tag, as the client decides."""
        return await self.client.referrers(repo, subject)

    async def legacy(self, repo: Reference, subject: Digest) -> dict[str, Descriptor]:
        """HEAD the three legacy tags (no tag listing)."""
        return await self.client.legacy_attachments(repo, subject)

    async def imgpkg_tags(self, repo: Reference) -> list[str]:
        """List the repository's tags once, keep the ``.imgpkg`` ones."""
        if repo.name not in self._tags:
            try:
                tags = await self.client.list_tags(repo)
            except RegistryError:
                tags = []
            self._tags[repo.name] = [t for t in tags if t.endswith(".imgpkg")]
        return self._tags[repo.name]

    async def has_manifest(self, repo: Reference, desc: Descriptor) -> bool:
        """HEAD the manifest by digest."""
        return await self.client.head_manifest(repo.with_digest(desc.digest)) is not None

    async def has_blob(self, repo: Reference, desc: Descriptor) -> bool:
        """HEAD the blob."""
        return await self.client.blob_exists(repo, desc.digest)

    async def tag_digest(self, repo: Reference, tag: str) -> Digest | None:
        """HEAD ``repo:tag``."""
        ref = (
            repo.with_digest(Digest.parse(tag)) if tag.startswith("sha256:") else repo.with_tag(tag)
        )
        found = await self.client.head_manifest(ref)
        return found.digest if found is not None else None


def imgpkg_subject(tag: str) -> Digest | None:
    """The digest an imgpkg machine tag is about."""
    match = IMGPKG_TAG.fullmatch(tag)
    return Digest(match.group(1), match.group(2)) if match else None


__all__ = ["LayoutSide", "RegistrySide", "Side", "imgpkg_subject", "plain"]

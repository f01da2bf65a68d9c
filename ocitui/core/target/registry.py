"""A registry behind the :class:`~ocitui.core.target.base.Target` door (the async client).

``cache`` is a layout whose verified blobs answer manifest reads without a request (a pull
re-planned over content already staged).

Machine tags (cosign's ``<alg>-<hex>.sig/.att/.sbom``, the ``<alg>-<hex>`` referrers
fallback index on a registry without the referrers API) are probed per manifest: three
HEADs, or one GET. Tags are not listed for that, unless it saves requests: once
:data:`PROBES_BEFORE_LISTING` lookups were made in one repository (a graph with many
referrers), one listing of at most ``OCITUI_PULL_TAG_PAGES`` pages answers the rest; a
repository whose list is longer (or cannot be listed) keeps being probed. Blobs from a source that is not on this machine
are spooled to a temporary file first, because an upload may have to re-read its source
(a registry that refuses a monolithic upload gets the blob again in chunks).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from ocitui.core.digest import Digest
from ocitui.core.errors import ManifestError, NotFound, OcituiError, RegistryError
from ocitui.core.layout import Layout
from ocitui.core.layout.ingest import BlobWriter
from ocitui.core.limits import TAG_LIST_PAGES
from ocitui.core.models import REF_NAME, Descriptor, Document
from ocitui.core.reference import Reference, parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.registry.base import BlobSink
from ocitui.core.registry.referrers import LEGACY_SUFFIXES
from ocitui.core.target.base import (
    BlobSource,
    Capabilities,
    Progress,
    Received,
    SpoolSink,
    TagWrite,
    is_manifest_type,
)

#: Machine-tag lookups (legacy tags, fallback index) in one repository before a tag
#: listing replaces the rest: a small graph never lists tags, a big one lists them once.
PROBES_BEFORE_LISTING = 24


class RegistryTarget:
    """Every repository of the registries one client reaches."""

    def __init__(
        self,
        client: RegistryClient,
        cache: Layout | None = None,
        known_tags: Mapping[str, Collection[str]] | None = None,
    ) -> None:
        self.client = client
        self.cache = cache
        self.label = "registry"
        self.capabilities = Capabilities(local=False, can_mount=True)
        self.local_store: Layout | None = None  # ``cache`` is read, never written to.
        #: Complete tag lists the caller just fetched (repository name -> tags): legacy,
        #: fallback and imgpkg tags are looked up there instead of probed.
        self._tags: dict[str, list[str]] = {k: list(v) for k, v in (known_tags or {}).items()}
        self._known = {name: frozenset(tags) for name, tags in self._tags.items()}
        #: Machine-tag lookups per repository so far, and repositories that cannot be
        #: listed within ``OCITUI_PULL_TAG_PAGES`` (they stay probed).
        self._lookups: dict[str, int] = {}
        self._unlisted: set[str] = set()
        self._listing = asyncio.Lock()
        self._probe = asyncio.Lock()
        self._api: dict[str, bool] = {}
        #: ``(repository, digest)`` of blobs :meth:`exists` just found missing: their
        #: upload needs no second HEAD (one request less per blob of a planned push).
        self._missing: set[tuple[str, Digest]] = set()

    # -- reads ---------------------------------------------------------------------------

    async def resolve(self, repo: Reference, text: str) -> tuple[Descriptor, bytes]:
        """GET the manifest by tag or digest; the descriptor carries the reference's name.

        A digest the cache layout holds costs no request: ``name:tag@digest`` (a tag
        already resolved by a HEAD, as ``mirror`` does) is re-planned from the layout. A
        tag the cache layout holds costs a HEAD while the registry names the same digest.
        """
        ref = parse_reference(text)
        found = self._cached(ref.digest) if ref.digest is not None else None
        if found is None and ref.digest is None and self._cache_names(str(ref)):
            # A re-sync of a name the layout holds: HEAD first, the body only if it moved.
            head = await self.client.head_manifest(ref)
            found = self._cached(head.digest) if head is not None else None
        if found is None:
            fetched = await self.client.get_manifest(ref)
            found = fetched.descriptor(), fetched.raw
        desc, raw = found
        return desc.with_changes(annotations={REF_NAME: str(ref)}), raw

    def _cache_names(self, name: str) -> bool:
        """True when the cache layout has an entry named ``name`` (a full reference)."""
        return self.cache is not None and any(e.ref_name == name for e in self.cache.entries())

    def _cached(self, digest: Digest) -> tuple[Descriptor, bytes] | None:
        """The cache layout's verified copy of manifest ``digest`` and its media type."""
        if self.cache is None or not self.cache.has_blob(digest):
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

    async def fetch_blob(self, repo: Reference, desc: Descriptor, *, max_size: int) -> bytes:
        """GET a small blob into memory, verified; refuses anything over ``max_size``."""
        if desc.size > max_size:
            raise ManifestError(f"{desc.digest} is {desc.size} bytes, too large to read whole")
        sink = SpoolSink(desc, in_memory=max_size)
        try:
            await self.client.fetch_blob(repo, desc, sink)
            return sink.value()
        finally:
            sink.close()

    async def stream_blob(
        self, repo: Reference, desc: Descriptor, sink: BlobSink, on_progress: Progress | None
    ) -> None:
        """GET the blob into ``sink``, resuming with ``Range`` from ``sink.offset``."""
        await self.client.fetch_blob(repo, desc, sink, on_progress=on_progress)

    def open_local(self, desc: Descriptor) -> Callable[[], BinaryIO] | None:
        """The cache layout's copy when it holds the blob, else None (not on this machine)."""
        cache = self.cache
        if cache is not None and cache.has_blob(desc.digest, desc.size):
            return lambda: cache.open_blob(desc.digest)
        return None

    async def exists(self, repo: Reference, desc: Descriptor) -> bool:
        """HEAD the manifest or the blob, by media type."""
        if is_manifest_type(desc.media_type):
            return await self.client.head_manifest(repo.with_digest(desc.digest)) is not None
        found = await self.client.blob_exists(repo, desc.digest)
        if not found:
            self._missing.add((repo.name, desc.digest))
        return found

    async def lookup_tag(self, repo: Reference, tag: str) -> Descriptor | None:
        """HEAD ``repo:tag`` (or ``repo@digest``)."""
        digest = tag.startswith(("sha256:", "sha512:"))
        ref = repo.with_digest(Digest.parse(tag)) if digest else repo.with_tag(tag)
        return await self.client.head_manifest(ref)

    async def tags(self, repo: Reference) -> list[str]:
        """List the repository's tags (once per target: a sync asks for each root)."""
        if repo.name not in self._tags:
            self._tags[repo.name] = await self.client.list_tags(repo)
        return list(self._tags[repo.name])

    async def referrers(
        self, repo: Reference, subject: Digest, artifact_types: Sequence[str] = ()
    ) -> list[Descriptor]:
        """Through the referrers API or the fallback tag, as the client decides.

        Without an API, a subject whose fallback tag is not in a known tag list has none
        (no request); each fallback-tag GET counts as a lookup toward the tag listing.
        """
        mode = self.client.options.referrers_mode
        if mode != "api":
            has_api = mode == "auto" and await self._has_api(repo)
            known = None if has_api else await self._tag_index(repo)
            if known is not None and subject.tag_form not in known:
                return []
        found = await self.client.referrers(repo, subject)
        if artifact_types:
            found = [d for d in found if d.artifact_type in artifact_types]
        return found

    async def _has_api(self, repo: Reference) -> bool:
        async with self._probe:  # One probe per repository, not one per walker task.
            if repo.name not in self._api:
                self._api[repo.name] = await self.client.supports_referrers_api(repo)
            return self._api[repo.name]

    async def _tag_index(self, repo: Reference) -> frozenset[str] | None:
        """The repository's tags when they answer machine-tag lookups; None: probe.

        Counts one lookup; past :data:`PROBES_BEFORE_LISTING` lists the tags once (at most
        ``OCITUI_PULL_TAG_PAGES`` pages, shared by every walker task).
        """
        name = repo.name
        if name in self._known or name in self._unlisted:
            return self._known.get(name)
        self._lookups[name] = self._lookups.get(name, 0) + 1
        if self._lookups[name] <= PROBES_BEFORE_LISTING:
            return None
        async with self._listing:
            if name not in self._known and name not in self._unlisted:
                try:
                    tags = await self.client.list_tags(repo, max_pages=TAG_LIST_PAGES.int_value())
                except OcituiError:
                    self._unlisted.add(name)  # Too long, refused, or broken: keep probing.
                else:
                    self._tags[name], self._known[name] = tags, frozenset(tags)
        return self._known.get(name)

    async def legacy(self, repo: Reference, subject: Digest) -> list[tuple[str, Descriptor]]:
        """HEAD the three legacy tags, or only those a known tag list holds."""
        known = await self._tag_index(repo)
        if known is None:
            return sorted((await self.client.legacy_attachments(repo, subject)).items())
        found: dict[str, Descriptor] = {}
        for suffix in LEGACY_SUFFIXES:
            tag = f"{subject.tag_form}.{suffix}"
            if tag in known:
                desc = await self.client.head_manifest(repo.with_tag(tag))
                if desc is not None:
                    found[suffix] = desc
        return sorted(found.items())

    # -- writes --------------------------------------------------------------------------

    async def push_blob(
        self,
        repo: Reference,
        desc: Descriptor,
        source: BlobSource,
        source_repo: Reference,
        *,
        started: Progress,
        on_progress: Progress | None,
        mount_from: Reference | None = None,
        received: Received | None = None,
    ) -> str:
        """Skip, mount from ``mount_from`` (same registry only), or upload from ``source``.

        ``received`` is never called: every copy ends with a request to the registry."""
        started(0)
        if mount_from is not None and mount_from.registry != repo.registry:
            mount_from = None
        opener = source.open_local(desc)
        if opener is not None:
            checked = (repo.name, desc.digest) in self._missing
            self._missing.discard((repo.name, desc.digest))
            return await self.client.push_blob(
                repo,
                desc,
                opener,
                mount_from=mount_from,
                on_progress=on_progress,
                check_exists=not checked,
            )
        if await self.client.blob_exists(repo, desc.digest):
            return "exists"
        with tempfile.TemporaryDirectory(prefix="ocitui-spool-") as scratch:
            spool = Path(scratch) / "blob"
            with BlobWriter(Path(scratch) / "ingest", spool, desc.digest, desc.size) as writer:
                await source.stream_blob(source_repo, desc, writer, None)
                writer.commit()
            return await self.client.push_blob(
                repo,
                desc,
                lambda: spool.open("rb"),
                mount_from=mount_from,
                on_progress=on_progress,
            )

    async def push_manifest(
        self, repo: Reference, raw: bytes, media_type: str, *, doc: Document | None = None
    ) -> None:
        """PUT by digest (the client keeps the referrers fallback tag when needed)."""
        digest = doc.digest if doc is not None and doc.raw is raw else Digest.of(raw)
        ref = repo.with_tag(None).with_digest(digest)
        await self.client.put_manifest(ref, raw, media_type)

    async def commit(self, referrers: Sequence[Document], tags: Sequence[TagWrite]) -> int:
        """PUT each tag (referrers were registered when their manifests were pushed)."""
        for tag in tags:
            if ":" in tag.tag:
                continue  # A digest name: the manifest push already made it.
            await self.client.put_manifest(
                tag.repo.with_tag(tag.tag), tag.raw, tag.descriptor.media_type
            )
        return len(tags)


__all__ = ["RegistryTarget"]

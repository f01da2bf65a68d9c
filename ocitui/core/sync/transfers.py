"""How bytes move for each direction: registry -> layout (pull) and layout -> registry (push).

The executor (:mod:`ocitui.core.sync.execute`) is direction-agnostic; these classes do
the actual writes. Pulls stream into the layout's resumable ``ingest/`` writer (which
verifies digest and size); pushes stream from the layout's blob files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO, Protocol

from ocitui.core.digest import Digest
from ocitui.core.errors import LayoutError
from ocitui.core.layout import SUBJECT_HINT, Layout
from ocitui.core.models import parse_document
from ocitui.core.reference import Reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync.plan import PlanBlob, PlanManifest, PlanTag

Progress = Callable[[int], None]


class Transfer(Protocol):
    """The writes of one sync direction."""

    async def blob(self, item: PlanBlob, started: Progress, progress: Progress) -> str:
        """Copy one blob; call ``started(offset)`` then ``progress(n)`` per chunk.

        Returns how: ``downloaded``, ``uploaded``, ``mounted`` or ``exists``.
        """
        ...

    async def manifest(self, item: PlanManifest) -> None:
        """Write one manifest or index (by digest) at the destination."""
        ...

    async def finish(self, manifests: list[PlanManifest], tags: list[PlanTag]) -> int:
        """Register referrers and set ``tags`` (all of whose graphs completed)."""
        ...


class PullTransfer:
    """Registry -> layout."""

    def __init__(self, client: RegistryClient, layout: Layout) -> None:
        self.client = client
        self.layout = layout

    async def blob(self, item: PlanBlob, started: Progress, progress: Progress) -> str:
        """Stream into ``ingest/`` (resuming a partial file), verify, move into place."""
        desc = item.descriptor
        if self.layout.has_blob(desc.digest, desc.size):
            return "exists"
        if item.source_repo is None:
            raise LayoutError(f"no source repository for blob {desc.digest}")
        with self.layout.ingest(desc.digest, desc.size) as writer:
            started(writer.offset)
            await self.client.fetch_blob(item.source_repo, desc, writer, on_progress=progress)
            writer.commit()
        return "downloaded"

    async def manifest(self, item: PlanManifest) -> None:
        """Store the exact bytes as a blob (index.json waits for :meth:`finish`)."""
        self.layout.put_blob(item.raw, item.digest)

    async def finish(self, manifests: list[PlanManifest], tags: list[PlanTag]) -> int:
        """``add_referrer`` for each referrer not yet recorded, then ``set_tag``, in one batch."""
        registered = {
            (e.annotations.get(SUBJECT_HINT), e.digest)
            for e in self.layout.entries()
            if SUBJECT_HINT in e.annotations
        }
        # One locked index.json rewrite for the whole sync, not one per referrer.
        with self.layout.batch():
            for item in manifests:
                if item.role != "referrer" or item.subject is None:
                    continue
                if (str(item.subject), item.digest) in registered:
                    continue
                self.layout.add_referrer(parse_document(item.raw, item.descriptor.media_type))
            for tag in tags:
                entry = tag.descriptor.with_changes(annotations=dict(tag.annotations))
                self.layout.set_tag(tag.name, entry)
        return len(tags)


class PushTransfer:
    """Layout -> registry; ``mount_from`` names a repository on the same registry to mount from."""

    def __init__(
        self, layout: Layout, client: RegistryClient, mount_from: Reference | None = None
    ) -> None:
        self.layout = layout
        self.client = client
        self.mount_from = mount_from

    def _opener(self, digest: Digest) -> Callable[[], BinaryIO]:
        return lambda: self.layout.open_blob(digest)

    async def blob(self, item: PlanBlob, started: Progress, progress: Progress) -> str:
        """Upload from ``blobs/`` (or mount when the registry already has it elsewhere)."""
        if item.dest_repo is None:
            raise LayoutError(f"no destination repository for blob {item.digest}")
        started(0)
        mount = self.mount_from
        if mount is not None and mount.registry != item.dest_repo.registry:
            mount = None
        return await self.client.push_blob(
            item.dest_repo,
            item.descriptor,
            self._opener(item.digest),
            mount_from=mount,
            on_progress=progress,
        )

    async def manifest(self, item: PlanManifest) -> None:
        """PUT by digest (the client keeps the referrers fallback tag when needed)."""
        assert item.dest_repo is not None
        ref = item.dest_repo.with_tag(None).with_digest(item.digest)
        await self.client.put_manifest(ref, item.raw, item.descriptor.media_type)

    async def finish(self, manifests: list[PlanManifest], tags: list[PlanTag]) -> int:
        """PUT each tag (referrers were registered when they were pushed)."""
        raw_of = {(m.dest_repo.name if m.dest_repo else "", m.digest): m.raw for m in manifests}
        for tag in tags:
            raw = raw_of[(tag.repo.name, tag.descriptor.digest)]
            if ":" in tag.tag:
                continue  # A digest name: the manifest push already made it.
            await self.client.put_manifest(
                tag.repo.with_tag(tag.tag), raw, tag.descriptor.media_type
            )
        return len(tags)

"""How bytes move: one transfer between any source and destination :class:`Target`.

The executor (:mod:`ocitui.core.sync.execute`) is direction-agnostic and so is this: a
pull is a copy into a layout target (blobs stream into its resumable, verifying
``ingest/`` writer), a push a copy into a registry target (uploads stream from the
layout's blob files, or mount), and ``index.json`` or the registry's tags change only in
:meth:`CopyTransfer.finish`, for graphs that completed.
"""

from __future__ import annotations

from typing import Protocol

from ocitui.core.errors import SyncError
from ocitui.core.reference import Reference
from ocitui.core.sync.plan import PlanBlob, PlanManifest, PlanTag
from ocitui.core.target.base import (
    BlobSource,
    BytesSource,
    Progress,
    Received,
    TagWrite,
    Target,
)


class Transfer(Protocol):
    """The writes of one sync."""

    #: Manifests go to this machine (a layout): writing one costs no request, so the
    #: executor may have more in flight than ``concurrency`` (they are stored in groups).
    local_writes: bool

    async def blob(
        self,
        item: PlanBlob,
        started: Progress,
        progress: Progress,
        received: Received | None = None,
    ) -> str:
        """Copy one blob; call ``started(offset)`` then ``progress(n)`` per chunk, and
        ``received()`` (when given) once only storing it locally remains.

        Returns how: ``downloaded``, ``uploaded``, ``mounted`` or ``exists``.
        """
        ...

    async def manifest(self, item: PlanManifest) -> None:
        """Write one manifest or index (by digest) at the destination."""
        ...

    async def finish(self, manifests: list[PlanManifest], tags: list[PlanTag]) -> int:
        """Register referrers and set ``tags`` (all of whose graphs completed)."""
        ...


class CopyTransfer:
    """Source target -> destination target; ``mount_from`` names a repository of the
    destination registry whose blobs may be mounted rather than uploaded."""

    def __init__(self, source: Target, dest: Target, mount_from: Reference | None = None) -> None:
        self.source = source
        self.dest = dest
        self.mount_from = mount_from if dest.capabilities.can_mount else None
        self.local_writes = dest.capabilities.local

    async def blob(
        self,
        item: PlanBlob,
        started: Progress,
        progress: Progress,
        received: Received | None = None,
    ) -> str:
        """Copy one blob (bytes the plan carries are written as they are)."""
        if item.source_repo is None or item.dest_repo is None:
            raise SyncError(f"no source or destination repository for blob {item.digest}")
        source: BlobSource = self.source if item.data is None else BytesSource(item.data)
        return await self.dest.push_blob(
            item.dest_repo,
            item.descriptor,
            source,
            item.source_repo,
            started=started,
            on_progress=progress,
            mount_from=self.mount_from,
            received=received,
        )

    async def manifest(self, item: PlanManifest) -> None:
        """Store the exact bytes by digest (names wait for :meth:`finish`)."""
        if item.dest_repo is None:
            raise SyncError(f"no destination repository for manifest {item.digest}")
        await self.dest.push_manifest(
            item.dest_repo, item.raw, item.descriptor.media_type, doc=item.document()
        )

    async def finish(self, manifests: list[PlanManifest], tags: list[PlanTag]) -> int:
        """Record the referrers and set the names, in one commit at the destination."""
        raw_of = {m.digest: m.raw for m in manifests}
        referrers = [
            m.document() for m in manifests if m.role == "referrer" and m.subject is not None
        ]
        writes = [
            TagWrite(
                t.repo,
                t.tag,
                t.name,
                t.descriptor.with_changes(annotations=dict(t.annotations)),
                raw_of[t.descriptor.digest],
            )
            for t in tags
        ]
        return await self.dest.commit(referrers, writes)

"""The layout as a :class:`~ocitui.core.target.base.Target` (plain file I/O in coroutines).

The layout is one store for every repository: ``repo`` only names tags (its names are
full references). Blobs land through the layout's resumable ``ingest/`` writer, which
verifies digest and size before the rename; ``index.json`` changes only in :meth:`commit`,
once the graphs it names are complete.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from ocitui.core.digest import Digest
from ocitui.core.errors import InvalidReference, LayoutError, NotFound, OcituiError, SyncError
from ocitui.core.layout import SUBJECT_HINT, BlobWriter, Layout
from ocitui.core.layout.ingest import fsync_dir, partial_path, store_together
from ocitui.core.models import REF_NAME, Descriptor, Document, parse_document
from ocitui.core.reference import Reference, parse_reference
from ocitui.core.registry.base import BlobSink
from ocitui.core.target.base import (
    BlobSource,
    Capabilities,
    Progress,
    Received,
    SpoolSink,
    TagWrite,
)
from ocitui.core.target.group_commit import GroupCommit

#: Bytes read from a blob file per step when streaming it into a sink.
READ_CHUNK = 1024 * 1024
#: Blobs up to this size are received in memory and stored in groups (see
#: :mod:`~ocitui.core.target.group_commit`); larger ones stream through a resumable
#: partial file in ``ingest/``.
SMALL_BLOB = 256 * 1024


class LayoutTarget:
    """An OCI image layout directory behind the :class:`Target` door."""

    def __init__(self, layout: Layout, *, read_only: bool = False) -> None:
        self.layout = layout
        self.label = f"layout {layout.root}"
        self.capabilities = Capabilities(local=True, read_only=read_only)
        self.local_store: Layout | None = None if read_only else layout
        #: Directories blobs were renamed into: fsynced once, in :meth:`commit`, before
        #: ``index.json`` names the blobs (not once per blob).
        self._renamed_into: set[Path] = set()
        #: Digests this sync counted on (found present or written); see ``commit``.
        self._relied: set[Digest] = set()
        #: Small blobs and manifests: stored a group at a time, one fsync pass each.
        self._small = GroupCommit(self._store_group)

    def _writable(self) -> None:
        if self.capabilities.read_only:
            raise LayoutError(f"{self.layout.root}: read-only (import it into a layout first)")

    # -- reads ---------------------------------------------------------------------------

    async def resolve(self, repo: Reference, text: str) -> tuple[Descriptor, bytes]:
        """A layout name (full or short ref, ``name@digest``, digest): entry and bytes."""
        entry = self.layout.resolve(text)
        return entry, self.layout.read_blob(entry.digest)

    async def fetch(self, repo: Reference, desc: Descriptor) -> bytes:
        """Read and verify a manifest blob."""
        if not self.layout.has_blob(desc.digest):
            raise NotFound(f"{desc.digest} is not in the {self.label}")
        return self.layout.read_blob(desc.digest)

    async def fetch_blob(self, repo: Reference, desc: Descriptor, *, max_size: int) -> bytes:
        """Read and verify a small blob."""
        if not self.layout.has_blob(desc.digest):
            raise NotFound(f"{desc.digest} is not in the {self.label}")
        return self.layout.read_blob(desc.digest, max_size=max_size)

    async def stream_blob(
        self, repo: Reference, desc: Descriptor, sink: BlobSink, on_progress: Progress | None
    ) -> None:
        """Copy the blob file into ``sink`` from ``sink.offset`` (reads off the event loop)."""
        with self.layout.open_blob(desc.digest) as handle:
            if sink.offset:
                handle.seek(sink.offset)
            while chunk := await asyncio.to_thread(handle.read, READ_CHUNK):
                await asyncio.to_thread(sink.write, chunk)
                if on_progress is not None:
                    on_progress(len(chunk))

    def open_local(self, desc: Descriptor) -> Callable[[], BinaryIO] | None:
        """The blob file (the reader hashes what it reads), None when absent."""
        digest = desc.digest
        if not self.layout.has_blob(digest, desc.size):
            return None
        return lambda: self.layout.open_blob(digest)

    async def exists(self, repo: Reference, desc: Descriptor) -> bool:
        """Present under ``blobs/`` with the right size (manifests too).

        A sync that finds a blob present counts on it: :meth:`commit` checks it is still
        there (and refreshes its mtime) before any name is written.
        """
        present = self.layout.has_blob(desc.digest, desc.size)
        if present:
            self._relied.add(desc.digest)
        return present

    def name_of(self, repo: Reference, tag: str) -> str:
        """The ``ref.name`` of ``repo:tag`` (``repo@digest`` when ``tag`` is a digest)."""
        if tag.startswith(("sha256:", "sha512:")):
            return f"{repo.name}@{tag}"
        return str(repo.with_tag(tag))

    async def lookup_tag(self, repo: Reference, tag: str) -> Descriptor | None:
        """The entry named ``repo:tag``, annotations included."""
        name = self.name_of(repo, tag)
        for entry in self.layout.entries():
            if entry.annotations.get(REF_NAME) == name:
                return entry
        return None

    async def tags(self, repo: Reference) -> list[str]:
        """Tags of ``repo`` among the layout's names."""
        out = []
        for entry in self.layout.tagged():
            try:
                ref = parse_reference(entry.ref_name or "")
            except InvalidReference:
                continue
            if ref.name == repo.name and ref.tag:
                out.append(ref.tag)
        return out

    async def referrers(
        self, repo: Reference, subject: Digest, artifact_types: Sequence[str] = ()
    ) -> list[Descriptor]:
        """Referrers recorded in ``index.json`` (any repository name)."""
        return self.layout.referrers(subject, artifact_types)

    async def legacy(self, repo: Reference, subject: Digest) -> list[tuple[str, Descriptor]]:
        """Legacy cosign entries of ``subject`` (any repository name, ``repo``'s first)."""

        def key(pair: tuple[str, Descriptor]) -> tuple[str, bool, str]:
            name = pair[1].ref_name or ""
            return (pair[0], not name.startswith(f"{repo.name}:"), name)

        return sorted(self.layout.legacy_attachments(subject), key=key)

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
        """Stream into ``ingest/`` (resuming a partial file), verify, move into place.

        Opening the partial file (it may wait for another process's lock and re-hashes
        what an earlier attempt left) and the commit (fsync, rename) run in worker
        threads, so the other transfers keep moving meanwhile. A small blob (up to
        :data:`SMALL_BLOB`) is received in memory, verified, and stored with the others
        that arrive meanwhile (:class:`~ocitui.core.target.group_commit.GroupCommit`):
        it returns once the blob is durable and in place, as a large one does, and calls
        ``received()`` once its bytes are verified in memory, before the group waits for
        the disk. A partial file an earlier attempt left is resumed from, whatever the
        size.
        """
        self._writable()
        if self.layout.has_blob(desc.digest, desc.size):
            self._relied.add(desc.digest)
            return "exists"
        if desc.size <= SMALL_BLOB and not self._partial(desc.digest):
            sink = SpoolSink(desc, in_memory=SMALL_BLOB)
            try:
                started(0)
                await source.stream_blob(source_repo, desc, sink, on_progress)
                data = sink.value()
            finally:
                sink.close()
            if received is not None:
                received()
            await self._small.put(desc.digest, data)
            self._relied.add(desc.digest)
            return "downloaded"
        writer = await asyncio.to_thread(self._writer, desc.digest, desc.size)
        with writer:
            started(writer.offset)
            await source.stream_blob(source_repo, desc, writer, on_progress)
            if writer.resumed_from and not writer.matches:
                # The partial an earlier attempt left was damaged: start over from byte 0
                # once, rather than fail this sync and succeed only on the next.
                writer.restart()
                started(0)
                await source.stream_blob(source_repo, desc, writer, on_progress)
            await asyncio.to_thread(writer.commit)
        self._relied.add(desc.digest)  # Only once stored: a failed blob fails its graph alone.
        return "downloaded"

    def _partial(self, digest: Digest) -> bool:
        """True when an earlier attempt left a partial download of ``digest``."""
        return os.path.lexists(partial_path(self.layout.ingest_dir, digest))

    def _writer(self, digest: Digest, size: int) -> BlobWriter:
        return self.layout.ingest(digest, size, on_renamed=self._renamed_into.add)

    async def push_manifest(
        self, repo: Reference, raw: bytes, media_type: str, *, doc: Document | None = None
    ) -> None:
        """Store the exact bytes as a blob (``index.json`` waits for :meth:`commit`).

        Stored like a small downloaded blob: in a group, the directory fsync left to
        :meth:`commit` (a pull of 10,000 referrers writes 10,000 manifests).
        """
        self._writable()
        if doc is None or doc.raw is not raw:
            doc = parse_document(raw, media_type)  # Garbage never enters the layout.
        digest = doc.digest  # Of these bytes; the group's writer checks it once more.
        if not self.layout.has_blob(digest, len(raw)):
            await self._small.put(digest, raw)
        self._relied.add(digest)

    def _store_group(self, group: Sequence[tuple[Digest, bytes]]) -> list[OcituiError | None]:
        """Store one group of small blobs (in a worker thread; see ``store_together``)."""
        blobs = [(self.layout.blob_path(digest), digest, data) for digest, data in group]
        return store_together(self.layout.ingest_dir, blobs, self._renamed_into.add)

    async def commit(self, referrers: Sequence[Document], tags: Sequence[TagWrite]) -> int:
        """Record each referrer not yet recorded, then set every name, in one batch."""
        self._writable()
        # The blobs' renames become durable before index.json can name them: those this
        # sync made, and those it found present (an earlier run may have stopped before
        # naming them, and so before syncing their directory). One fsync per directory.
        folders = self._renamed_into | {self.layout.blob_path(d).parent for d in self._relied}
        for folder in sorted(folders):
            await asyncio.to_thread(fsync_dir, folder)
        self._renamed_into.clear()
        registered = {
            (e.annotations.get(SUBJECT_HINT), e.digest)
            for e in self.layout.entries()
            if SUBJECT_HINT in e.annotations
        }
        self._require_relied()
        # One locked index.json rewrite for the whole sync, not one per referrer.
        with self.layout.batch():
            for doc in referrers:
                if doc.subject is None or (str(doc.subject.digest), doc.digest) in registered:
                    continue
                self.layout.add_referrer(doc)
            for tag in tags:
                self.layout.set_tag(tag.name, tag.descriptor)
        return len(tags)

    def _require_relied(self) -> None:
        """Right before names are written: every blob this sync counted on is still here.

        Each is touched too, so blobs the plan decided to reuse are young again for gc's
        grace period. The write lease keeps gc away meanwhile; this catches anything else
        that removed a blob (an older gc, a hand), so index.json never names an
        incomplete graph.
        """
        for digest in sorted(self._relied):
            if not self.layout.has_blob(digest):
                raise SyncError(
                    f"{digest} vanished from the layout before index.json was written "
                    "(removed by gc or by hand?); nothing was named, pull again"
                )
            self.layout.touch(digest)


__all__ = ["LayoutTarget"]

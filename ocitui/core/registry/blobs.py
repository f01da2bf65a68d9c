"""Blob download with Range resume, and blob upload (dedup, mount, monolithic, chunked).

Downloads stream into a :class:`BlobSink`; a dropped connection, a 5xx or a 429 resumes
from ``sink.offset`` with a ``Range`` request, and a server that answers 200 instead of 206
makes the sink restart. Uploads stream from the file (never read whole), follow the upload
``Location`` exactly as the registry gave it, and hash what they send.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import BinaryIO, Literal

import httpx

from ocitui.core.digest import Digest, Verifier
from ocitui.core.errors import DigestMismatch, RegistryError
from ocitui.core.limits import BLOB_ATTEMPTS
from ocitui.core.models import Descriptor
from ocitui.core.reference import Reference
from ocitui.core.registry.base import PULL, PUSH, BlobSink, ClientBase
from ocitui.core.registry.challenge import repository_scope
from ocitui.core.registry.connections import release
from ocitui.core.registry.httputil import content_range_start, resolve_location, with_query
from ocitui.core.registry.manifests import header_digest
from ocitui.core.registry.session import body_deadline
from ocitui.core.registry.uploads import UploadSession

READ_CHUNK = 1024 * 1024
#: Chunk size used when a registry refuses a monolithic upload as too large (413).
FALLBACK_CHUNK = 16 * 1024 * 1024
Progress = Callable[[int], None] | None


#: Bytes gathered before a batch is hashed and written off the event loop.
WRITE_BATCH = 1024 * 1024
#: Blobs up to this size, received into an in-memory sink, are hashed on the event loop.
INLINE_WRITE = 256 * 1024


class BlobOps(ClientBase):
    """Blob operations of the client."""

    async def blob_exists(self, repo: Reference, digest: Digest) -> bool:
        """``HEAD`` a blob: True on 200, False on 404."""
        response = await self.send("HEAD", repo, self.repo_url(repo, f"blobs/{digest}"))
        await release(response)
        if response.status_code == 200:
            return True
        if response.status_code == 404:
            return False
        raise await self._session.fail(response, self.where(repo), f"blob check {digest.short}")

    async def fetch_blob(
        self, repo: Reference, desc: Descriptor, sink: BlobSink, *, on_progress: Progress = None
    ) -> None:
        """Stream ``desc`` into ``sink``, resuming with ``Range`` from ``sink.offset``.

        The sink verifies digest and size on commit; here we refuse bytes past ``size``, a
        contradicting ``Docker-Content-Digest``, and an answer that starts at the wrong byte.
        """
        where = f"{self.where(repo)}@{desc.digest.short}"
        url = self.repo_url(repo, f"blobs/{desc.digest}")
        attempt = 0
        requests, max_requests = 0, BLOB_ATTEMPTS.int_value()
        while sink.offset < desc.size or desc.size == 0:
            if requests >= max_requests:
                raise RegistryError(
                    f"{where}: no complete download after {requests} requests "
                    f"(OCITUI_MAX_BLOB_ATTEMPTS)"
                )
            requests += 1
            start = sink.offset
            # The digest is of the raw bytes: never invite a compressed answer.
            headers = {"Accept-Encoding": "identity"}
            if start > 0:
                headers["Range"] = f"bytes={start}-"
            response = await self.send("GET", repo, url, headers=headers, follow_redirects=True)
            try:
                if response.status_code == 416 and start >= desc.size:
                    return
                if response.status_code not in (200, 206):
                    raise await self._session.fail(response, where, "blob fetch")
                claimed = header_digest(response.headers.get("docker-content-digest"), where)
                if (
                    claimed is not None
                    and claimed != desc.digest
                    and (claimed.algorithm == desc.digest.algorithm)
                ):
                    raise DigestMismatch(f"{where}: registry says it is serving {claimed}")
                if response.status_code == 206:
                    if content_range_start(response.headers.get("content-range")) != start:
                        # A range we did not ask for: start over from a clean sink.
                        sink.restart()
                        await response.aclose()
                        continue
                elif start > 0:
                    sink.restart()
                async with body_deadline(where):
                    done = await self._stream_into(response, desc, sink, on_progress, where)
            finally:
                await response.aclose()
            if done or desc.size == 0:
                return
            if attempt >= self.options.retries:
                raise RegistryError(f"{where}: download kept breaking off after {attempt} retries")
            await self._session.retrying(where, "download broke off", attempt)
            attempt += 1

    async def _stream_into(
        self,
        response: httpx.Response,
        desc: Descriptor,
        sink: BlobSink,
        on_progress: Progress,
        where: str,
    ) -> bool:
        """Copy the body into the sink; False when the connection dropped part-way.

        Received chunks are gathered into ~1 MiB batches that are hashed and written in a
        worker thread (hashlib and file writes release the GIL), so the event loop keeps
        receiving, for this blob and the others in flight, while the disk works. A small
        blob (up to :data:`INLINE_WRITE`) going into a sink that holds it in memory
        (``sink.in_memory``) is hashed on the event loop: there the thread hop would
        cost more than the work.
        """
        pending: list[bytes] = []
        held = 0
        # A sink that keeps a small blob in memory (``in_memory``, e.g. SpoolSink) is
        # written on the event loop: its writes never wait for a disk.
        in_memory = bool(getattr(sink, "in_memory", False)) and desc.size <= INLINE_WRITE

        async def flush() -> None:
            nonlocal held
            if pending:
                # The chunks as they came, not joined: a joined megabyte is a fresh mapping
                # (page faults, a copy) on the event loop, a tenth of its time on a pull.
                batch = pending.copy()
                pending.clear()
                held = 0
                if in_memory:
                    _write_all(sink, batch)  # A thread hop would cost more than the hash.
                else:
                    await asyncio.to_thread(_write_all, sink, batch)

        try:
            # Raw bytes: Range offsets count encoded bytes. A response that was read
            # already (mock transports) only offers its content.
            chunks = (
                _single(response.content) if response.is_stream_consumed else (response.aiter_raw())
            )
            async for chunk in chunks:
                if sink.offset + held + len(chunk) > desc.size:
                    raise DigestMismatch(f"{where}: registry sent more than {desc.size} bytes")
                pending.append(chunk)
                held += len(chunk)
                if held >= WRITE_BATCH:
                    await flush()
                if on_progress is not None:
                    on_progress(len(chunk))
        except httpx.TransportError:
            await flush()  # Keep what arrived: the retry resumes after it.
            return False
        await flush()
        return sink.offset >= desc.size

    async def push_blob(
        self,
        repo: Reference,
        desc: Descriptor,
        open_source: Callable[[], BinaryIO],
        *,
        mount_from: Reference | None = None,
        on_progress: Progress = None,
        chunk_size: int | None = None,
        check_exists: bool = True,
    ) -> Literal["exists", "mounted", "uploaded"]:
        """Make sure ``repo`` has the blob: skip, mount from another repo, or upload it.

        ``check_exists=False`` skips the first ``HEAD`` when the caller has just asked
        (a sync plan did): one request less per blob, which counts for small blobs.
        """
        if check_exists and await self.blob_exists(repo, desc.digest):
            return "exists"
        where = f"{self.where(repo)}@{desc.digest.short}"
        extra: list[str] = []
        start_url = self.repo_url(repo, "blobs/uploads/")
        if (
            mount_from is not None
            and mount_from.registry == repo.registry
            and (mount_from.repository != repo.repository)
        ):
            extra = [repository_scope(mount_from.repository, PULL)]
            start_url = with_query(
                with_query(start_url, "mount", str(desc.digest)), "from", mount_from.repository
            )
        response = await self.send(
            "POST",
            repo,
            start_url,
            actions=PUSH,
            extra_scopes=extra,
            headers={"Content-Length": "0"},
            body=b"",
        )
        if response.status_code == 201 and extra:
            await release(response)
            return "mounted"
        if response.status_code != 202:
            raise await self._session.fail(response, where, "upload start")
        await release(response)
        upload = UploadSession(
            self,
            repo,
            where,
            resolve_location(response.request.url, response.headers.get("location")),
            min_chunk=_int(response.headers.get("oci-chunk-min-length")),
        )
        if chunk_size is None:
            status = await self._monolithic(upload, desc, open_source, on_progress)
            if status != 413:
                return "uploaded"
            chunk_size = FALLBACK_CHUNK
            upload = await upload.restart()
        await upload.chunked(desc, open_source, chunk_size, on_progress)
        return "uploaded"

    async def _monolithic(
        self,
        upload: UploadSession,
        desc: Descriptor,
        open_source: Callable[[], BinaryIO],
        on_progress: Progress,
    ) -> int:
        """``PUT <location>?digest=`` streaming the file; returns 413 to ask for chunks."""

        def body() -> AsyncIterator[bytes]:
            return _file_chunks(open_source, desc, on_progress)

        url = with_query(upload.location, "digest", str(desc.digest))
        response = await upload.send(
            "PUT",
            url,
            headers={"Content-Type": "application/octet-stream", "Content-Length": str(desc.size)},
            body=body,
        )
        if response.status_code == 413:
            await release(response)
            return 413
        await upload.finish(response, desc)
        return response.status_code


async def _file_chunks(
    open_source: Callable[[], BinaryIO],
    desc: Descriptor,
    on_progress: Progress,
    start: int = 0,
    length: int | None = None,
) -> AsyncIterator[bytes]:
    """Read ``[start, start+length)`` of the source in chunks, hashing a whole-file read.

    Reads and hashing run in a worker thread (both release the GIL), so several uploads
    hash on several cores and the event loop keeps sending meanwhile.
    """
    verifier = Verifier(desc.digest, desc.size) if start == 0 and length is None else None
    remaining = desc.size - start if length is None else length

    def read(source: BinaryIO, size: int) -> bytes:
        chunk = source.read(size)
        if verifier is not None:
            verifier.update(chunk)
        return chunk

    with open_source() as source:
        if start:
            source.seek(start)
        while remaining > 0:
            size = min(READ_CHUNK, remaining)
            # Small reads are cheaper inline than a hop to a thread and back.
            chunk = (
                read(source, size)
                if size < _THREAD_READ_MIN
                else await asyncio.to_thread(read, source, size)
            )
            if not chunk:
                raise DigestMismatch(f"{desc.digest}: local source is shorter than {desc.size}")
            remaining -= len(chunk)
            if on_progress is not None:
                on_progress(len(chunk))
            yield chunk
    if verifier is not None:
        verifier.verify()


#: Reads at least this large go to a worker thread (see :func:`_file_chunks`).
_THREAD_READ_MIN = 256 * 1024


def _write_all(sink: BlobSink, chunks: list[bytes]) -> None:
    """Write ``chunks`` in order (in a worker thread: hashing and writes release the GIL)."""
    for chunk in chunks:
        sink.write(chunk)


async def _single(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None

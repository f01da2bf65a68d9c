"""Execute a :class:`~ocitui.core.sync.plan.Plan` with bounded concurrency.

Order, per item (no phase waits for another): blobs start at once, at most
``concurrency`` at a time (into a layout, small ones up to :data:`SMALL_REQUESTS`
besides); a manifest is written as soon as its own blobs, its
children and its subject are written (children before parents, referrers after their
subjects; into a layout up to :data:`LOCAL_MANIFESTS` at a time, as they cost no
request); then names and referrer registration (the layout's ``index.json`` changes only
for graphs that completed), machine tags before the tags people resolve (a tag moves only
once all it leads to is there). A small blob bound for a layout gives its request slot to
the next blob once its bytes are verified in memory, and then waits for its group's
fsync (at most :data:`LOCAL_MANIFESTS` wait so). What is already at the destination is
skipped without a request. A failure is reported and everything depending on it is
skipped; cancellation leaves partial blobs in ``ingest/``.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from ocitui.core.digest import Digest
from ocitui.core.errors import OcituiError
from ocitui.core.events import (
    BlobDone,
    BlobProgress,
    BlobStarted,
    EventSink,
    Failed,
    ManifestDone,
    Skipped,
    TagDone,
    ignore,
)
from ocitui.core.layout.summary import is_machine_tag, machine_tag_kind
from ocitui.core.sync.plan import Plan, PlanBlob, PlanManifest, PlanTag
from ocitui.core.sync.report import SyncReport
from ocitui.core.sync.transfers import Transfer
from ocitui.core.target.layout import SMALL_BLOB

#: Emit a BlobProgress at most every this many bytes (and at the end).
PROGRESS_STEP = 1024 * 1024
#: Manifests in flight at once when they are written on this machine (no request each):
#: a layout stores the ones that arrive together in one group (one fsync pass).
LOCAL_MANIFESTS = 64
#: Requests in flight at once for small blobs bound for a layout (the walk's window for
#: manifests): ``concurrency`` counts transfers of large blobs; many small ones cost a
#: round trip each and little else.
SMALL_REQUESTS = 8


async def execute(
    plan: Plan,
    transfer: Transfer,
    *,
    concurrency: int = 4,
    emit: EventSink = ignore,
) -> tuple[SyncReport, set[Digest]]:
    """Carry out ``plan``; returns the report and the digests that failed."""
    report = SyncReport.for_plan(plan)
    failed: set[Digest] = set()
    sem = asyncio.Semaphore(max(1, concurrency))

    def fail(digest: Digest, message: str) -> None:
        failed.add(digest)
        report.failed.append(f"{digest}: {message}")
        emit(Failed(str(digest), message))

    async def guarded(
        digest: Digest,
        work: Callable[[], Awaitable[None]],
        bound: AbstractAsyncContextManager[object] = sem,
    ) -> None:
        async with bound:
            try:
                await work()
            except OcituiError as exc:
                fail(digest, str(exc))

    for blob in plan.blobs:
        if blob.present:
            report.blobs_skipped += 1
            report.bytes_skipped += blob.descriptor.size
            emit(Skipped(str(blob.digest), "blob", blob.descriptor.size))
    manifests = []
    for item in plan.manifests:
        if item.present:
            report.manifests_skipped += 1
            emit(Skipped(str(item.digest), "manifest", item.descriptor.size))
        else:
            manifests.append(item)
    blobs = plan.blobs_to_copy()
    # Set once a blob / manifest is written or has failed (one event per copy: a registry
    # destination has one per repository); a manifest waits for those it depends on.
    blob_done: dict[Digest, list[asyncio.Event]] = defaultdict(list)
    manifest_done: dict[Digest, list[asyncio.Event]] = defaultdict(list)
    level_of = {m.digest: m.level for m in manifests}
    local = transfer.local_writes
    # Into a layout a small blob hands its request slot back once its bytes are verified
    # in memory (``Slot``) and then waits for its group's fsync: at most this many are
    # between their request and their place under ``blobs/`` (each at most SMALL_BLOB).
    held = asyncio.Semaphore(max(concurrency, LOCAL_MANIFESTS) if local else max(1, concurrency))
    small = asyncio.Semaphore(max(concurrency, SMALL_REQUESTS)) if local else sem
    manifest_sem = asyncio.Semaphore(max(concurrency, LOCAL_MANIFESTS)) if local else sem

    async def copy_blob(blob: PlanBlob, done: asyncio.Event) -> None:
        try:
            slot = Slot(small if blob.descriptor.size <= SMALL_BLOB else sem)
            async with held:
                await guarded(
                    blob.digest, _blob_work(blob, transfer, report, emit, slot.release), slot
                )
        finally:
            done.set()

    async def copy_manifest(item: PlanManifest, done: asyncio.Event) -> None:
        try:
            for digest in item.blobs:
                for event in blob_done.get(digest, ()):
                    await event.wait()
            for needed in (*item.needs, item.subject):
                # Only manifests earlier in write order are waited for, so not even a
                # graph whose digests lie can make two manifests wait for each other.
                if needed is not None and level_of.get(needed, item.level) < item.level:
                    for event in manifest_done.get(needed, ()):
                        await event.wait()
            blocked = [d for d in (*item.blobs, *item.needs) if d in failed]
            if item.subject is not None and item.subject in failed:
                blocked.append(item.subject)
            if blocked:
                fail(item.digest, f"skipped: depends on {blocked[0].short}, which failed")
                return
            await guarded(item.digest, _manifest_work(item, transfer, report, emit), manifest_sem)
        finally:
            done.set()

    def done_event(table: dict[Digest, list[asyncio.Event]], digest: Digest) -> asyncio.Event:
        event = asyncio.Event()
        table[digest].append(event)
        return event

    jobs = [copy_blob(b, done_event(blob_done, b.digest)) for b in blobs]
    jobs += [copy_manifest(m, done_event(manifest_done, m.digest)) for m in manifests]
    await asyncio.gather(*jobs)

    done = [m for m in plan.manifests if m.digest not in failed]
    tags = []
    for tag in tags_in_write_order(plan):
        machine = machine_tag_kind(tag.tag)
        if tag.descriptor.digest in failed:
            report.failed.append(f"{tag.name}: not set, its content failed to copy")
        elif machine is not None and machine.subject in failed:
            # A .sig tag of an image that did not arrive would name a signature of nothing.
            report.failed.append(f"{tag.name}: not set, its subject failed to copy")
        elif tag.present:
            report.tags_skipped += 1
            emit(Skipped(str(tag.descriptor.digest), "tag", 0))
        else:
            tags.append(tag)
    try:
        report.tags_written = await transfer.finish(done, tags)
    except OcituiError as exc:
        report.failed.append(f"setting names: {exc}")
        emit(Failed("", str(exc)))
    else:
        for tag in tags:
            emit(TagDone(tag.name, str(tag.descriptor.digest)))
    return report, failed


class Slot:
    """One place of ``sem``, held from ``async with`` until :meth:`release` or the end of
    the block, whichever comes first (a blob received in memory gives its request slot
    to the next transfer while it waits to be stored)."""

    def __init__(self, sem: asyncio.Semaphore) -> None:
        self._sem = sem
        self._held = False

    async def __aenter__(self) -> Slot:
        await self._sem.acquire()
        self._held = True
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()

    def release(self) -> None:
        """Give the place back (once; later calls do nothing)."""
        if self._held:
            self._held = False
            self._sem.release()


def tags_in_write_order(plan: Plan) -> list[PlanTag]:
    """The plan's tags, machine tags (legacy, fallback, imgpkg) before the names people
    resolve, so a user's tag never points at content whose attachments are still missing."""
    return sorted(plan.tags, key=lambda tag: not is_machine_tag(tag.tag))


def _blob_work(
    blob: PlanBlob,
    transfer: Transfer,
    report: SyncReport,
    emit: EventSink,
    received: Callable[[], None] | None = None,
) -> Callable[[], Awaitable[None]]:
    desc = blob.descriptor
    digest = str(desc.digest)

    async def work() -> None:
        state = {"done": 0, "shown": 0}

        def started(offset: int) -> None:
            state["done"] = state["shown"] = offset
            emit(BlobStarted(digest, desc.size, offset, desc.media_type))

        def progress(count: int) -> None:
            state["done"] += count
            if state["done"] - state["shown"] >= PROGRESS_STEP or state["done"] >= desc.size:
                state["shown"] = state["done"]
                emit(BlobProgress(digest, state["done"], desc.size))

        how = await transfer.blob(blob, started, progress, received)
        if how in ("exists",):
            report.blobs_skipped += 1
            report.bytes_skipped += desc.size
        else:
            report.blobs_copied += 1
            report.bytes_copied += desc.size
            report.blobs_mounted += how == "mounted"
        emit(BlobDone(digest, desc.size, how))

    return work


def _manifest_work(
    item: PlanManifest, transfer: Transfer, report: SyncReport, emit: EventSink
) -> Callable[[], Awaitable[None]]:
    async def work() -> None:
        await transfer.manifest(item)
        report.manifests_written += 1
        emit(ManifestDone(str(item.digest), item.descriptor.media_type, item.role))

    return work

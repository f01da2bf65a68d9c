"""Execute a :class:`~ocitui.core.sync.plan.Plan` with bounded concurrency.

Order: blobs (concurrently, at most ``concurrency`` at a time), then manifests level by
level (children before parents, referrers after their subjects; into a layout up to
:data:`LOCAL_MANIFESTS` at a time, as they cost no request), then names and referrer
registration (the layout's ``index.json`` changes only for graphs that completed), machine
tags before the tags people resolve (a tag moves only once all it leads to is there). What
is already at the destination is skipped without a request. A failure is reported and
everything depending on it is skipped; cancellation leaves partial blobs in ``ingest/``.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable

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

#: Emit a BlobProgress at most every this many bytes (and at the end).
PROGRESS_STEP = 1024 * 1024
#: Manifests in flight at once when they are written on this machine (no request each):
#: a layout stores the ones that arrive together in one group (one fsync pass).
LOCAL_MANIFESTS = 64


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
        digest: Digest, work: Callable[[], Awaitable[None]], bound: asyncio.Semaphore = sem
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
    await asyncio.gather(
        *(guarded(b.digest, _blob_work(b, transfer, report, emit)) for b in plan.blobs_to_copy())
    )

    manifest_sem = (
        asyncio.Semaphore(max(concurrency, LOCAL_MANIFESTS)) if transfer.local_writes else sem
    )
    by_level: dict[int, list[PlanManifest]] = defaultdict(list)
    for item in plan.manifests:
        if item.present:
            report.manifests_skipped += 1
            emit(Skipped(str(item.digest), "manifest", item.descriptor.size))
        else:
            by_level[item.level].append(item)
    for level in sorted(by_level):
        work = []
        for item in by_level[level]:
            blocked = [d for d in (*item.blobs, *item.needs) if d in failed]
            if item.subject is not None and item.subject in failed:
                blocked.append(item.subject)
            if blocked:
                fail(item.digest, f"skipped: depends on {blocked[0].short}, which failed")
                continue
            work.append(
                guarded(item.digest, _manifest_work(item, transfer, report, emit), manifest_sem)
            )
        await asyncio.gather(*work)

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


def tags_in_write_order(plan: Plan) -> list[PlanTag]:
    """The plan's tags, machine tags (legacy, fallback, imgpkg) before the names people
    resolve, so a user's tag never points at content whose attachments are still missing."""
    return sorted(plan.tags, key=lambda tag: not is_machine_tag(tag.tag))


def _blob_work(
    blob: PlanBlob, transfer: Transfer, report: SyncReport, emit: EventSink
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

        how = await transfer.blob(blob, started, progress)
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

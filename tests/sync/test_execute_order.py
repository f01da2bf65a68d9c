"""The executor's order and bounds, with a scripted transfer (no registry, no disk).

Each item is written once all it depends on is written (its blobs, its children, its
subject), without waiting for unrelated items; requests stay within ``concurrency``; a
small blob bound for a layout hands its request slot on once received (small blobs have
the walk's window of requests, large ones ``concurrency``), and the blobs waiting to be
stored stay within ``LOCAL_MANIFESTS``.
"""

from __future__ import annotations

import asyncio

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import RegistryError
from ocitui.core.models import Descriptor
from ocitui.core.reference import parse_reference
from ocitui.core.sync.execute import LOCAL_MANIFESTS, SMALL_REQUESTS, execute
from ocitui.core.sync.filters import SyncFilter
from ocitui.core.sync.plan import Plan, PlanBlob, PlanManifest, PlanTag
from ocitui.core.target.base import Progress, Received
from ocitui.core.target.layout import SMALL_BLOB

REPO = parse_reference("registry.example/app")


def blob(name: str) -> PlanBlob:
    data = name.encode()
    return PlanBlob(Descriptor(mt.OCI_LAYER_GZIP, Digest.of(data), len(data)), REPO, REPO)


def manifest(
    name: str,
    *,
    blobs: tuple[PlanBlob, ...] = (),
    needs: tuple[PlanManifest, ...] = (),
    subject: PlanManifest | None = None,
    level: int = 0,
) -> PlanManifest:
    raw = f'{{"name": "{name}"}}'.encode()
    return PlanManifest(
        Descriptor(mt.OCI_MANIFEST, Digest.of(raw), len(raw)),
        raw,
        "referrer" if subject is not None else "image",
        REPO,
        REPO,
        subject=subject.digest if subject is not None else None,
        needs=tuple(n.digest for n in needs),
        blobs=tuple(b.digest for b in blobs),
        level=level,
    )


class Scripted:
    """A transfer whose every step waits until the test lets it go.

    ``local_writes``: blobs call ``received()`` after their request, then wait to be
    "stored" (``stores``); otherwise the request is the whole copy.
    """

    def __init__(self, *, local_writes: bool) -> None:
        self.local_writes = local_writes
        self.log: list[str] = []
        self.requests = 0
        self.most_requests = 0
        self.storing = 0
        self.most_storing = 0
        self.requests_go: dict[Digest, asyncio.Event] = {}
        self.stores_go: dict[Digest, asyncio.Event] = {}
        self.failing: set[Digest] = set()

    def go(self, table: dict[Digest, asyncio.Event], digest: Digest) -> asyncio.Event:
        return table.setdefault(digest, asyncio.Event())

    async def blob(
        self,
        item: PlanBlob,
        started: Progress,
        progress: Progress,
        received: Received | None = None,
    ) -> str:
        started(0)
        self.requests += 1
        self.most_requests = max(self.most_requests, self.requests)
        try:
            await self.go(self.requests_go, item.digest).wait()
        finally:
            self.requests -= 1
        if item.digest in self.failing:
            raise RegistryError(f"{item.digest.short}: HTTP 500")
        if self.local_writes:
            assert received is not None
            received()
            self.storing += 1
            self.most_storing = max(self.most_storing, self.storing)
            try:
                await self.go(self.stores_go, item.digest).wait()
            finally:
                self.storing -= 1
        self.log.append(f"blob {item.digest.short}")
        return "downloaded"

    async def manifest(self, item: PlanManifest) -> None:
        self.log.append(f"manifest {item.digest.short}")

    async def finish(self, manifests: list[PlanManifest], tags: list[PlanTag]) -> int:
        return 0


def plan_of(blobs: list[PlanBlob], manifests: list[PlanManifest]) -> Plan:
    plan = Plan("src", "dst", SyncFilter())
    plan.blobs, plan.manifests = blobs, manifests
    return plan


async def settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


async def test_a_manifest_is_written_once_its_own_blobs_are_not_after_every_blob() -> None:
    early, slow = blob("early"), blob("slow")
    ready = manifest("ready", blobs=(early,))
    waiting = manifest("waiting", blobs=(slow,))
    transfer = Scripted(local_writes=False)
    run = asyncio.create_task(execute(plan_of([early, slow], [ready, waiting]), transfer))
    transfer.go(transfer.requests_go, early.digest).set()
    await settle()
    # "ready" is written while "slow" is still downloading; "waiting" is not.
    assert transfer.log == [f"blob {early.digest.short}", f"manifest {ready.digest.short}"]
    transfer.go(transfer.requests_go, slow.digest).set()
    report, failed = await run
    assert transfer.log[2:] == [f"blob {slow.digest.short}", f"manifest {waiting.digest.short}"]
    assert report.manifests_written == 2 and not failed


async def test_children_before_their_index_and_referrers_after_their_subject() -> None:
    layer = blob("layer")
    child = manifest("child", blobs=(layer,))
    index = manifest("index", needs=(child,), level=1)
    referrer = manifest("signature", subject=index, level=2)
    transfer = Scripted(local_writes=False)
    run = asyncio.create_task(
        execute(plan_of([layer], [referrer, index, child]), transfer)  # Any listed order.
    )
    await settle()
    assert transfer.log == []  # Nothing is written before the one blob everything needs.
    transfer.go(transfer.requests_go, layer.digest).set()
    await run
    assert transfer.log == [
        f"blob {layer.digest.short}",
        f"manifest {child.digest.short}",
        f"manifest {index.digest.short}",
        f"manifest {referrer.digest.short}",
    ]


async def test_a_failed_blob_skips_what_depends_on_it_and_nothing_else() -> None:
    bad, good = blob("bad"), blob("good")
    broken = manifest("broken", blobs=(bad,))
    its_referrer = manifest("its referrer", subject=broken, level=1)
    fine = manifest("fine", blobs=(good,))
    transfer = Scripted(local_writes=False)
    transfer.failing.add(bad.digest)
    for item in (bad, good):
        transfer.go(transfer.requests_go, item.digest).set()
    report, failed = await execute(plan_of([bad, good], [broken, its_referrer, fine]), transfer)
    assert failed == {bad.digest, broken.digest, its_referrer.digest}
    assert f"{broken.digest}: skipped: depends on {bad.digest.short}, which failed" in (
        report.failed
    )
    assert f"{its_referrer.digest}: skipped: depends on {broken.digest.short}, which failed" in (
        report.failed
    )
    assert f"manifest {fine.digest.short}" in transfer.log
    assert report.manifests_written == 1


async def test_into_a_layout_requests_stay_bounded_while_stores_wait_within_their_window() -> None:
    blobs = [blob(f"payload {n}") for n in range(LOCAL_MANIFESTS + 20)]
    transfer = Scripted(local_writes=True)
    run = asyncio.create_task(execute(plan_of(blobs, []), transfer, concurrency=4))
    await settle()
    # Small blobs bound for a layout: the walk's window of requests, not --concurrency.
    assert transfer.requests == SMALL_REQUESTS > 4
    for item in blobs:
        transfer.go(transfer.requests_go, item.digest).set()  # Every request answers.
    await settle()
    # No store has finished, yet more blobs got past their request than there are
    # request slots: each handed its slot on once received. The window stops them at
    # LOCAL_MANIFESTS.
    assert transfer.storing == LOCAL_MANIFESTS
    for item in blobs:
        transfer.go(transfer.stores_go, item.digest).set()
    report, failed = await run
    assert report.blobs_copied == len(blobs) and not failed
    assert transfer.most_storing == LOCAL_MANIFESTS
    assert transfer.most_requests == SMALL_REQUESTS


async def test_into_a_layout_large_blobs_keep_to_concurrency() -> None:
    large = [blob(f"layer {n}") for n in range(10)]
    for item in large:
        item.descriptor = item.descriptor.with_changes(size=SMALL_BLOB + 1)
    transfer = Scripted(local_writes=True)
    run = asyncio.create_task(execute(plan_of(large, []), transfer, concurrency=3))
    await settle()
    assert transfer.requests == 3
    for item in large:
        transfer.go(transfer.requests_go, item.digest).set()
        transfer.go(transfer.stores_go, item.digest).set()
    await run
    assert transfer.most_requests == 3


async def test_to_a_registry_a_blob_holds_its_slot_until_it_is_done() -> None:
    blobs = [blob(f"layer {n}") for n in range(10)]
    transfer = Scripted(local_writes=False)
    run = asyncio.create_task(execute(plan_of(blobs, []), transfer, concurrency=3))
    await settle()
    assert transfer.requests == 3  # The rest wait for a slot.
    for item in blobs:
        transfer.go(transfer.requests_go, item.digest).set()
    await run
    assert transfer.most_requests == 3

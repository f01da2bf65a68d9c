"""``run(plan)`` reads the destination's explicit ``local_store``: the write lease, the
index gate and the unreferenced-blobs count apply to a layout destination only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from ocitui.core.errors import LockTimeout, SyncError
from ocitui.core.layout import Layout
from ocitui.core.layout.guard import lease
from ocitui.core.models import Descriptor
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import SyncFilter, plan_pull, plan_push, run
from ocitui.core.target import RegistryTarget
from tests.sync.graph import build_graph, seed_state


@pytest.fixture
def source(fake_registry: Callable[..., Any]) -> tuple[Any, str]:
    registry = fake_registry()
    seed_state(registry.state, "team/app", build_graph())
    return registry, f"{registry.host}/team/app:v1"


async def test_run_holds_the_destination_layouts_lease_while_it_writes(
    source: tuple[Any, str], client: RegistryClient, new_layout: Callable[[], Layout]
) -> None:
    registry, ref = source
    layout = new_layout()
    plan = await plan_pull(client, layout, [ref], SyncFilter())
    registry.release_blobs.clear()  # Downloads wait: the run is mid-write.
    task = asyncio.create_task(run(plan))
    try:
        for _ in range(600):
            if registry.blob_waiters:
                break
            await asyncio.sleep(0.05)
        assert registry.blob_waiters, "the run never reached its downloads"
        with pytest.raises(LockTimeout), lease(layout.root, exclusive=True, timeout=0):
            pass  # gc's exclusive lease is refused while the run writes.
    finally:
        registry.release_blobs.set()
    assert (await task).ok
    with lease(layout.root, exclusive=True, timeout=0):
        pass  # Released afterwards.


async def test_a_gate_refuses_a_destination_without_a_layout(
    source: tuple[Any, str], client: RegistryClient, new_layout: Callable[[], Layout]
) -> None:
    _, ref = source
    layout = new_layout()
    assert (await run(await plan_pull(client, layout, [ref], SyncFilter()))).ok
    dest = ref.replace("team/app", "team/copy")
    plan = await plan_push(layout, client, [(ref, parse_reference(dest))], SyncFilter())
    assert isinstance(plan.dest_target, RegistryTarget) and plan.dest_target.local_store is None
    seen: list[list[Descriptor]] = []

    def gate(_layout: Layout, entries: list[Descriptor]) -> None:
        seen.append(entries)

    with pytest.raises(SyncError, match="gate needs a layout destination"):
        await run(plan, gate=gate)
    assert seen == []


async def test_a_refusing_gate_names_nothing_and_reports_the_blobs_left(
    source: tuple[Any, str], client: RegistryClient, new_layout: Callable[[], Layout]
) -> None:
    _, ref = source
    layout = new_layout()
    plan = await plan_pull(client, layout, [ref], SyncFilter())
    assert plan.dest_target is not None and plan.dest_target.local_store is layout

    def gate(gated: Layout, entries: list[Descriptor]) -> None:
        assert gated is layout and entries
        raise SyncError("refused by the test gate")

    report = await run(plan, gate=gate)
    assert not report.ok and any("refused by the test gate" in f for f in report.failed)
    assert layout.entries() == []
    assert report.unreferenced_blobs > 0 and report.unreferenced_bytes > 0

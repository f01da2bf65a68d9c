"""An upload hands its concurrency slot back once its body is sent (ocitui.core.slots):
the next upload starts while the registry is still storing the previous one."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Callable
from typing import Any

import pytest

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.models import Descriptor
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.slots import Slot, hand_back_slot
from ocitui.core.sync import pull, push
from tests.sync.graph import build_graph, seed_state

UPLOADS = r"/elsewhere/app/blobs/uploads/"


async def test_a_slot_is_handed_back_once() -> None:
    limit = asyncio.Semaphore(1)
    hand_back_slot()  # Outside a slot: nothing to do.
    async with Slot(limit) as slot:
        assert limit.locked() and slot.held
        hand_back_slot()
        assert not limit.locked() and not slot.held
        hand_back_slot()  # Once only: the limit is not raised to 2.
    await limit.acquire()
    assert limit.locked()


async def test_the_next_upload_starts_while_the_registry_stores_the_last(
    fake_registry: Callable[..., Any], client: RegistryClient, new_layout: Any
) -> None:
    """With one slot, the first upload's closing PUT is answered only once the next
    upload has started (its POST arrived): the slot came back when the body was sent."""
    source, registry = fake_registry(), fake_registry()
    seed_state(source.state, "team/app", build_graph())
    ref = f"{source.host}/team/app:v1"
    layout = new_layout()
    assert (await pull(client, layout, [ref])).ok
    held = registry.hold("PUT", UPLOADS, until=("POST", UPLOADS), timeout=5)
    dest = parse_reference(f"{registry.host}/elsewhere/app:v1")
    report = await push(layout, client, [(ref, dest)], concurrency=1)
    assert report.ok, report.to_json()
    assert held.waiting.is_set()
    assert held.released_by_request, "the next upload waited for the registry's answer"
    assert len(registry.state.requests_matching("POST", UPLOADS)) >= 2


@pytest.mark.parametrize("chunk_size", [None, 64 * 1024])
async def test_the_slot_is_back_before_the_registry_answers(
    fake_registry: Callable[..., Any], client: RegistryClient, chunk_size: int | None
) -> None:
    """Monolithic and chunked: while the closing PUT waits for its answer, the slot of
    the upload is free again; the upload still ends only with the registry's 201."""
    registry = fake_registry()
    data = os.urandom(300 * 1024)
    desc = Descriptor(mt.OCI_LAYER_GZIP, Digest.of(data), len(data))
    repo = parse_reference(f"{registry.host}/elsewhere/app")
    held = registry.hold("PUT", UPLOADS, timeout=10)
    limit = asyncio.Semaphore(1)

    async def upload() -> str:
        async with Slot(limit):
            return await client.push_blob(
                repo, desc, lambda: io.BytesIO(data), chunk_size=chunk_size
            )

    task = asyncio.create_task(upload())
    assert await asyncio.to_thread(held.waiting.wait, 10)
    assert not limit.locked()  # Every byte sent: the next transfer may start.
    assert not task.done()  # But this one still waits for the registry.
    held.release.set()
    assert await task == "uploaded"
    assert registry.state.blobs[str(desc.digest)] == data
    assert not limit.locked()

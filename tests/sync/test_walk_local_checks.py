"""The walk's bound on requests holds requests only: a check against a layout (a stat)
goes straight through instead of queueing behind every manifest request before it."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor, canonical_json
from ocitui.core.reference import Reference, parse_reference
from ocitui.core.sync.filters import SyncFilter
from ocitui.core.sync.plan import Plan
from ocitui.core.sync.walk import Route, Walker
from ocitui.core.target import LayoutTarget
from ocitui.core.target.base import Capabilities

REPO = parse_reference("registry.example/app")
EMPTY = Descriptor(mt.OCI_EMPTY, Digest.of(b"{}"), 2)


def manifest(subject: Descriptor | None, note: str) -> tuple[Descriptor, bytes]:
    doc: dict[str, object] = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "config": EMPTY.to_json(),
        "layers": [],
        "annotations": {"note": note},
    }
    if subject is not None:
        doc["subject"] = subject.to_json()
    raw = canonical_json(doc)
    return Descriptor(mt.OCI_MANIFEST, Digest.of(raw), len(raw)), raw


class SlowRegistry:
    """A remote source whose referrer manifests arrive when the test says so."""

    label = "registry"
    capabilities = Capabilities(local=False)

    def __init__(self, count: int) -> None:
        self.root, self.root_raw = manifest(None, "image")
        self.referrers_of_root = [manifest(self.root, f"signature {n}") for n in range(count)]
        self.raw = {desc.digest: raw for desc, raw in self.referrers_of_root}
        self.go = {desc.digest: asyncio.Event() for desc, _ in self.referrers_of_root}

    async def resolve(self, repo: Reference, text: str) -> tuple[Descriptor, bytes]:
        return self.root, self.root_raw

    async def fetch(self, repo: Reference, desc: Descriptor) -> bytes:
        await self.go[desc.digest].wait()
        return self.raw[desc.digest]

    async def referrers(
        self, repo: Reference, subject: Digest, artifact_types: Sequence[str] = ()
    ) -> list[Descriptor]:
        if subject != self.root.digest:
            return []
        return [desc for desc, _ in self.referrers_of_root]

    async def legacy(self, repo: Reference, subject: Digest) -> list[tuple[str, Descriptor]]:
        return []


class CheckedLayout(LayoutTarget):
    """A layout target that records which manifests the walk checked for."""

    def __init__(self, layout: Layout) -> None:
        super().__init__(layout)
        self.checked: list[Digest] = []

    async def exists(self, repo: Reference, desc: Descriptor) -> bool:
        self.checked.append(desc.digest)
        return await super().exists(repo, desc)


async def settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


async def test_a_layout_check_does_not_wait_behind_queued_requests(tmp_path: Path) -> None:
    source = SlowRegistry(count=6)
    dest = CheckedLayout(Layout.open(tmp_path / "layout", create=True))
    walker = Walker(source, dest, Plan("src", "dst", SyncFilter()), concurrency=2)  # type: ignore[arg-type]
    walk = asyncio.create_task(walker.add_root(Route(REPO, REPO), str(REPO.with_tag("v1")), "v1"))
    await settle()
    first = source.referrers_of_root[0][0]
    assert first.digest not in dest.checked
    source.go[first.digest].set()  # Its request ends; four more are still queued.
    await settle()
    # Checked at once, while two requests are in flight and three more wait.
    assert first.digest in dest.checked
    assert sum(not event.is_set() for event in source.go.values()) == 5
    for event in source.go.values():
        event.set()
    await walk
    plan = walker.finish()
    assert {m.digest for m in plan.manifests} == {source.root.digest} | set(source.raw)

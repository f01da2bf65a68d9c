"""A gate in front of ``index.json``: a check that runs on what a pull is about to name,
after every byte is stored and verified and before any entry is written.

The gate sees the layout and the entries that would be added (referrers and tags); it
raises an :class:`~ocitui.core.errors.OcituiError` to refuse, and then nothing lands in
``index.json`` (the blobs stay unreachable until ``gc``). ``pull --verify POLICY`` uses it
with :class:`ocitui.core.verify.gate.VerifyGate`.
"""

from __future__ import annotations

from collections.abc import Callable

from ocitui.core import media_types as mt
from ocitui.core.layout import SUBJECT_HINT, Layout
from ocitui.core.layout.refs import valid_name
from ocitui.core.models import REF_NAME, Descriptor
from ocitui.core.sync.plan import PlanBlob, PlanManifest, PlanTag
from ocitui.core.sync.transfers import Transfer
from ocitui.core.target.base import Progress, Received

#: ``gate(layout, pending_entries)``; raises to refuse.
IndexGate = Callable[[Layout, list[Descriptor]], None]


def pending_entries(manifests: list[PlanManifest], tags: list[PlanTag]) -> list[Descriptor]:
    """The ``index.json`` entries a pull's :meth:`finish` would add, in the same shape."""
    out: list[Descriptor] = []
    for item in manifests:
        if item.role != "referrer" or item.subject is None:
            continue
        doc = item.document()
        annotations = {**doc.annotations, SUBJECT_HINT: str(item.subject)}
        out.append(
            Descriptor(
                doc.media_type,
                item.digest,
                len(item.raw),
                annotations=annotations,
                artifact_type=mt.effective_artifact_type(doc.doc),
            )
        )
    for tag in tags:
        name = valid_name(tag.name)
        annotations = {**tag.descriptor.annotations, **tag.annotations, REF_NAME: name}
        out.append(tag.descriptor.with_changes(annotations=annotations))
    return out


class GatedTransfer:
    """A pull transfer whose :meth:`finish` asks ``gate`` first."""

    def __init__(self, inner: Transfer, layout: Layout, gate: IndexGate) -> None:
        self.inner = inner
        self.layout = layout
        self.gate = gate
        self.local_writes = inner.local_writes

    async def blob(
        self,
        item: PlanBlob,
        started: Progress,
        progress: Progress,
        received: Received | None = None,
    ) -> str:
        """As the wrapped transfer."""
        return await self.inner.blob(item, started, progress, received)

    async def manifest(self, item: PlanManifest) -> None:
        """As the wrapped transfer."""
        await self.inner.manifest(item)

    async def finish(self, manifests: list[PlanManifest], tags: list[PlanTag]) -> int:
        """Run the gate on the pending entries; only then register them."""
        self.gate(self.layout, pending_entries(manifests, tags))
        return await self.inner.finish(manifests, tags)

"""Read-only views of a registry for ``inspect --remote`` and ``referrers --remote``.

Nothing is written to the layout. Referrers are returned only after their manifest was
fetched and its ``subject`` checked (a listing or fallback tag alone is never trusted),
in the same :class:`~ocitui.core.layout.ReferrerNode` shape the layout answers with.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import OcituiError
from ocitui.core.layout import ReferrerNode
from ocitui.core.layout.referrers import referrer_sort_key
from ocitui.core.limits import GRAPH_DEPTH, REFERRER_CONCURRENCY
from ocitui.core.models import REF_NAME, Descriptor, Document, parse_document
from ocitui.core.reference import Reference, parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.tasks import gather_or_cancel


async def remote_document(client: RegistryClient, text: str) -> tuple[Descriptor, Document]:
    """Fetch and parse the manifest or index ``text`` names; its descriptor carries the name."""
    ref = parse_reference(text)
    fetched = await client.get_manifest(ref)
    doc = parse_document(fetched.raw, fetched.media_type)
    desc = doc.descriptor(
        artifact_type=mt.effective_artifact_type(doc.doc),
        annotations={**doc.annotations, REF_NAME: str(ref)},
    )
    return desc, doc


async def remote_referrers(
    client: RegistryClient,
    repo: Reference,
    subject: Digest,
    artifact_types: Sequence[str] = (),
    *,
    tree: bool = False,
) -> list[ReferrerNode]:
    """Verified referrers of ``subject`` in ``repo`` (recursively with ``tree``).

    Breadth first, each digest visited once, at most
    :data:`~ocitui.core.limits.REFERRER_CONCURRENCY` manifests fetched at a time, and no
    deeper than :data:`~ocitui.core.limits.GRAPH_DEPTH` levels.
    """
    types = tuple(artifact_types)
    gate = asyncio.Semaphore(REFERRER_CONCURRENCY.int_value())
    max_depth = GRAPH_DEPTH.int_value() if tree else 1
    seen = {subject}
    roots: list[ReferrerNode] = []
    order: list[ReferrerNode] = []
    level: list[tuple[Digest, list[ReferrerNode]]] = [(subject, roots)]
    for depth in range(1, max_depth + 1):
        listings = await gather_or_cancel(*(_listed(client, repo, s, gate) for s, _ in level))
        wanted: list[tuple[Digest, Descriptor, list[ReferrerNode]]] = []
        for (parent, siblings), listed in zip(level, listings, strict=True):
            for desc in listed:
                if desc.digest not in seen:
                    seen.add(desc.digest)
                    wanted.append((parent, desc, siblings))
        found = await gather_or_cancel(
            *(_verified(client, repo, parent, desc, gate) for parent, desc, _ in wanted)
        )
        level = []
        for (_, _, siblings), node in zip(wanted, found, strict=True):
            if node is not None:
                siblings.append(node)
                order.append(node)
                level.append((node.descriptor.digest, node.children))
        if not level:
            break
        if depth == max_depth and tree:  # The bound: say where more hangs below.
            below = await gather_or_cancel(*(_listed(client, repo, d, gate) for d, _ in level))
            for node, listed in zip(order[-len(level) :], below, strict=True):
                node.truncated = any(d.digest not in seen for d in listed)
    for node in reversed(order):
        node.children = _sorted(n for n in node.children if _keep(n, types))
    return _sorted(n for n in roots if _keep(n, types))


def _keep(node: ReferrerNode, types: tuple[str, ...]) -> bool:
    return not types or node.descriptor.artifact_type in types or bool(node.children)


def _sorted(nodes: Iterable[ReferrerNode]) -> list[ReferrerNode]:
    return sorted(nodes, key=lambda n: referrer_sort_key(n.descriptor))


async def _listed(
    client: RegistryClient, repo: Reference, subject: Digest, gate: asyncio.Semaphore
) -> list[Descriptor]:
    async with gate:
        return await client.referrers(repo, subject)


async def _verified(
    client: RegistryClient,
    repo: Reference,
    subject: Digest,
    desc: Descriptor,
    gate: asyncio.Semaphore,
) -> ReferrerNode | None:
    """The referrer node for ``desc`` once its manifest names ``subject``; else None."""
    try:
        async with gate:
            fetched = await client.get_manifest(repo.with_digest(desc.digest), expected=desc)
        doc = parse_document(fetched.raw, desc.media_type)
    except OcituiError:
        return None
    if doc.subject is None or doc.subject.digest != subject:
        return None  # Listed, but does not refer to the subject: not attached.
    plain = desc.with_changes(artifact_type=mt.effective_artifact_type(doc.doc))
    return ReferrerNode(plain, [], "registry")


async def remote_legacy(
    client: RegistryClient, repo: Reference, subject: Digest
) -> list[tuple[str, Descriptor]]:
    """cosign legacy tags of ``subject`` as ``(kind, descriptor named by the tag)``."""
    found = await client.legacy_attachments(repo, subject)
    out = []
    for kind, desc in sorted(found.items()):
        name = str(repo.with_tag(f"{subject.algorithm}-{subject.encoded}.{kind}"))
        out.append((kind, desc.with_changes(annotations={REF_NAME: name})))
    return out

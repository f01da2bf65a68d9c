"""Read-only views of a registry for ``inspect --remote`` and ``referrers --remote``.

Nothing is written to the layout. Referrers are returned only after their manifest was
fetched and its ``subject`` checked (a listing or fallback tag alone is never trusted),
in the same :class:`~ocitui.core.layout.ReferrerNode` shape the layout answers with.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import OcituiError
from ocitui.core.layout import ReferrerNode
from ocitui.core.layout.referrers import referrer_sort_key
from ocitui.core.models import REF_NAME, Descriptor, Document, parse_document
from ocitui.core.reference import Reference, parse_reference
from ocitui.core.registry import RegistryClient


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
    """Verified referrers of ``subject`` in ``repo`` (recursively with ``tree``)."""
    return await _level(client, repo, subject, tuple(artifact_types), tree=tree, seen={subject})


async def _level(
    client: RegistryClient,
    repo: Reference,
    subject: Digest,
    types: tuple[str, ...],
    *,
    tree: bool,
    seen: set[Digest],
) -> list[ReferrerNode]:
    listed = [d for d in await client.referrers(repo, subject) if d.digest not in seen]

    async def one(desc: Descriptor) -> ReferrerNode | None:
        try:
            fetched = await client.get_manifest(repo.with_digest(desc.digest), expected=desc)
            doc = parse_document(fetched.raw, desc.media_type)
        except OcituiError:
            return None
        if doc.subject is None or doc.subject.digest != subject:
            return None  # Listed, but does not refer to the subject: not attached.
        plain = desc.with_changes(artifact_type=mt.effective_artifact_type(doc.doc))
        children = (
            await _level(client, repo, desc.digest, types, tree=tree, seen=seen | {desc.digest})
            if tree
            else []
        )
        if types and plain.artifact_type not in types and not children:
            return None
        return ReferrerNode(plain, children, "registry")

    found = await asyncio.gather(*(one(d) for d in listed))
    nodes = [n for n in found if n is not None]
    return sorted(nodes, key=lambda n: referrer_sort_key(n.descriptor))


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

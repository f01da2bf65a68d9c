"""``inspect --remote``: the same document ``inspect`` gives for the layout, from a registry.

Nothing is written to the layout. The config blob is fetched (verified, capped) for its
summary; referrers are verified against their ``subject`` before they are shown.
Children and layers are checked with a HEAD each, as ``inspect`` checks the layout, so the
same image gives the same document from both.
"""

from __future__ import annotations

import asyncio

from ocitui.core import media_types as mt
from ocitui.core.errors import OcituiError
from ocitui.core.inspection import InspectDoc, LegacyTag, config_summary, document_doc
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor, Index, load_json
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync.engine import repository
from ocitui.core.sync.remote import remote_document, remote_legacy, remote_referrers
from ocitui.core.target.registry import RegistryTarget


async def remote_describe(client: RegistryClient, text: str) -> InspectDoc:
    """The ``inspect`` document for the manifest or index ``text`` names in a registry."""
    ref = parse_reference(text)
    repo = repository(ref)
    desc, doc = await remote_document(client, text)
    # Presence is checked as the layout checks it (HEAD per child or layer, concurrently),
    # so a registry and a layout holding the same image give the same document.
    target = RegistryTarget(client)
    items = [*doc.children()] if isinstance(doc, Index) else list(doc.layers)
    sem = asyncio.Semaphore(8)

    async def exists(item: Descriptor) -> bool:
        if item.size == 0:
            return True
        async with sem:
            return await target.exists(repo, item)

    found = dict(
        zip([i.digest for i in items], await asyncio.gather(*map(exists, items)), strict=True)
    )
    out = document_doc(str(ref), desc, doc, lambda d: found.get(d.digest))
    config = out.config
    if config is not None and config.descriptor.media_type in mt.CONFIG_TYPES:
        try:
            raw = await target.fetch_blob(repo, config.descriptor, max_size=MAX_MANIFEST_SIZE)
            config.summary = config_summary(load_json(raw, "config"))
        except OcituiError as exc:
            config.error = str(exc)
    out.referrers = await remote_referrers(client, repo, desc.digest, tree=True)
    out.legacy = [
        LegacyTag(kind, entry) for kind, entry in await remote_legacy(client, repo, desc.digest)
    ]
    return out

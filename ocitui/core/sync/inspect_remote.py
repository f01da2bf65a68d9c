"""``inspect --remote``: the same document ``inspect`` gives for the layout, from a registry.

Nothing is written to the layout. The config blob is fetched (verified, capped) for its
summary; referrers are verified against their ``subject`` before they are shown.
Layers are not checked for existence, so their ``present`` field is ``None``.
"""

from __future__ import annotations

from typing import Any

from ocitui.core import media_types as mt
from ocitui.core.errors import ManifestError, OcituiError
from ocitui.core.layout.describe import config_summary, document_parts, tree_rows
from ocitui.core.layout.referrers import entry_label
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor, Index, load_json
from ocitui.core.reference import Reference, parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync.engine import repository
from ocitui.core.sync.remote import remote_document, remote_legacy, remote_referrers
from ocitui.core.target.base import MemorySink


async def fetch_small_blob(client: RegistryClient, repo: Reference, desc: Descriptor) -> bytes:
    """Fetch a small blob (a config) into memory, verified; refuses anything over 4 MiB."""
    if desc.size > MAX_MANIFEST_SIZE:
        raise ManifestError(f"{desc.digest} is {desc.size} bytes, too large to read whole")
    sink = MemorySink(desc)
    await client.fetch_blob(repo, desc, sink)
    return sink.value()


async def remote_describe(client: RegistryClient, text: str) -> dict[str, Any]:
    """The ``inspect`` document for the manifest or index ``text`` names in a registry."""
    ref = parse_reference(text)
    repo = repository(ref)
    desc, doc = await remote_document(client, text)
    out = document_parts(str(ref), desc, doc, lambda _: None)
    if not isinstance(doc, Index) and doc.config.media_type in mt.CONFIG_TYPES:
        try:
            raw = await fetch_small_blob(client, repo, doc.config)
            out["config"]["summary"] = config_summary(load_json(raw, "config"))
        except OcituiError as exc:
            out["config"]["error"] = str(exc)
    out["referrers"] = tree_rows(await remote_referrers(client, repo, desc.digest, tree=True))
    out["legacy"] = [
        {
            "kind": kind,
            "ref": entry.ref_name,
            "name": entry_label(entry),
            "digest": str(entry.digest),
        }
        for kind, entry in await remote_legacy(client, repo, desc.digest)
    ]
    return out

"""Stage remote refs into a scratch layout so layout-only tools (diff) can read them.

``diff docker://a docker://b`` pulls each side, with its referrers, into a temporary
layout; the user's layout is not touched.
"""

from __future__ import annotations

from collections.abc import Sequence

from ocitui.core.errors import SyncError
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync.engine import pull
from ocitui.core.sync.filters import SyncFilter

REMOTE_PREFIX = "docker://"


def is_remote(text: str) -> bool:
    """True for ``docker://`` references."""
    return text.startswith(REMOTE_PREFIX)


async def stage(client: RegistryClient, layout: Layout, refs: Sequence[str]) -> list[Descriptor]:
    """Pull ``refs`` (``docker://`` prefix allowed) with referrers; their layout entries."""
    names = [str(parse_reference(ref.removeprefix(REMOTE_PREFIX))) for ref in refs]
    report = await pull(client, layout, sorted(set(names)), SyncFilter())
    if not report.ok:
        problems = "; ".join([*report.failed, *report.missing][:3])
        raise SyncError(f"could not fetch {', '.join(refs)} completely: {problems}")
    return [layout.resolve(name) for name in names]

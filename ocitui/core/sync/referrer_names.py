"""Names that tag a referrer in a layout, carried on push or reported as left behind.

Other tools tag a referrer like any image: ``skopeo copy docker://R/x:sig-x oci:L:sigx``
stores the signature under ``sigx`` beside ``oci:L:v1``. Pushing ``v1`` carries the
referrer (it is one, whatever its name); this module decides what happens to its name:

- a name in the same repository as the pushed name (or, for a short tag another tool
  wrote, another short tag of the layout) is set at the destination too, with its tag
  (``sigx`` -> ``DEST_REPO:sigx``), after the referrer itself (tags move last);
- any other name (another repository, or a short tag beside a full name) is listed under
  *left behind* with the reason, never dropped silently.

Machine tags (cosign legacy, referrers fallback, imgpkg) have their own rules and are not
touched here; a name that is itself one of the push's roots is already carried.
"""

from __future__ import annotations

from collections.abc import Sequence

from ocitui.core.errors import InvalidReference
from ocitui.core.layout import Layout
from ocitui.core.layout.refs import is_short_tag, tag_of
from ocitui.core.layout.summary import is_machine_tag
from ocitui.core.reference import parse_reference
from ocitui.core.sync.plan import PlanManifest
from ocitui.core.sync.walk import Route, Walker
from ocitui.core.target.base import plain
from ocitui.core.text_safety import shown

#: The ``reason`` of a referrer's name a push does not set.
REASON = "referrer-tag"


def repository_key(name: str) -> str | None:
    """The repository a layout name belongs to: ``""`` for a short tag (the layout's own,
    unnamed one, as ``oci:L:TAG`` addresses it), the normalised repository of a full
    reference, None for a name that is neither (or names a digest only)."""
    if is_short_tag(name):
        return ""
    try:
        ref = parse_reference(name)
    except InvalidReference:
        return None
    return ref.name if ref.tag is not None else None


async def carry_referrer_names(
    walker: Walker,
    layout: Layout,
    route: Route,
    *,
    root_name: str | None,
    nodes: Sequence[PlanManifest],
    roots: set[str],
) -> None:
    """Set or report the names of the referrers among ``nodes`` (one root's new nodes).

    ``root_name`` is the layout name being pushed; ``roots`` every layout name the push
    names itself (those are carried as roots)."""
    home = repository_key(root_name) if root_name else None
    wanted = {node.digest: node for node in nodes if node.subject is not None}
    if not wanted:
        return
    for entry in layout.tagged():
        node = wanted.get(entry.digest)
        name = entry.ref_name or ""
        if node is None or name in roots or is_machine_tag(name):
            continue
        tag = tag_of(name)
        if home is not None and tag is not None and repository_key(name) == home:
            await walker.add_name(route, tag, plain(entry))
            continue
        where = "a short tag" if is_short_tag(name) else "another repository"
        walker.leave(
            REASON,
            entry,
            node.subject,
            f"name {shown(name)} of a referrer ({where} than {shown(root_name)}); its content is "
            "carried, push the name itself to set it",
            size=0,
        )

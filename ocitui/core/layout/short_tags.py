"""Short tags other tools wrote (``1.0``), reported and, given a repository, named.

skopeo, umoci, oras and regclient write ``ref.name`` as the bare tag. ``fsck`` lists them;
``fsck --repair --repository NAME`` renames each to ``NAME:TAG`` in one locked update.
Nothing is lost: a full name already held by another digest keeps the short tag.
"""

from __future__ import annotations

from ocitui.core.digest import Digest
from ocitui.core.layout.refs import is_short_tag, with_repository
from ocitui.core.layout.store import Layout
from ocitui.core.models import REF_NAME, Descriptor
from ocitui.core.text_safety import shown

#: ``(severity, code, message, digest, repaired)``, the fields of an fsck finding.
Note = tuple[str, str, str, str, bool]


def name_short_tags(layout: Layout, repository: str | None) -> list[Note]:
    """Report short tags; with ``repository``, rename them into it."""
    taken: dict[str, Digest] = {e.ref_name: e.digest for e in layout.entries() if e.ref_name}
    renames: dict[str, str] = {}
    notes: list[Note] = []
    for name in sorted(n for n in taken if is_short_tag(n)):
        digest = str(taken[name])
        if repository is None:
            notes.append(
                (
                    "info",
                    "short-tag",
                    f"{shown(name)}: a short tag another tool wrote; name its repository with "
                    "fsck --repair --repository NAME",
                    digest,
                    False,
                )
            )
            continue
        full = with_repository(name, repository)
        if full in taken and taken[full] != taken[name]:
            notes.append(
                (
                    "warning",
                    "short-tag-clash",
                    f"{shown(name)}: {full} already names {taken[full]}; short tag kept",
                    digest,
                    False,
                )
            )
            continue
        renames[name] = full
        notes.append(("info", "short-tag", f"{shown(name)} renamed {full}", digest, True))
    if renames:
        layout.update_index(lambda entries: _rename(entries, renames))
    return notes


def _rename(entries: list[Descriptor], renames: dict[str, str]) -> list[Descriptor]:
    targets = set(renames.values())
    out = []
    for entry in entries:
        name = entry.ref_name
        if name in targets:
            continue  # Same digest under the full name already: the renamed entry replaces it.
        if name in renames:
            annotations = {**entry.annotations, REF_NAME: renames[name]}
            out.append(entry.with_changes(annotations=annotations))
        else:
            out.append(entry)
    return out

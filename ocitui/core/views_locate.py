"""Where a reference sits in the Browse tree: the top node and the digests below it.

``ocitui app:1.0`` opens at a tag; ``ocitui sha256:…`` may name a referrer (or a
referrer of a referrer), which hangs under its subject's node, or a platform manifest,
which hangs under its index. :func:`locate` answers with the path to open.
"""

from __future__ import annotations

from dataclasses import dataclass

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import AmbiguousReference, OcituiError
from ocitui.core.layout import Layout
from ocitui.core.layout.referrers import hinted_subject
from ocitui.core.layout.summary import machine_tag_kind
from ocitui.core.models import Descriptor

#: Subject chains longer than this are treated as cycles (hostile or broken layouts).
MAX_DEPTH = 32
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Location:
    """``top`` names a top-level tree node (a tag's full reference, or the digest string of
    an untagged entry); ``below`` are the digests to open under it, the last one selected."""

    top: str
    below: tuple[Digest, ...] = ()


def _subject_of(layout: Layout, entries: list[Descriptor], digest: Digest) -> Digest | None:
    for entry in entries:
        if entry.digest == digest and (hint := hinted_subject(entry)) is not None:
            return hint
    try:
        subject = layout.get_document(digest).subject
    except OcituiError:
        return None
    return subject.digest if subject is not None else None


def _by_prefix(layout: Layout, text: str) -> Descriptor | None:
    """The one entry whose digest starts with ``text`` (``sha256:26f8dfd9``, 8+ hex)."""
    value = text.strip().lower()
    hex_part = value.removeprefix("sha256:")
    if len(hex_part) < 8 or len(hex_part) >= 64 or not all(c in _HEX for c in hex_part):
        return None
    found = {e.digest: e for e in layout.entries() if e.digest.encoded.startswith(hex_part)}
    if len(found) > 1:
        raise AmbiguousReference(f"{text} matches {len(found)} digests; give more of it")
    return next(iter(found.values()), None)


def locate(layout: Layout, text: str) -> Location:
    """The tree path of ``text`` (a full or short reference, a digest or a unique digest
    prefix of an ``index.json`` entry).

    Raises the layout's :class:`~ocitui.core.errors.NotFound` or
    :class:`~ocitui.core.errors.AmbiguousReference` for references it cannot resolve.
    """
    desc = _by_prefix(layout, text) or layout.resolve(text)
    if desc.ref_name and machine_tag_kind(desc.ref_name) is None:
        return Location(desc.ref_name)
    entries = layout.entries()
    chain = [desc.digest]
    machine = machine_tag_kind(desc.ref_name)
    if machine is not None and machine.subject is not None:  # A legacy .sig/.att: under its image.
        chain.insert(0, machine.subject)
    while len(chain) < MAX_DEPTH:
        subject = _subject_of(layout, entries, chain[0])
        if subject is None or subject in chain:
            break
        chain.insert(0, subject)
    top = chain[0]
    tagged = [e for e in entries if e.ref_name and machine_tag_kind(e.ref_name) is None]
    for entry in tagged:
        if entry.digest == top and entry.ref_name:
            return Location(entry.ref_name, tuple(chain[1:]))
    for entry in tagged:  # A platform manifest: under the index that lists it.
        if entry.ref_name and mt.is_index(entry.media_type):
            try:
                children = layout.get_document(entry.digest, entry.media_type).children()
            except OcituiError:
                continue
            if any(child.digest == top for child in children):
                return Location(entry.ref_name, tuple(chain))
    return Location(str(top), tuple(chain[1:]))


__all__ = ["Location", "locate"]

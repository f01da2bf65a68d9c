"""What ``/`` in Browse searches: names, digest prefixes, artifact types, type labels and
annotation values of a tag *and of everything attached to it*.

An image matches when one of its referrers (at any depth) or machine tags matches, so
``spdx`` keeps the images that carry an SPDX SBOM. Terms are collected once, when the
tree is built (in the TUI's worker thread); filtering is then string work only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from ocitui.core.errors import OcituiError
from ocitui.core.layout.referrers import ReferrerView
from ocitui.core.layout.summary import type_label
from ocitui.core.models import Descriptor

if TYPE_CHECKING:
    from ocitui.core.views import LayoutTree, NodeInfo, RegistryGroup

T = TypeVar("T")

#: Digest prefixes shorter than this are not searched (``ab`` would match everything).
MIN_DIGEST_PREFIX = 4


#: Joins texts (and digests) into one string searched at once; never typed in a filter.
_SEP = "\n"


@dataclass(frozen=True)
class SearchTerms:
    """Lower-cased words to search in (``texts``) and hex digests to prefix-match.

    Both are also kept joined into one string each, so a match is one substring search
    (a filter keystroke on 10,000 tags stays a few milliseconds).
    """

    texts: tuple[str, ...]
    digests: tuple[str, ...]
    _text: str = field(init=False, repr=False, compare=False)
    _digests: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_text", _SEP.join(self.texts))
        object.__setattr__(self, "_digests", "".join(_SEP + d for d in self.digests))

    def matches(self, needle: str) -> bool:
        """True when ``needle`` (already lower-cased, stripped) is in a text or starts a
        digest (``sha256:26f8`` or ``26f8``)."""
        if _SEP in needle:
            return False
        if needle in self._text:
            return True
        hex_part = _hex_part(needle)
        return len(hex_part) >= MIN_DIGEST_PREFIX and (_SEP + hex_part) in self._digests


def _hex_part(needle: str) -> str:
    """What of ``needle`` is compared with digests (``sha256:26f8`` -> ``26f8``)."""
    return needle.partition(":")[2] if ":" in needle else needle


_HEX = frozenset("0123456789abcdef")


def narrows(base: str, needle: str) -> bool:
    """True when every node ``needle`` matches also matches ``base`` (both normalised),
    so ``needle`` can filter what ``base`` kept instead of the whole tree.

    Text matches narrow whenever ``base`` starts ``needle``; a digest-prefix match only
    when ``base`` could match that digest too (its own hex part, of 4+ characters,
    starts the needle's).
    """
    if not needle.startswith(base):
        return False
    hex_needle = _hex_part(needle)
    if len(hex_needle) < MIN_DIGEST_PREFIX or not set(hex_needle) <= _HEX:
        return True  # ``needle`` can only match as text, and ``base`` is inside it.
    same_split = ":" in base or ":" not in needle
    return same_split and len(_hex_part(base)) >= MIN_DIGEST_PREFIX


def descriptor_terms(desc: Descriptor, label: str | None = None) -> Iterable[str]:
    """What ``/`` finds a descriptor by: its name, artifact type, type label (``label``, else
    worked out) and annotation values (not lower-cased yet)."""
    if desc.ref_name:
        yield desc.ref_name
    if desc.artifact_type:
        yield desc.artifact_type
    yield label or type_label(desc.media_type, desc.artifact_type, ref_name=desc.ref_name)
    yield from desc.annotations.values()


def search_terms(
    referrers: ReferrerView | None, info: NodeInfo, attached: Sequence[NodeInfo]
) -> SearchTerms:
    """The terms of a node: itself, its machine tags (``attached``) and its referrer tree
    (from ``referrers``, the layout's :meth:`~ocitui.core.layout.Layout.referrer_view`;
    ``None``: the node's own terms only)."""
    texts: list[str] = [*descriptor_terms(info.descriptor, info.type_label)]
    if info.artifact_type:
        texts.append(info.artifact_type)
    digests = [info.descriptor.digest.encoded]
    for other in attached:
        texts.extend(descriptor_terms(other.descriptor, other.type_label))
        digests.append(other.descriptor.digest.encoded)
    try:
        stack = list(referrers.tree(info.descriptor.digest)) if referrers is not None else []
    except OcituiError:
        stack = []
    while stack:
        node = stack.pop()
        texts.extend(descriptor_terms(node.descriptor))
        digests.append(node.descriptor.digest.encoded)
        stack.extend(node.children)
    return SearchTerms(tuple(dict.fromkeys(t.lower() for t in texts if t)), tuple(digests))


def filter_tree(tree: LayoutTree, text: str) -> LayoutTree:
    """Keep the tags (and untagged entries) whose terms match ``text`` (any case).

    When everything matches, ``tree`` itself is returned (a keystroke that keeps all is
    told apart from one that changes the tree without comparing them)."""
    from ocitui.core.views import LayoutTree, RegistryGroup, RepoGroup

    needle = text.strip().lower()
    if not needle:
        return tree
    registries: list[RegistryGroup] = []
    whole = True
    for reg in tree.registries:
        repos: list[RepoGroup] = []
        for repo in reg.repositories:
            if not repo.terms.matches(needle):
                whole = False
                continue
            if len(repo.tags) == 1:  # The repository's terms are its one tag's.
                repos.append(repo)
                continue
            kept = [t for t in repo.tags if t.terms.matches(needle)]
            if len(kept) == len(repo.tags):
                repos.append(repo)  # All of it: shared, not copied.
            elif kept:
                whole = False
                repos.append(RepoGroup(repo.registry, repo.repository, kept))
            else:
                whole = False
        if repos:
            registries.append(RegistryGroup(reg.registry, repos))
    untagged = [
        u
        for u in tree.untagged
        if (terms := tree.untagged_terms.get(u.descriptor.digest)) is not None
        and terms.matches(needle)
    ]
    if whole and len(untagged) == len(tree.untagged):
        return tree
    return LayoutTree(
        registries,
        untagged,
        tree.tag_count,
        tree.entry_count,
        tree.untagged_terms,
        partial=tree.partial,
    )


class Narrowing(Generic[T]):
    """``/`` as it is typed over one ``whole`` (a tree, a catalog): each keystroke that
    extends the text filters what the previous one kept (:func:`narrows`), and going back
    (backspace) reuses what was kept before. A keystroke costs what is left, not the whole.

    ``keep(kept, needle)`` filters what an earlier keystroke kept (or the whole) by the
    normalised ``needle``; it returns its argument itself when it keeps all of it, so a
    keystroke that changes nothing is told apart without comparing.
    """

    def __init__(self, whole: T, keep: Callable[[T, str], T]) -> None:
        self.whole = whole
        self._keep = keep
        #: Results of the texts typed so far, each one starting the next.
        self._kept: list[tuple[str, T]] = []

    def __call__(self, text: str) -> T:
        """What ``text`` keeps of the whole; the same as ``keep(whole, needle)``."""
        needle = text.strip().lower()
        if not needle:
            return self.whole
        self._kept = [(key, kept) for key, kept in self._kept if needle.startswith(key)]
        if self._kept and self._kept[-1][0] == needle:
            return self._kept[-1][1]
        base = next((kept for key, kept in reversed(self._kept) if narrows(key, needle)), None)
        result = self._keep(base if base is not None else self.whole, needle)
        self._kept.append((needle, result))
        return result


class TreeFilter(Narrowing["LayoutTree"]):
    """Browse's ``/``: :func:`filter_tree` over one layout tree, as it is typed. On
    100,000 tags a keystroke costs what is left."""

    def __init__(self, tree: LayoutTree) -> None:
        super().__init__(tree, filter_tree)
        self.tree = tree


__all__ = [
    "MIN_DIGEST_PREFIX",
    "Narrowing",
    "SearchTerms",
    "TreeFilter",
    "filter_tree",
    "narrows",
    "search_terms",
]

"""What ``/`` in the Registry pane keeps: the terms Browse's ``/`` searches
(:mod:`ocitui.core.views_search`), over what the pane has read so far.

A repository is kept with everything under it when its name matches. Otherwise each tag
read so far is kept when it, or anything read below it (platforms, referrers at any depth,
legacy tags, flagged verdicts), matches: names, full references, type labels, artifact
types, annotation values, and digests from 4 hex characters on. So ``spdx`` keeps the
tags whose referrer tree, as far as it was opened, holds an SPDX SBOM, as in Browse.
What was not read yet (an unopened repository's tags) is not searched.

As in Browse, a keystroke that extends the text filters what the previous one kept
(:class:`~ocitui.core.views_search.Narrowing`), and one that keeps everything it was
given returns that same list (the pane then leaves its tree as it is).
"""

from __future__ import annotations

from collections.abc import Mapping

from ocitui.core.views_registry import Catalog, Expansion, RemoteNode
from ocitui.core.views_search import Narrowing, SearchTerms, descriptor_terms


def node_terms(node: RemoteNode, expansions: Mapping[str, Expansion]) -> SearchTerms:
    """The terms of ``node`` and of every node read below it (``expansions`` by key)."""
    texts: list[str] = []
    digests: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        texts.extend((item.name, item.type_label, item.verdict_text))
        if item.kind in ("tag", "legacy"):  # Names; content by digest is prefix-matched.
            texts.append(item.ref)
        desc = item.descriptor
        known = expansions.get(item.key)
        if desc is None and known is not None:
            desc = known.descriptor
        if desc is not None:
            texts.extend(descriptor_terms(desc, item.type_label or None))
            digests.append(desc.digest.encoded)
        if known is not None:
            stack.extend(known.children)
    return SearchTerms(tuple(dict.fromkeys(t.lower() for t in texts if t)), tuple(digests))


#: What ``/`` keeps: repositories in the catalog's order, each with the children to show
#: (``None``: all of them, or none read yet).
Kept = list[tuple[RemoteNode, tuple[RemoteNode, ...] | None]]


class RegistryFilter:
    """``/`` as it is typed over one pane's catalog and expansions.

    Terms are worked out once per node and kept across keystrokes, and so is what each
    keystroke kept; :meth:`forget` drops both when something new was read (a new
    expansion changes its ancestors' terms).
    """

    def __init__(self) -> None:
        self._terms: dict[str, SearchTerms] = {}
        self._repositories: dict[tuple[str, str], RemoteNode] = {}
        self._typing: Narrowing[Kept] | None = None
        self._source: tuple[Catalog, Mapping[str, Expansion]] | None = None

    def forget(self) -> None:
        """Drop the kept terms (call when an expansion was added or the catalog changed)."""
        self._terms.clear()
        self._typing = None

    def repository(self, registry: str, name: str) -> RemoteNode:
        """The node of repository ``name`` (made once)."""
        node = self._repositories.get((registry, name))
        if node is None:
            node = self._repositories[registry, name] = RemoteNode.repository_node(registry, name)
        return node

    def _matches(self, node: RemoteNode, expansions: Mapping[str, Expansion], needle: str) -> bool:
        terms = self._terms.get(node.key)
        if terms is None:
            terms = self._terms[node.key] = node_terms(node, expansions)
        return terms.matches(needle)

    def keep(self, catalog: Catalog, expansions: Mapping[str, Expansion], text: str) -> Kept:
        """The repositories ``/ text`` keeps, each with the children to show (``None``:
        all of them, or none read yet), in the catalog's order."""
        source = self._source
        if self._typing is None or source is None or source != (catalog, expansions):
            whole: Kept = [
                (self.repository(catalog.registry, n), None) for n in catalog.repositories
            ]
            self._typing = Narrowing(
                whole, lambda kept, needle: self._keep(kept, expansions, needle)
            )
            self._source = (catalog, expansions)
        return self._typing(text)

    def _keep(self, kept: Kept, expansions: Mapping[str, Expansion], needle: str) -> Kept:
        """What ``needle`` keeps of ``kept`` (``kept`` itself when all of it)."""
        out: Kept = []
        for node, only in kept:
            if SearchTerms((node.name.lower(), node.ref.lower()), ()).matches(needle):
                out.append((node, None))
                continue
            known = expansions.get(node.key)
            shown = only if only is not None else known.children if known is not None else ()
            children = tuple(c for c in shown if self._matches(c, expansions, needle))
            if children:
                out.append((node, children))
        same = len(out) == len(kept) and all(a == b for a, b in zip(out, kept, strict=True))
        return kept if same else out


def filter_catalog(catalog: Catalog, expansions: Mapping[str, Expansion], text: str) -> Kept:
    """:meth:`RegistryFilter.keep` once, without keeping terms."""
    return RegistryFilter().keep(catalog, expansions, text)


__all__ = ["Kept", "RegistryFilter", "filter_catalog", "node_terms"]

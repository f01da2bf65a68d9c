"""A repository in a registry, as the Sync pane's remote browser shows it.

:func:`remote_tags` lists a repository's tags (following ``Link`` pagination) and sets
the machine tags apart with the same classifier ``ls`` uses; :func:`remote_detail` reads
one tag through :func:`~ocitui.core.sync.inspect_remote.remote_describe` (the document
``ocitui inspect --remote --json`` prints) and derives the same rows the local detail
tab shows, with the referrer tree whose subjects were verified. Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ocitui.core.digest import Digest
from ocitui.core.inspection import InspectDoc
from ocitui.core.layout.summary import machine_tag_kind
from ocitui.core.reference import Reference, parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync.inspect_remote import remote_describe
from ocitui.core.views import tag_sort_key
from ocitui.core.views_inspect import ReferrerRow, inspect_rows, referrer_rows

#: Tags asked for per page (the client follows the ``Link`` chain to the end).
TAG_PAGE_SIZE = 100


def parse_repository(text: str) -> Reference:
    """``registry/repo`` (a tag or digest, if typed, is dropped) -> a bare repository.

    Raises :class:`~ocitui.core.errors.InvalidReference` for text that names none.
    """
    ref = parse_reference(text, default_tag=None)
    return Reference(ref.registry, ref.repository)


@dataclass(frozen=True)
class RemoteTags:
    """A repository's tags: those people chose (natural order), and the machine tags."""

    repository: Reference
    tags: list[str]
    machine: list[str] = field(default_factory=list)

    def ref(self, tag: str) -> str:
        """The full reference of ``tag`` in this repository."""
        return str(self.repository.with_tag(tag))

    def matching(self, text: str) -> list[str]:
        """The tags that contain ``text`` (any case; all of them for an empty filter)."""
        needle = text.strip().lower()
        return [t for t in self.tags if needle in t.lower()]


async def remote_tags(
    client: RegistryClient, repository: Reference, page_size: int = TAG_PAGE_SIZE
) -> RemoteTags:
    """Every tag of ``repository``, machine tags (fallback, cosign, imgpkg) set apart."""
    listed = await client.list_tags(repository, page_size=page_size)
    human = sorted((t for t in listed if machine_tag_kind(t) is None), key=tag_sort_key)
    machine = sorted(t for t in listed if machine_tag_kind(t) is not None)
    return RemoteTags(repository, human, machine)


@dataclass(frozen=True)
class RemoteDetail:
    """One tag as the registry has it: summary rows and the verified referrer tree."""

    ref: str
    digest: Digest
    rows: list[tuple[str, str]]
    referrers: list[ReferrerRow]
    document: InspectDoc


async def remote_detail(client: RegistryClient, ref: str) -> RemoteDetail:
    """Read ``ref``'s manifest, config and referrers (verified) from the registry."""
    info = await remote_describe(client, ref)
    digest = info.descriptor.digest
    referrers = referrer_rows(info.referrers, digest)
    return RemoteDetail(ref, digest, inspect_rows(info), referrers, info)


__all__ = [
    "TAG_PAGE_SIZE",
    "RemoteDetail",
    "RemoteTags",
    "parse_repository",
    "remote_detail",
    "remote_tags",
]

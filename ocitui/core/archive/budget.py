"""Check each archive blob member against what describes it, before a byte is written.

A member whose digest a descriptor already named (an ``index.json`` entry, or a child of
a manifest read earlier in the same archive) must have exactly that size. A member no
descriptor has named yet (archives list blobs in digest order, so a layer can come before
its manifest) draws on an expansion budget: at most
:data:`~ocitui.core.limits.ARCHIVE_EXPANSION` times the archive's size on disk, plus
64 MiB. A 132 KB ``.tar.zst`` whose member claims 4 GiB is refused at its header.
"""

from __future__ import annotations

from ocitui.core.digest import Digest
from ocitui.core.errors import ArchiveError, OcituiError
from ocitui.core.limits import ARCHIVE_EXPANSION
from ocitui.core.models import Descriptor, parse_document

_SLACK = 64 * 1024 * 1024


class MemberBudget:
    """What the archive has described so far, and the bytes left for undescribed blobs."""

    def __init__(self, archive_size: int) -> None:
        ratio = ARCHIVE_EXPANSION.value()
        self.left = int(_SLACK + ratio * max(0, archive_size))
        self._limit = self.left
        self._described: dict[Digest, Descriptor] = {}

    def describe(self, descriptors: list[Descriptor] | tuple[Descriptor, ...]) -> None:
        """Remember sizes (and media types) that descriptors promise."""
        for desc in descriptors:
            self._described.setdefault(desc.digest, desc)

    def admit(self, name: str, digest: Digest, size: int) -> None:
        """Refuse the member now if its size contradicts a descriptor or the budget."""
        desc = self._described.get(digest)
        if desc is not None:
            if desc.size != size:
                raise ArchiveError(
                    f"archive member {name!r} is {size} bytes but its descriptor says "
                    f"{desc.size}; refused before writing"
                )
            return
        if size > self.left:
            raise ArchiveError(
                f"archive member {name!r} claims {size} bytes, more than this archive may "
                f"expand to ({self._limit} bytes; OCITUI_MAX_ARCHIVE_EXPANSION); "
                "refused before writing"
            )
        self.left -= size

    def is_manifest(self, digest: Digest) -> bool:
        """True when a descriptor named ``digest`` as a manifest or index."""
        desc = self._described.get(digest)
        return desc is not None and desc.is_manifest_like

    def learn(self, digest: Digest, raw_of: bytes | None) -> None:
        """After a described manifest was written, describe its children too."""
        desc = self._described.get(digest)
        if desc is None or raw_of is None or not desc.is_manifest_like:
            return
        try:
            self.describe(parse_document(raw_of, desc.media_type).children())
        except OcituiError:
            return  # Not parseable: import's completeness check reports it.

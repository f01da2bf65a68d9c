"""Check each archive blob member against what describes it, before a byte is written.

Only members the archive describes are written: a digest named by an ``index.json`` entry,
or by a manifest the archive itself holds (reached from ``index.json``, its bytes checked
against its name), with exactly the size that descriptor gives. Everything else is
skipped, never written: a member no descriptor has named *yet* (another tool's tar may
put a layer before its manifest, or ``index.json`` last) is looked at only as far as a
small member may be a manifest, and imported on a second read once the rest of the
archive has described it; a member nothing describes is not imported at all.

Skipping still means decompressing: the bytes skipped draw on an expansion budget, at
most :data:`~ocitui.core.limits.ARCHIVE_EXPANSION` times the archive's size on disk plus
64 MiB, so a 132 KB ``.tar.zst`` whose member claims 4 GiB is refused at its header.
"""

from __future__ import annotations

from ocitui.core.digest import Digest, verify_bytes
from ocitui.core.errors import ArchiveError, OcituiError
from ocitui.core.limits import ARCHIVE_EXPANSION
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor, parse_document
from ocitui.core.text_safety import shown

_SLACK = 64 * 1024 * 1024


class MemberBudget:
    """What the archive has described so far, and the bytes left for skipped members."""

    def __init__(self, archive_size: int) -> None:
        ratio = ARCHIVE_EXPANSION.value()
        self.left = int(_SLACK + ratio * max(0, archive_size))
        self._limit = self.left
        self._described: dict[Digest, Descriptor] = {}
        #: Children of verified documents among the skipped members, by the document's
        #: digest: they become described when something describes the document.
        self._pending: dict[Digest, tuple[Descriptor, ...]] = {}

    def describe(self, descriptors: list[Descriptor] | tuple[Descriptor, ...]) -> None:
        """Remember sizes (and media types) that descriptors promise, and what the
        documents already seen among the skipped members describe in turn."""
        stack = list(descriptors)
        while stack:
            desc = stack.pop()
            if desc.digest in self._described:
                continue
            self._described[desc.digest] = desc
            if desc.is_manifest_like and desc.digest in self._pending:
                stack.extend(self._pending.pop(desc.digest))

    def admit(self, name: str, digest: Digest, size: int) -> bool:
        """True: write the member (described, with the size promised). False: skip it
        (nothing describes it yet), charged to the budget. Refuses (raises) a member
        whose size contradicts its descriptor, or that the budget cannot cover."""
        desc = self._described.get(digest)
        if desc is not None:
            if desc.size != size:
                raise ArchiveError(
                    f"archive member {shown(name)} is {size} bytes but its descriptor says "
                    f"{desc.size}; refused before writing"
                )
            return True
        self._charge(
            name, size, "and nothing in the archive describes it;", "refused before writing"
        )
        return False

    def skip(self, name: str, size: int) -> None:
        """Charge a member that is never written (not part of the layout) to the budget;
        refuse it when the budget cannot cover it."""
        self._charge(name, size, "outside the OCI layout;", "refused")

    def _charge(self, name: str, size: int, what: str, outcome: str) -> None:
        """Take ``size`` from what the archive may still expand to, or refuse ``name``."""
        if size > self.left:
            raise ArchiveError(
                f"archive member {shown(name)} claims {size} bytes {what} more than this "
                f"archive may expand to ({self._limit} bytes; OCITUI_MAX_ARCHIVE_EXPANSION); "
                f"{outcome}"
            )
        self.left -= size

    def is_described(self, digest: Digest) -> bool:
        """True when a descriptor (reached from ``index.json``) names ``digest``."""
        return digest in self._described

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

    def note(self, digest: Digest, raw: bytes) -> None:
        """A skipped member small enough to be a manifest: when its bytes match its name
        and parse as a document, what it describes counts once it is described itself."""
        try:
            verify_bytes(raw, digest)
            children = parse_document(raw, max_size=MAX_MANIFEST_SIZE).children()
        except OcituiError:
            return  # Damaged, or a config or a layer: it describes nothing.
        self._pending[digest] = tuple(children)

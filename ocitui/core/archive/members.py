"""Which tar members an archive may contain, checked before anything touches the disk.

Only ``oci-layout``, ``index.json``, the directories ``blobs`` and ``blobs/<alg>``, and
regular files ``blobs/<alg>/<hex>`` whose name is a fully valid digest are accepted
(an optional leading ``./`` is tolerated). Absolute names, ``..``, links, devices,
FIFOs, sparse files and anything else are refused with the member named.
"""

from __future__ import annotations

import tarfile
from dataclasses import dataclass

from ocitui.core.digest import ALGORITHMS, Digest
from ocitui.core.errors import ArchiveError, InvalidDigest

_REGULAR = (tarfile.REGTYPE, tarfile.AREGTYPE)


@dataclass(frozen=True)
class Member:
    """A checked member: ``kind`` is ``oci-layout``, ``index``, ``dir``, ``blob`` or
    ``other`` (a safe name outside the layout's files: never written)."""

    kind: str
    name: str
    size: int
    digest: Digest | None = None


def classify(info: tarfile.TarInfo) -> Member:
    """Check one member's name and type; :class:`ArchiveError` if it is not allowed."""
    raw = info.name
    shown = repr(raw if len(raw) <= 120 else raw[:117] + "...")
    if "\x00" in raw or "\\" in raw or raw.startswith("/"):
        raise ArchiveError(f"archive member {shown}: absolute or unsafe name refused")
    name = raw[2:] if raw.startswith("./") else raw
    name = name.rstrip("/") if info.isdir() else name
    if name == "." and info.isdir():
        name = ""  # The root, as ``tar -C LAYOUT -cf x.tar .`` names it (tarfile drops "/").
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts) and name != "":
        raise ArchiveError(f"archive member {shown}: path traversal refused")
    if info.isdir():
        if name in ("", "blobs") or (
            len(parts) == 2 and parts[0] == "blobs" and parts[1] in ALGORITHMS
        ):
            return Member("dir", name, 0)
        if parts[0] != "blobs":
            return Member("other", name, 0)
        raise ArchiveError(f"archive member {shown}: unexpected directory")
    if info.type not in _REGULAR:
        kind = "link" if (info.issym() or info.islnk()) else "special file"
        raise ArchiveError(f"archive member {shown}: {kind} refused")
    if name == "oci-layout":
        return Member("oci-layout", name, info.size)
    if name == "index.json":
        return Member("index", name, info.size)
    if len(parts) == 3 and parts[0] == "blobs":
        try:
            digest = Digest.parse(f"{parts[1]}:{parts[2]}")
        except InvalidDigest:
            raise ArchiveError(f"archive member {shown}: not a valid blob name") from None
        return Member("blob", name, info.size, digest)
    if parts[0] != "blobs" and name:
        # A layout tool's own file beside the layout (oras's and ocitui's ``ingest/``,
        # ocitui's metadata cache) when a layout directory is tarred as it is: skipped.
        return Member("other", name, info.size)
    raise ArchiveError(f"archive member {shown}: not part of an OCI layout")

"""An ``export`` archive read in place: a read-only layout and target over a tar.

``ocitui inspect app.tar.zst:app:1.0`` and ``ocitui diff app.tar.zst:app:1.0 app:1.0`` read
the archive without importing it. Opening scans the archive once: member names are
checked as ``import`` checks them, ``index.json`` is parsed, small blobs (manifests,
configs) are kept in memory, and every blob's place in the tar stream is noted. A plain
single-file tar is then read by seeking; a ``.tar.zst`` or a split archive is streamed
again up to the blob (zstd decompresses at hundreds of MB/s, and nothing is written).
Every blob read is verified against its digest by the reader, as for a layout.

Archive references: ``PATH:REF`` where PATH ends in ``.tar``, ``.tar.zst``, ``.tar.zstd``,
``.tzst`` or ``.parts.json`` and exists, or ``oci-archive:PATH[:REF]`` for any file name.
Without REF, the archive's only name (machine tags aside) is meant.
"""

from __future__ import annotations

import contextlib
import io
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from ocitui.core.archive.inputs import ArchiveSource, PartsReader, open_stream, resolve_sources
from ocitui.core.archive.members import classify
from ocitui.core.archive.sizes import MAX_INDEX_SIZE
from ocitui.core.archive_ref import PREFIX, split_archive_ref
from ocitui.core.digest import Digest, verify_bytes
from ocitui.core.errors import ArchiveError, DigestMismatch, LayoutError, ManifestError, NotFound
from ocitui.core.layout import Layout
from ocitui.core.layout.index_file import parse_index
from ocitui.core.models import Descriptor
from ocitui.core.target.layout import LayoutTarget
from ocitui.core.text_safety import shown

#: Blobs up to this size are kept in memory while the archive is open.
SMALL_BLOB = 256 * 1024
#: At most this many bytes of small blobs are kept (the rest are re-read on demand).
SMALL_TOTAL = 32 * 1024 * 1024


@dataclass(frozen=True)
class _Place:
    """Where a blob's bytes sit in the (decompressed) tar stream."""

    offset: int
    size: int


class ArchiveLayout(Layout):
    """A read-only :class:`Layout` whose files are members of a tar archive.

    Reads (``entries``, ``resolve``, ``read_blob``, ``open_blob``, ``referrers`` ...) work
    as on a directory; anything that would write raises :class:`LayoutError`.
    """

    def __init__(self, path: Path, source: ArchiveSource) -> None:
        super().__init__(path)
        self.source = source
        self._places: dict[Digest, _Place] = {}
        self._kept: dict[Digest, bytes] = {}
        self._archive_entries: list[Descriptor] = []
        self._seekable = False

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open_archive(cls, path: Path) -> ArchiveLayout:
        """Scan the archive at ``path`` (a tar, ``.tar.zst``, or split parts)."""
        sources = resolve_sources([path])
        layout = cls(path, sources[0])
        layout._scan()
        return layout

    @classmethod
    def open(cls, path: Any, *, create: bool = False) -> Layout:
        """Archives are opened with :meth:`open_archive`."""
        raise LayoutError(f"{path}: open archives with ArchiveLayout.open_archive")

    def _stream(self) -> tuple[PartsReader, Any]:
        reader = PartsReader(self.source, lambda _event: None)
        return reader, open_stream(reader)

    def _scan(self) -> None:
        reader, stream = self._stream()
        plain = stream is reader and len(self.source.parts) == 1
        index_raw: bytes | None = None
        kept_total = 0
        try:
            if plain:
                reader.close()
                tar = tarfile.open(self.source.parts[0].path, mode="r:")  # noqa: SIM115
            else:
                tar = tarfile.open(fileobj=stream, mode="r|")  # noqa: SIM115
            with tar:
                for info in tar:
                    member = classify(info)
                    if member.kind == "index":
                        if info.size > MAX_INDEX_SIZE:
                            raise ArchiveError(f"{self.root}: index.json is too large")
                        index_raw = _read_member(tar, info)
                    elif member.kind == "blob" and member.digest is not None:
                        if member.digest in self._places:
                            continue  # A duplicate member: blobs are content-addressed.
                        self._places[member.digest] = _Place(info.offset_data, info.size)
                        if info.size <= SMALL_BLOB and kept_total + info.size <= SMALL_TOTAL:
                            self._kept[member.digest] = _read_member(tar, info)
                            kept_total += info.size
        except tarfile.TarError as exc:
            raise ArchiveError(f"{self.root}: not a readable tar archive ({exc})") from None
        except OSError as exc:
            raise ArchiveError(f"{self.root}: cannot read: {exc.strerror or exc}") from None
        finally:
            reader.close()
        if index_raw is None:
            raise ArchiveError(f"{self.root}: not an OCI layout archive (no index.json)")
        _, self._archive_entries = parse_index(index_raw, self.root / "index.json")
        self._seekable = plain

    # -- reads ---------------------------------------------------------------------------

    def entries(self) -> list[Descriptor]:
        """The archive's ``index.json`` entries."""
        return list(self._archive_entries)

    def has_blob(self, digest: Digest, size: int | None = None) -> bool:
        """True when the archive holds the blob (of ``size`` bytes, when given)."""
        place = self._places.get(digest)
        return place is not None and (size is None or place.size == size)

    def blob_path(self, digest: Digest) -> Path:
        """Archives have no blob files."""
        raise LayoutError(f"{self.root}: an archive has no blob files (import it first)")

    def open_blob(self, digest: Digest) -> BinaryIO:
        """A stream of the blob's bytes (the reader verifies, as for a layout)."""
        place = self._places.get(digest)
        if place is None:
            raise NotFound(f"blob {digest} is not in the archive {self.root}")
        kept = self._kept.get(digest)
        if kept is not None:
            return io.BytesIO(kept)
        if self._seekable:
            handle = self.source.parts[0].path.open("rb")
            handle.seek(place.offset)
            return cast(BinaryIO, _Window(handle, place.size, None))
        reader, stream = self._stream()
        try:
            _skip(stream, place.offset)
        except BaseException:
            reader.close()
            raise
        return cast(BinaryIO, _Window(stream, place.size, reader))

    def read_blob(self, digest: Digest, *, max_size: int | None = None) -> bytes:
        """The whole (small) blob, verified against its digest."""
        place = self._places.get(digest)
        if place is None:
            raise NotFound(f"blob {digest} is not in the archive {self.root}")
        if max_size is not None and place.size > max_size:
            raise ManifestError(
                f"blob {digest} is {place.size} bytes, over the {max_size}-byte limit"
            )
        data = self._kept.get(digest)
        if data is None:
            with self.open_blob(digest) as handle:
                data = handle.read()
        try:
            verify_bytes(data, digest, place.size)
        except DigestMismatch as exc:
            raise DigestMismatch(f"corrupt blob in archive: {exc}") from None
        return data

    # -- writes are refused --------------------------------------------------------------

    def _refuse(self, *_args: Any, **_kwargs: Any) -> Any:
        raise LayoutError(f"{self.root}: an archive is read-only (ocitui import it first)")

    ingest = put_blob = put_file = put_document = update_index = _refuse
    set_tag = remove = add_untagged = add_referrer = batch = _refuse


class ArchiveTarget(LayoutTarget):
    """An archive behind the :class:`~ocitui.core.target.base.Target` door (read-only)."""

    def __init__(self, layout: ArchiveLayout) -> None:
        super().__init__(layout, read_only=True)
        self.label = f"archive {layout.root}"

    @classmethod
    def open(cls, path: Path) -> ArchiveTarget:
        """Scan the archive at ``path``."""
        return cls(ArchiveLayout.open_archive(path))


def sole_tag(layout: Layout) -> str:
    """The only name in ``layout`` that is not a machine tag (``ARCHIVE`` without ``:REF``)."""
    from ocitui.core.layout.summary import is_machine_tag

    names = sorted({e.ref_name or "" for e in layout.tagged() if not is_machine_tag(e.ref_name)})
    if len(names) != 1:
        listed = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
        raise NotFound(
            f"{layout.root} holds {len(names)} names ({listed or 'none'}); name one: "
            f"{layout.root}:REF"
        )
    return names[0]


def _read_member(tar: tarfile.TarFile, info: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(info)
    if handle is None:
        raise ArchiveError(f"archive member {shown(info.name)} cannot be read")
    with handle:
        data = handle.read()
    if len(data) != info.size:
        raise ArchiveError(f"archive member {shown(info.name)} is truncated")
    return data


def _skip(stream: Any, count: int) -> None:
    while count > 0:
        data = stream.read(min(count, 1024 * 1024))
        if not data:
            raise ArchiveError("the archive ended early (changed since it was opened?)")
        count -= len(data)


class _Window(io.RawIOBase):
    """``size`` bytes of ``stream`` from where it stands; closes what it was given."""

    def __init__(self, stream: IO[bytes], size: int, owner: PartsReader | None) -> None:
        super().__init__()
        self._stream = stream
        self._left = size
        self._owner = owner

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0 or size > self._left:
            size = self._left
        if size == 0:
            return b""
        data = self._stream.read(size)
        if not data:
            raise ArchiveError("the archive ended early (changed since it was opened?)")
        self._left -= len(data)
        return bytes(data)

    def readall(self) -> bytes:
        chunks = []
        while self._left:
            chunks.append(self.read(1024 * 1024))
        return b"".join(chunks)

    def close(self) -> None:
        if not self.closed:
            with contextlib.suppress(Exception):
                self._stream.close()
            if self._owner is not None:
                self._owner.close()
        super().close()


__all__ = ["PREFIX", "ArchiveLayout", "ArchiveTarget", "sole_tag", "split_archive_ref"]

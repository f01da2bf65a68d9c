"""The :class:`Layout`: an OCI image layout on disk used as ocitui's staging cache.

Blob paths are only ever built from validated :class:`Digest` values and re-checked to
stay under ``blobs/``; symlinks are refused. ``index.json`` is read fresh (cached by
file identity) and updated under an exclusive lock.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest, verify_bytes
from ocitui.core.errors import DigestMismatch, LayoutError, ManifestError, NotFound
from ocitui.core.layout import index_file, refs
from ocitui.core.layout.batch import IndexBatch
from ocitui.core.layout.guard import LEASE_NAME, check_structure, lease, open_regular
from ocitui.core.layout.ingest import BlobWriter
from ocitui.core.layout.metadata import MetadataIndex, MetadataView
from ocitui.core.layout.referrers import SUBJECT_HINT, ReferrerNode, ReferrerView, scoped_view
from ocitui.core.models import (
    MAX_MANIFEST_SIZE,
    REF_NAME,
    Descriptor,
    Document,
    parse_document,
)

#: Blobs up to this size are remembered once verified (manifests and configs are small).
_MEMO_BLOB_MAX = 256 * 1024
#: Total bytes remembered per open layout.
_MEMO_TOTAL = 16 * 1024 * 1024


class Layout:
    """Read and write one OCI image layout directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.blobs_dir = root / "blobs"
        self.ingest_dir = root / "ingest"
        self._index_key: tuple[int, int, int] | None = None
        self._index: index_file.RawIndex | None = None
        self._entries: list[Descriptor] | None = None
        self._referrers: ReferrerView | None = None
        #: Referrer views limited to one subject (and its referrers), for lookups of one.
        self._scoped: dict[tuple[Digest, bool], ReferrerView] = {}
        #: Verified small blobs (manifests, configs) keyed by digest and file identity, so
        #: summaries that look at one manifest several ways read and hash it once.
        self._small: OrderedDict[tuple[Digest, int, int, int], bytes] = OrderedDict()
        self._small_bytes = 0
        self._batch: IndexBatch | None = None
        self._blobs_text = os.fspath(self.blobs_dir)
        self._metadata: MetadataIndex | None = None

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = False) -> Layout:
        """Open the layout at ``path``; with ``create``, make an empty one if absent."""
        root = Path(path)
        if create and not (root / "oci-layout").exists():
            cls._initialise(root)
        if not root.is_dir():
            raise LayoutError(f"{root}: no such layout directory")
        index_file.read_layout_header(root)
        check_structure(root)
        if not (root / "index.json").is_file():
            raise LayoutError(f"{root}: not an OCI layout (no index.json)")
        layout = cls(root)
        # Decode index.json now, with a clear error; its entries are judged when read.
        layout._raw_index()
        return layout

    @staticmethod
    def _initialise(root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        if not _only_creation_leftovers(root):
            raise LayoutError(f"{root}: exists, is not empty, and is not an OCI layout")
        (root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
        index_file.write_atomic(root / "index.json", index_file.render_index({}, []))
        header = {"imageLayoutVersion": index_file.LAYOUT_VERSION}
        index_file.write_atomic(root / "oci-layout", json.dumps(header).encode() + b"\n")

    # -- blobs ---------------------------------------------------------------------------

    def blob_path(self, digest: Digest) -> Path:
        """``blobs/<alg>/<hex>``, checked to stay inside ``blobs/``."""
        path = self.blobs_dir / digest.algorithm / digest.encoded
        if path.parent.parent != self.blobs_dir:  # Cannot happen with a valid Digest.
            raise LayoutError(f"refusing blob path outside the layout: {digest}")
        return path

    def has_blob(self, digest: Digest, size: int | None = None) -> bool:
        """True when the blob is present (and of ``size`` bytes, when given)."""
        # A string path: listings call this per blob, and pathlib joins cost more than
        # the lstat. (A valid Digest's algorithm and hex cannot leave blobs/.)
        try:
            info = os.lstat(f"{self._blobs_text}/{digest.algorithm}/{digest.encoded}")
        except (FileNotFoundError, NotADirectoryError):
            return False
        if not stat.S_ISREG(info.st_mode):
            return False
        return size is None or info.st_size == size

    def present_blobs(self) -> dict[str, set[str]] | None:
        """Every regular file under ``blobs/``: ``{algorithm: {encoded, ...}}`` (one scan).

        ``None`` when there is no directory to scan (ask :meth:`has_blob` instead).
        """
        found: dict[str, set[str]] = {}
        try:
            folders = list(os.scandir(self._blobs_text))
        except FileNotFoundError:
            return found
        except OSError:
            return None
        for folder in folders:
            if folder.is_dir(follow_symlinks=False):
                with os.scandir(folder.path) as names:
                    found[folder.name] = {e.name for e in names if e.is_file(follow_symlinks=False)}
        return found

    def metadata_view(self) -> MetadataView:
        """Per-manifest facts from the derived metadata index (see :mod:`.metadata`)."""
        if self._metadata is None:
            self._metadata = MetadataIndex(self.root)
        return MetadataView(self, self._metadata)

    def open_blob(self, digest: Digest) -> BinaryIO:
        """Open a blob for reading; refuses symlinks and non-files."""
        try:
            fd = open_regular(self.blob_path(digest), f"blob {digest}")
        except (FileNotFoundError, NotADirectoryError):
            raise NotFound(f"blob {digest} is not in the layout") from None
        return os.fdopen(fd, "rb")

    def read_blob(self, digest: Digest, *, max_size: int | None = None) -> bytes:
        """Read a whole (small) blob and verify it against its digest."""
        if type(self).open_blob is not Layout.open_blob:
            with self.open_blob(digest) as handle:
                return self._read_small(digest, os.fstat(handle.fileno()), max_size, handle.read)
        # The blob file itself, by a string path and without a file object: a first
        # listing reads every manifest and config (two blobs per image).
        path = f"{self._blobs_text}/{digest.algorithm}/{digest.encoded}"
        try:
            fd = open_regular(path, f"blob {digest}")
        except (FileNotFoundError, NotADirectoryError):
            raise NotFound(f"blob {digest} is not in the layout") from None
        try:
            info = os.fstat(fd)
            return self._read_small(digest, info, max_size, lambda: _read_to_end(fd, info))
        finally:
            os.close(fd)

    def _read_small(
        self,
        digest: Digest,
        info: os.stat_result,
        max_size: int | None,
        read: Callable[[], bytes],
    ) -> bytes:
        """The verified bytes of an open blob (``info``: its fstat; ``read``: the rest of
        it), remembered when small."""
        size = info.st_size
        if max_size is not None and size > max_size:
            raise ManifestError(f"blob {digest} is {size} bytes, over the {max_size}-byte limit")
        # The same file (inode, size, mtime) was verified before: its bytes are known.
        key = (digest, info.st_ino, size, info.st_mtime_ns)
        cached = self._small.get(key)
        if cached is not None:
            self._small.move_to_end(key)
            return cached
        data = read()
        try:
            verify_bytes(data, digest)
        except DigestMismatch as exc:
            raise DigestMismatch(f"corrupt blob in layout: {exc}") from None
        if size <= _MEMO_BLOB_MAX:
            self._remember(key, data)
        return data

    def _remember(self, key: tuple[Digest, int, int, int], data: bytes) -> None:
        self._small[key] = data
        self._small_bytes += len(data)
        while self._small_bytes > _MEMO_TOTAL:
            _, dropped = self._small.popitem(last=False)
            self._small_bytes -= len(dropped)

    def lease(self) -> AbstractContextManager[None]:
        """Hold the shared write lease: gc removes nothing while a writer holds it."""
        return lease(self.root)

    def touch(self, digest: Digest) -> None:
        """Refresh a reused blob's mtime, so gc's grace period covers it again."""
        with contextlib.suppress(OSError):
            os.utime(self.blob_path(digest), follow_symlinks=False)

    def ingest(
        self, digest: Digest, size: int, *, on_renamed: Callable[[Path], None] | None = None
    ) -> BlobWriter:
        """A resumable writer for one blob (see :class:`BlobWriter`).

        ``on_renamed(directory)`` takes over the directory fsync after the blob's rename:
        a caller committing many blobs fsyncs each directory once, and must do so before
        ``index.json`` names any of them.
        """
        return BlobWriter(
            self.ingest_dir, self.blob_path(digest), digest, size, on_renamed=on_renamed
        )

    def put_blob(self, data: bytes, digest: Digest | None = None) -> Digest:
        """Store small in-memory ``data`` (verified against ``digest`` when given)."""
        digest = digest or Digest.of(data)
        if self.has_blob(digest, len(data)):
            return digest
        with self.ingest(digest, len(data)) as writer:
            writer.restart()
            writer.write(data)
            writer.commit()
        return digest

    def put_file(self, path: Path, chunk_size: int = 1024 * 1024) -> Digest:
        """Store a file's content, streaming it twice (hash, then copy and verify)."""
        hasher = Digest("sha256", "0" * 64).hasher()
        size = 0
        with path.open("rb") as handle:
            while chunk := handle.read(chunk_size):
                hasher.update(chunk)
                size += len(chunk)
        digest = Digest("sha256", hasher.hexdigest())
        if self.has_blob(digest, size):
            return digest
        with self.ingest(digest, size) as writer, path.open("rb") as handle:
            writer.restart()
            while chunk := handle.read(chunk_size):
                writer.write(chunk)
            writer.commit()
        return digest

    # -- documents -----------------------------------------------------------------------

    def get_document(self, digest: Digest, media_type: str | None = None) -> Document:
        """Read, verify and parse a manifest or index blob."""
        raw = self.read_blob(digest, max_size=MAX_MANIFEST_SIZE)
        return parse_document(raw, media_type)

    def put_document(self, raw: bytes, media_type: str) -> Descriptor:
        """Store a manifest/index (parsed first, so garbage never enters) and describe it."""
        doc = parse_document(raw, media_type)
        self.put_blob(raw)
        return doc.descriptor(artifact_type=_artifact_type_for_entry(doc))

    # -- index.json ----------------------------------------------------------------------

    def entries(self) -> list[Descriptor]:
        """The validated ``index.json`` entries (re-read when the file changes)."""
        return list(self._current())

    def _current(self) -> list[Descriptor]:
        """The cached entries themselves (callers must not modify the list)."""
        index = self._raw_index()
        if self._entries is None:
            self._entries = index.all()
        return self._entries

    def _raw_index(self) -> index_file.RawIndex:
        """``index.json`` decoded (re-read when the file changes), entries not yet judged."""
        path = self.root / "index.json"
        try:
            info = path.stat()
        except FileNotFoundError:
            raise LayoutError(f"{self.root}: not an OCI layout (no index.json)") from None
        key = (info.st_ino, info.st_size, info.st_mtime_ns)
        if key != self._index_key or self._index is None:
            self._index = index_file.RawIndex.read(path.read_bytes(), path)
            self._index_key = key
            self._entries = None
            self._referrers = None
            self._scoped = {}
        return self._index

    def _few(self) -> index_file.RawIndex | None:
        """The decoded index, for answering about a few entries without judging them all.

        ``None`` when the full list is at hand anyway, or when entries do not come
        from ``index.json`` alone (a subclass that extends or replaces :meth:`entries`:
        an archive, the verify overlay).
        """
        if type(self).entries is not Layout.entries:
            return None
        index = self._raw_index()
        return index if self._entries is None else None

    def update_index(self, fn: Callable[[list[Descriptor]], list[Descriptor]]) -> None:
        """Apply ``fn`` to the entries under the exclusive lock and write atomically.

        Inside :meth:`batch` the change is recorded and written when the batch commits.
        """
        if self._batch is not None:
            self._batch.apply(fn)
            return
        index_file.update_index(self.root, fn)
        self._index_key = None

    @contextlib.contextmanager
    def batch(self) -> Iterator[IndexBatch]:
        """Collect ``index.json`` changes and write them in one locked rewrite on exit.

        ``add_referrer``, ``set_tag``, ``add_untagged`` and ``update_index`` record into
        the batch (reads of :meth:`entries` see the index as it was until the commit).
        Changes recorded before an error are still committed: each was complete (its
        blobs stored) when recorded, as when they were written one by one. A nested
        ``batch()`` joins the open one.
        """
        if self._batch is not None:
            yield self._batch
            return
        self._batch = IndexBatch(self.root)
        try:
            yield self._batch
        finally:
            pending, self._batch = self._batch, None
            try:
                pending.commit()
            finally:
                self._index_key = None

    def tagged(self) -> list[Descriptor]:
        """Entries that carry a ``ref.name``."""
        return [e for e in self.entries() if e.ref_name]

    def resolve(self, text: str) -> Descriptor:
        """Find the entry (or blob) for a full ref, unique short ref, or digest.

        Only the entries that match are validated (see :class:`~.index_file.RawIndex`).
        """
        return refs.resolve(self, text)

    def set_tag(self, ref: str, descriptor: Descriptor) -> Descriptor:
        """Name ``descriptor`` with the normalised ``ref`` (moving the name if held)."""
        entry = refs.named(ref, descriptor)
        with self.batch() as batch:
            batch.set_tag(entry.annotations[REF_NAME], entry)
        return entry

    def remove(self, text: str) -> list[Descriptor]:
        """Remove the entries named (or with the digest) ``text``; returns what went."""
        return refs.remove(self, text)

    def add_untagged(self, descriptor: Descriptor) -> None:
        """Keep a manifest reachable without a name (deduplicated by digest)."""
        plain = descriptor.with_changes(
            annotations={k: v for k, v in descriptor.annotations.items() if k != REF_NAME}
        )
        with self.batch() as batch:
            batch.add_untagged(plain)

    # -- referrers -----------------------------------------------------------------------

    def add_referrer(self, doc: Document, digest: Digest | None = None) -> Descriptor:
        """Record ``doc`` (which has a ``subject``) as an untagged referrer entry.

        ``digest`` names the document by another algorithm than sha256 (a sha512 push).
        """
        if doc.subject is None:
            raise ManifestError(f"{doc.digest} has no subject; it is not a referrer")
        digest = self.put_blob(doc.raw, digest)
        annotations = {**doc.annotations, SUBJECT_HINT: str(doc.subject.digest)}
        entry = Descriptor(
            doc.media_type,
            digest,
            len(doc.raw),
            annotations=annotations,
            artifact_type=_artifact_type_for_entry(doc),
        )
        with self.batch() as batch:
            batch.add_referrer(entry)
        return entry

    def referrer_view(self) -> ReferrerView:
        """The subject -> referrers map of the current ``index.json`` (built once per state)."""
        return self._referrer_view()

    def _referrer_view(self) -> ReferrerView:
        # Drops the cached view when index.json changed. A subclass whose index is not
        # a file (an archive) builds its view once.
        with contextlib.suppress(OSError):
            self._current()
        if self._referrers is None:
            # Built from entries(), which a subclass may extend (the verify overlay).
            self._referrers = ReferrerView(self, self.entries())
        return self._referrers

    def _view_for(self, subject: Digest, *, tree: bool) -> ReferrerView:
        """The full referrer view, or, while no caller needed every entry, one built from
        only the entries that can relate to ``subject`` (and, for ``tree``, to its
        referrers): the same answers about them (see :func:`.referrers.scoped_view`)."""
        index = self._few() if self._referrers is None else None
        if index is None:
            return self._referrer_view()
        key = (subject, tree)
        if not tree and (subject, True) in self._scoped:
            key = (subject, True)  # A tree's view answers about its root as well.
        if key not in self._scoped:
            self._scoped[key] = scoped_view(self, index, subject, tree=tree)
        return self._scoped[key]

    def referrers(self, subject: Digest, artifact_types: Sequence[str] = ()) -> list[Descriptor]:
        """Referrers of ``subject`` (from ``index.json``), optionally by artifact type."""
        return self._view_for(subject, tree=False).referrers(subject, artifact_types)

    def referrer_tree(
        self, subject: Digest, artifact_types: Sequence[str] = ()
    ) -> list[ReferrerNode]:
        """Referrers of ``subject`` and, recursively, theirs."""
        return self._view_for(subject, tree=True).tree(subject, artifact_types)

    def legacy_attachments(self, subject: Digest) -> list[tuple[str, Descriptor]]:
        """Cosign legacy ``sha256-<hex>.sig/.att/.sbom`` entries for ``subject``."""
        return self._view_for(subject, tree=False).legacy_attachments(subject)

    def referrer_count(self, subject: Digest) -> int:
        """How many direct referrers ``subject`` has."""
        return len(self.referrers(subject))


def _read_to_end(fd: int, info: os.stat_result) -> bytes:
    """Every byte of ``fd`` from where it stands (``info``: its fstat; a file that grew
    meanwhile is read to its end all the same, and then fails verification)."""
    chunks = [os.read(fd, info.st_size + 1)]
    while chunks[-1]:
        chunks.append(os.read(fd, 1024 * 1024))
    return b"".join(chunks)


def _artifact_type_for_entry(doc: Document) -> str | None:
    return mt.entry_artifact_type(doc.doc)


def _only_creation_leftovers(root: Path) -> bool:
    """True when ``root`` holds at most what an interrupted :meth:`Layout._initialise` left.

    Creation writes ``blobs/sha256/``, then ``index.json``, then ``oci-layout`` (each
    file through a temp file and a rename). A full disk or a kill between those steps left
    a directory that every later command refused as "not empty, not an OCI layout": an
    empty ``blobs/sha256/``, the empty ``index.json`` and ``.<name>.*.tmp`` files of ours
    (besides the lock files) are accepted, and creation goes on where it stopped. Anything else is
    somebody's data and still refused.
    """
    empty_index = index_file.render_index({}, [])
    for entry in list(os.scandir(root)):
        name = entry.name
        if name in (".ocitui.lock", LEASE_NAME):
            continue
        if name == "blobs" and entry.is_dir(follow_symlinks=False):
            inner = list(os.scandir(entry.path))
            if all(
                e.name == "sha256" and e.is_dir(follow_symlinks=False) and not os.listdir(e.path)
                for e in inner
            ):
                continue
        elif name == "index.json" and entry.is_file(follow_symlinks=False):
            if entry.stat(follow_symlinks=False).st_size == len(empty_index):
                with open(entry.path, "rb") as handle:
                    if handle.read() == empty_index:
                        continue
        elif (
            name.startswith((".index.json.", ".oci-layout."))
            and name.endswith(".tmp")
            and entry.is_file(follow_symlinks=False)
        ):
            continue  # A temp file of ours (left in place: a concurrent creator may own it).
        return False
    return True

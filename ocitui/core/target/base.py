"""The one door to content: the async :class:`Target` protocol and its capabilities.

A layout, a registry and an ``export`` archive are three implementations of the same
protocol, so the sync walker, ``inspect`` and ``diff`` never ask which kind they hold.
The shape follows regclient's ``scheme.API`` (implemented by both ``ocidir`` and ``reg``):
every call names the repository it concerns, because one sync walks several repositories
(imgpkg bundles lock images from other repositories). A layout is one content-addressed
store for every repository and uses the repository only to name tags.

Reads are verified: ``fetch`` and ``fetch_blob`` return bytes checked against the
descriptor's digest and size; ``stream_blob`` writes into a :class:`BlobSink` that checks
them while writing (the layout's ingest writer, or :class:`SpoolSink`).
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol, cast

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest, Verifier
from ocitui.core.models import Descriptor, Document
from ocitui.core.reference import Reference
from ocitui.core.registry.base import BlobSink

if TYPE_CHECKING:
    from ocitui.core.layout import Layout

#: Called with the number of bytes just moved.
Progress = Callable[[int], None]
#: Called once a blob's bytes are received and verified in memory, before they are
#: stored (the caller may give the request slot to another transfer meanwhile).
Received = Callable[[], None]


@dataclass(frozen=True)
class Capabilities:
    """What a target can do, said explicitly instead of asked with ``isinstance``."""

    #: Content is on this machine in one content-addressed store for every repository:
    #: existence checks are free, blobs are shared across repositories, and a manifest
    #: may be present without all of its blobs (a sparse pull).
    local: bool
    #: Nothing can be written (an archive).
    read_only: bool = False
    #: Blobs can be mounted from another repository of the same target (a registry).
    can_mount: bool = False


def is_manifest_type(media_type: str) -> bool:
    """True when ``exists`` must ask for a manifest rather than a blob (as oras-go does)."""
    return media_type in mt.MANIFEST_LIKE


def plain(desc: Descriptor) -> Descriptor:
    """mediaType, digest, size (+ artifactType): no names, hints or platform."""
    return Descriptor(desc.media_type, desc.digest, desc.size, artifact_type=desc.artifact_type)


class BlobSource(Protocol):
    """What a copy reads a blob from: any target, or bytes already in memory."""

    async def stream_blob(
        self, repo: Reference, desc: Descriptor, sink: BlobSink, on_progress: Progress | None
    ) -> None:
        """Write the blob into ``sink`` from ``sink.offset`` on (the sink verifies)."""
        ...

    def open_local(self, desc: Descriptor) -> Callable[[], BinaryIO] | None:
        """An opener of the blob's bytes on this machine, or None when remote."""
        ...


class Target(BlobSource, Protocol):
    """Where content lives: a layout, a registry, or a read-only archive."""

    label: str
    capabilities: Capabilities
    #: The layout this target writes into, or None (a registry, a read-only target).
    #: A sync into it holds its write lease (gc waits), may put a gate in front of its
    #: ``index.json``, and reports the verified blobs a failure left unnamed there.
    local_store: Layout | None

    async def resolve(self, repo: Reference, text: str) -> tuple[Descriptor, bytes]:
        """The manifest or index ``text`` names: its descriptor (names and annotations
        the target keeps included) and its exact, verified bytes."""
        ...

    async def fetch(self, repo: Reference, desc: Descriptor) -> bytes:
        """The exact, verified bytes of a manifest (``NotFound`` when absent)."""
        ...

    async def fetch_blob(self, repo: Reference, desc: Descriptor, *, max_size: int) -> bytes:
        """A small blob (a config), whole and verified; refuses more than ``max_size``."""
        ...

    async def exists(self, repo: Reference, desc: Descriptor) -> bool:
        """True when the manifest or blob (by media type) is there."""
        ...

    async def lookup_tag(self, repo: Reference, tag: str) -> Descriptor | None:
        """What ``repo:tag`` (``repo@digest`` when ``tag`` is a digest) names, or None.

        A local target answers with the stored entry, annotations included."""
        ...

    async def tags(self, repo: Reference) -> list[str]:
        """The tags of ``repo``."""
        ...

    async def referrers(
        self, repo: Reference, subject: Digest, artifact_types: Sequence[str] = ()
    ) -> list[Descriptor]:
        """Descriptors listed as referrers of ``subject`` (hints, not yet verified),
        only those of ``artifact_types`` when given."""
        ...

    async def legacy(self, repo: Reference, subject: Digest) -> list[tuple[str, Descriptor]]:
        """cosign legacy ``<alg>-<hex>.sig/.att/.sbom`` manifests of ``subject`` as
        ``(kind, descriptor)``, by kind, ``repo``'s own first: a registry holds at most one
        per kind, a layout one per repository name (two ``.sig`` of one image pulled from
        two repositories are both kept)."""
        ...

    async def push_blob(
        self,
        repo: Reference,
        desc: Descriptor,
        source: BlobSource,
        source_repo: Reference,
        *,
        started: Progress,
        on_progress: Progress | None,
        mount_from: Reference | None = None,
        received: Received | None = None,
    ) -> str:
        """Copy one blob from ``source``; ``exists``, ``downloaded``, ``uploaded`` or
        ``mounted``. ``started(offset)`` is called before the first byte moves;
        ``received()`` when no request of this copy remains and only storing the bytes
        on this machine does (a target that stores blobs in groups calls it; others may
        not)."""
        ...

    async def push_manifest(
        self, repo: Reference, raw: bytes, media_type: str, *, doc: Document | None = None
    ) -> None:
        """Store a manifest by digest (a local target names it later, in :meth:`commit`).

        ``doc`` is ``raw`` already parsed, when the caller has it (a layout checks what it
        stores parses; it then does not parse it again)."""
        ...

    async def commit(self, referrers: Sequence[Document], tags: Sequence[TagWrite]) -> int:
        """Make finished graphs visible: record ``referrers`` (manifests with a
        ``subject``) and set ``tags``; returns how many tags were set."""
        ...


@dataclass(frozen=True)
class TagWrite:
    """One name to set: ``repo:tag`` (``tag`` may be a digest) for ``descriptor``.

    ``raw`` is the manifest's exact bytes (a registry PUTs them under the tag);
    ``descriptor`` carries the annotations a local target keeps on the entry.
    """

    repo: Reference
    tag: str
    name: str
    descriptor: Descriptor
    raw: bytes


class BytesSource:
    """A blob already in memory (a config read while planning, a record made for the
    destination) as the source of a :meth:`Target.push_blob`."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def stream_blob(
        self, repo: Reference, desc: Descriptor, sink: BlobSink, on_progress: Progress | None
    ) -> None:
        """Write the bytes from ``sink.offset`` on (the sink verifies them)."""
        rest = self.data[sink.offset :]
        sink.write(rest)
        if on_progress is not None:
            on_progress(len(rest))

    def open_local(self, desc: Descriptor) -> Callable[[], BinaryIO] | None:
        """The bytes as a file."""
        return lambda: io.BytesIO(self.data)


#: Bytes a :class:`SpoolSink` keeps in memory before it moves to a temporary file.
SPOOL_IN_MEMORY = 4 * 1024 * 1024


class SpoolSink:
    """A verifying :class:`BlobSink` for a blob read once and thrown away (a config, an
    imgpkg bundle's layer read while planning).

    Bytes are hashed as they arrive (more than the descriptor's size is refused) and held
    in memory up to ``in_memory`` bytes, beyond that in an anonymous temporary file
    (:class:`tempfile.SpooledTemporaryFile`). :meth:`value` and :meth:`finish` verify
    digest and size before anything is read back. The layout's ``BlobWriter`` is the
    other sink: it keeps resumable partials and publishes by rename.
    """

    def __init__(self, desc: Descriptor, *, in_memory: int = SPOOL_IN_MEMORY) -> None:
        self._desc = desc
        # ``max_size=0`` would never spill: at least one byte.
        self._file = tempfile.SpooledTemporaryFile(max_size=max(in_memory, 1))  # noqa: SIM115
        self._verifier = Verifier(desc.digest, desc.size)
        #: The whole blob stays in memory: writes never wait for a disk, so the registry
        #: client may make them on the event loop (no worker-thread hop for a small blob).
        self.in_memory = desc.size <= in_memory

    @property
    def offset(self) -> int:
        """Bytes held so far."""
        return self._verifier.count

    def write(self, chunk: bytes) -> None:
        """Hash and keep ``chunk`` (refusing bytes past the expected size)."""
        self._verifier.update(chunk)
        self._file.write(chunk)

    def restart(self) -> None:
        """Drop what is held (the server ignored ``Range``)."""
        self._file.seek(0)
        self._file.truncate()
        self._verifier = Verifier(self._desc.digest, self._desc.size)

    def finish(self) -> BinaryIO:
        """The verified bytes as a file, rewound; the caller closes it
        (``DigestMismatch`` when short or wrong, and the file is closed)."""
        try:
            self._verifier.verify()
        except BaseException:
            self.close()
            raise
        self._file.seek(0)
        return cast(BinaryIO, self._file)

    def value(self) -> bytes:
        """The verified bytes (``DigestMismatch`` when short or wrong)."""
        with self.finish() as handle:
            return handle.read()

    def close(self) -> None:
        """Drop what is held."""
        self._file.close()


__all__ = [
    "SPOOL_IN_MEMORY",
    "BlobSource",
    "BytesSource",
    "Capabilities",
    "Progress",
    "SpoolSink",
    "TagWrite",
    "Target",
    "is_manifest_type",
    "plain",
]

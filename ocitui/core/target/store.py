"""A synchronous, read-only view of one repository of a :class:`Target`, for the diff.

The diff engine reads content stores synchronously
(:class:`~ocitui.core.diff.store.ContentStore`, which a :class:`Layout` is). This view
answers the same calls through the Target door, so ``diff docker://A B`` reads the registry
directly instead of pulling A into a scratch layout: manifests, configs and referrers are
fetched (and verified) as the diff asks for them, layer blobs only for ``--files``, each
once, through a verifying ``BlobWriter`` into a scratch directory (not a layout).

Every call runs its coroutine to completion on the :class:`asyncio.Runner` it was given
(one event loop for the client's whole life). Referrers are checked as a pull checks them:
each listed manifest is fetched and kept only when its ``subject`` is the one asked about,
and described the way a layout entry would be (``entry_artifact_type``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import NotFound
from ocitui.core.layout.ingest import BlobWriter
from ocitui.core.layout.referrers import referrer_sort_key
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor, Document, parse_document
from ocitui.core.reference import Reference
from ocitui.core.target.base import Target


class TargetStore:
    """``repo`` of ``target`` as a content store; digests it reads must have been named by
    something it returned first (a resolved root, a document's children, a referrer)."""

    def __init__(
        self, target: Target, repo: Reference, runner: asyncio.Runner, spool: Path
    ) -> None:
        """``spool`` is a scratch directory the caller removes (layer blobs land there)."""
        self.target = target
        self.repo = repo
        self._spool = spool
        self._run = runner.run
        self._known: dict[Digest, Descriptor] = {}
        self._raw: dict[Digest, bytes] = {}

    def _desc(self, digest: Digest) -> Descriptor:
        desc = self._known.get(digest)
        if desc is None:
            raise NotFound(f"{digest} is not reachable from what was read of {self.repo.name}")
        return desc

    def _document(self, desc: Descriptor, raw: bytes) -> Document:
        doc = parse_document(raw, desc.media_type)
        self._raw[desc.digest] = raw
        for child in doc.children():
            self._known.setdefault(child.digest, child)
        return doc

    def resolve(self, text: str) -> Descriptor:
        """The manifest or index ``text`` (a reference in the repository) names."""
        desc, raw = self._run(self.target.resolve(self.repo, text))
        self._known[desc.digest] = desc
        self._document(desc, raw)
        return desc

    def get_document(self, digest: Digest, media_type: str | None = None) -> Document:
        """The verified, parsed manifest or index."""
        raw = self._raw.get(digest)
        desc = self._desc(digest)
        if raw is None:
            raw = self._run(self.target.fetch(self.repo, desc))
        return self._document(desc.with_changes(media_type=media_type or desc.media_type), raw)

    def read_blob(self, digest: Digest, *, max_size: int | None = None) -> bytes:
        """A small blob (a config), whole and verified."""
        desc = self._desc(digest)
        limit = max_size if max_size is not None else MAX_MANIFEST_SIZE
        return self._run(self.target.fetch_blob(self.repo, desc, max_size=limit))

    def open_blob(self, digest: Digest) -> BinaryIO:
        """The blob from the spool directory, fetched and verified there on first use
        (stores sharing ``spool`` fetch a layer both sides have once)."""
        desc = self._desc(digest)
        path = self._spool / f"{digest.algorithm}-{digest.encoded}"
        if not path.exists():
            with BlobWriter(self._spool / "ingest", path, digest, desc.size) as writer:
                self._run(self.target.stream_blob(self.repo, desc, writer, None))
                writer.commit()
        return path.open("rb")

    def has_blob(self, digest: Digest, size: int | None = None) -> bool:
        """True when the repository has the blob (with that size, if given)."""
        desc = self._known.get(digest)
        if desc is None or (size is not None and desc.size != size):
            return False
        return self._run(self.target.exists(self.repo, desc))

    def referrers(self, subject: Digest, artifact_types: Sequence[str] = ()) -> list[Descriptor]:
        """Manifests whose ``subject`` is ``subject`` (each fetched and checked), in the
        layout's order."""
        listed = self._run(self.target.referrers(self.repo, subject, artifact_types))
        found: dict[Digest, Descriptor] = {}
        for hint in listed:
            raw = self._run(self.target.fetch(self.repo, hint))
            doc = self._document(hint, raw)
            if doc.subject is None or doc.subject.digest != subject:
                continue  # A listing that lies about its subject: not a referrer.
            desc = doc.descriptor(
                artifact_type=mt.entry_artifact_type(doc.doc), annotations=dict(doc.annotations)
            )
            self._known[desc.digest] = desc
            found[desc.digest] = desc
        return sorted(found.values(), key=referrer_sort_key)

    def legacy_attachments(self, subject: Digest) -> list[tuple[str, Descriptor]]:
        """cosign's ``sha256-<hex>.sig/.att/.sbom`` tags of ``subject``."""
        found = self._run(self.target.legacy(self.repo, subject))
        for _, desc in found:
            self._known.setdefault(desc.digest, desc)
        return sorted(found, key=lambda pair: pair[0])


__all__ = ["TargetStore"]

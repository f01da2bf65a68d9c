"""What the diff engine needs from a content store, as a :class:`typing.Protocol`.

:class:`ocitui.core.layout.Layout` satisfies it; tests use small in-memory stores. Remote
images are pulled into a layout first, so the engine only ever reads stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, BinaryIO, Protocol

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import DiffError, OcituiError
from ocitui.core.models import Descriptor, Document, load_json

#: Image configs are small JSON documents; refuse absurd ones rather than load them.
MAX_CONFIG_SIZE = 16 * 1024 * 1024


class ContentStore(Protocol):
    """The read side of a layout: documents, blobs, referrers and names."""

    def get_document(self, digest: Digest, media_type: str | None = None) -> Document:
        """The verified, parsed manifest or index with this digest."""
        ...

    def open_blob(self, digest: Digest) -> BinaryIO:
        """A binary stream of the blob (not verified; the caller hashes while reading)."""
        ...

    def read_blob(self, digest: Digest, *, max_size: int | None = None) -> bytes:
        """The whole (small) blob, verified against its digest."""
        ...

    def has_blob(self, digest: Digest, size: int | None = None) -> bool:
        """True when the blob is present (with that size, if given)."""
        ...

    def referrers(self, subject: Digest, artifact_types: Sequence[str] = ()) -> list[Descriptor]:
        """Descriptors of the manifests whose ``subject`` is ``subject``."""
        ...

    def resolve(self, text: str) -> Descriptor:
        """The descriptor a reference, short reference or digest names."""
        ...

    def legacy_attachments(self, subject: Digest) -> list[tuple[str, Descriptor]]:
        """cosign's ``sha256-<hex>.sig/.att/.sbom`` tags of ``subject``: ``(kind, entry)``
        (how most signatures still travel; empty for a store without names)."""
        ...


def load_document(store: ContentStore, desc: Descriptor, side: str) -> Document:
    """Fetch ``desc`` as a manifest or index, naming the side in any error."""
    try:
        return store.get_document(desc.digest, desc.media_type)
    except DiffError:
        raise
    except OcituiError as exc:
        raise DiffError(f"side {side}: cannot read {desc.digest}: {exc}") from None


def load_config(store: ContentStore, desc: Descriptor, side: str) -> dict[str, Any] | None:
    """The parsed image config, or ``None`` when ``desc`` is not an image config."""
    if desc.media_type not in mt.CONFIG_TYPES:
        return None
    try:
        raw = (
            desc.data
            if desc.data is not None
            else store.read_blob(desc.digest, max_size=MAX_CONFIG_SIZE)
        )
        return load_json(raw, f"config {desc.digest}")
    except OcituiError as exc:
        raise DiffError(f"side {side}: cannot read config {desc.digest}: {exc}") from None

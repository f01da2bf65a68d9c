"""The push side of a served layout (``--read-write``): manifests, tags, deletes, mounts.

A manifest PUT is parsed before it is stored (garbage never enters), checked against
the digest in the URL, refused while a blob it needs is missing, written as a blob
through the layout's verified ingest, and then named in ``index.json`` under the lock:
a tag becomes the full reference ``<host>/<path>:<tag>`` (host per
:meth:`NameMap.host_for_push`), a manifest with a ``subject`` becomes a referrer entry.
A manifest pushed by digest only, without a subject, is kept as a blob that an index or a
later tag names (like an untagged manifest in a registry, ``gc`` may remove it).

Deletes are the simple kind: a tag deletes that name; a digest deletes this
repository's names for it and then the blob unless something in ``index.json`` still
reaches it; a blob is deleted only when nothing reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import ManifestError
from ocitui.core.layout.gc import reachable
from ocitui.core.layout.index_file import exclusive_lock
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor, Manifest, parse_document
from ocitui.core.reference import TAG_RE
from ocitui.core.serve.content import LayoutContent, check_name, parse_digest
from ocitui.core.serve.errors import DistributionError

if TYPE_CHECKING:
    from ocitui.core.models import Document


@dataclass(frozen=True)
class PutResult:
    """What a manifest PUT stored: its digest, its subject, the tags it now holds."""

    digest: Digest
    subject: Digest | None
    tags: tuple[str, ...]


class LayoutWriter:
    """Write access to a served layout."""

    def __init__(self, content: LayoutContent, push_registry: str) -> None:
        self.content = content
        self.layout = content.layout
        self.push_registry = push_registry

    def _host(self, repo: str, ns: str | None) -> str:
        check_name(repo)
        if repo == self.content.bare_repo:
            raise DistributionError(
                "DENIED", f"{repo} serves bare tags written by other tools; push elsewhere"
            )
        host = self.content.names().host_for_push(repo, ns, self.push_registry)
        if host is None:
            raise DistributionError(
                "DENIED", f"{repo} is held by several registries; push to a host-qualified name"
            )
        return host

    def put_manifest(
        self,
        repo: str,
        reference: str,
        raw: bytes,
        content_type: str | None,
        *,
        ns: str | None = None,
        tag_params: tuple[str, ...] = (),
    ) -> PutResult:
        """Store a pushed manifest or index and name it."""
        host = self._host(repo, ns)
        if len(raw) > MAX_MANIFEST_SIZE:
            raise DistributionError("SIZE_INVALID", f"manifest over {MAX_MANIFEST_SIZE} bytes")
        wanted: Digest | None = parse_digest(reference) if ":" in reference else None
        tags = tag_params if wanted else (reference, *tag_params)
        for tag in tags:
            if TAG_RE.fullmatch(tag) is None:
                raise DistributionError("MANIFEST_INVALID", f"invalid tag {tag[:140]!r}")
        digest = Digest.of(raw, wanted.algorithm if wanted else "sha256")
        if wanted is not None and wanted != digest:
            raise DistributionError("DIGEST_INVALID", f"manifest is {digest}, not {wanted}")
        declared = mt.strip_parameters(content_type or "")
        try:
            doc = parse_document(raw, declared if declared in mt.MANIFEST_LIKE else None)
        except ManifestError as exc:
            raise DistributionError("MANIFEST_INVALID", str(exc)) from None
        self._check_blobs(doc)
        entry = Descriptor(
            doc.media_type, digest, len(raw), artifact_type=mt.effective_artifact_type(doc.doc)
        )
        self.layout.put_blob(raw, digest)
        names = self.content.names()
        with self.layout.batch():  # One locked rewrite of index.json for all the names.
            if doc.subject is not None:
                self.layout.add_referrer(doc, digest)
            for tag in tags:
                self.layout.set_tag(names.full_name(repo, host, tag), entry)
        subject = doc.subject.digest if doc.subject is not None else None
        return PutResult(digest, subject, tuple(tags))

    def _check_blobs(self, doc: Document) -> None:
        if not isinstance(doc, Manifest):
            return  # Indexes may be sparse (a platform subset); their children are not required.
        for desc in doc.children():
            if desc.media_type in mt.NON_DISTRIBUTABLE_LAYERS or desc.urls:
                continue
            if not self.layout.has_blob(desc.digest, desc.size):
                raise DistributionError(
                    "MANIFEST_BLOB_UNKNOWN", f"blob {desc.digest} is not in the layout"
                )

    def mount(self, digest_text: str) -> Digest | None:
        """The digest when the blob is already in the layout (a mount always succeeds)."""
        digest = parse_digest(digest_text)
        return digest if self.layout.has_blob(digest) else None

    def delete_manifest(self, repo: str, reference: str, ns: str | None = None) -> None:
        """Delete a tag, or a manifest by digest (see the module docstring)."""
        self._host(repo, ns)
        try:
            tags = self.content.tags_of(repo, ns)
        except DistributionError:
            tags = {}
        if ":" not in reference:
            entry = tags.get(reference)
            if entry is None:
                raise DistributionError("MANIFEST_UNKNOWN", f"{repo}:{reference} is not tagged")
            name = entry.ref_name
            self.layout.update_index(lambda es: [e for e in es if e.ref_name != name])
            return
        digest = parse_digest(reference)
        names = {e.ref_name for e in tags.values() if e.digest == digest}
        removed: list[Descriptor] = []

        def drop(entries: list[Descriptor]) -> list[Descriptor]:
            kept: list[Descriptor] = []
            for e in entries:
                mine = e.digest == digest and (e.ref_name in names or not e.ref_name)
                (removed if mine else kept).append(e)
            return kept

        self.layout.update_index(drop)
        if self._unlink_unreached(digest) or removed:
            return
        if self.layout.has_blob(digest):
            raise DistributionError("UNSUPPORTED", f"{digest} is still referenced in the layout")
        raise DistributionError("MANIFEST_UNKNOWN", f"manifest {digest} is not in the layout")

    def delete_blob(self, repo: str, digest_text: str) -> None:
        """Delete a blob that nothing in ``index.json`` reaches."""
        check_name(repo)
        digest = parse_digest(digest_text)
        if not self.layout.has_blob(digest):
            raise DistributionError("BLOB_UNKNOWN", f"blob {digest} is not in the layout")
        if not self._unlink_unreached(digest):
            raise DistributionError("UNSUPPORTED", f"{digest} is still referenced in the layout")

    def _unlink_unreached(self, digest: Digest) -> bool:
        with exclusive_lock(self.layout.root):
            if not self.layout.has_blob(digest) or digest in reachable(self.layout):
                return False
            self.layout.blob_path(digest).unlink()
            return True

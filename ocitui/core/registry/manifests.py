"""Manifest GET/HEAD/PUT: exact bytes, type-confusion checks, digests verified.

Fetched bytes are never re-serialised. The ``Content-Type`` must agree with the JSON
``mediaType``; a fetch by digest (or against an expected descriptor) must hash to it; a
``Docker-Content-Digest`` header is only a cross-check and a mismatch is a hard error.
"""

from __future__ import annotations

import hashlib

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest, verify_bytes
from ocitui.core.errors import DigestMismatch, InvalidDigest, ManifestError, RegistryError
from ocitui.core.models import Descriptor, load_json
from ocitui.core.reference import Reference
from ocitui.core.registry.base import PULL, PUSH, ClientBase, FetchedManifest, PushedManifest
from ocitui.core.registry.connections import release
from ocitui.core.registry.session import DroppedBody
from ocitui.core.text_safety import shown

ACCEPT = ", ".join([mt.OCI_INDEX, mt.OCI_MANIFEST, mt.DOCKER_MANIFEST_LIST, mt.DOCKER_MANIFEST])
#: Content types that say nothing about which manifest this is.
_VAGUE_TYPES = frozenset({"", "application/json", "application/octet-stream", "text/plain"})


def accept_for(expected: Descriptor | None) -> str:
    """The ``Accept`` header: everything we parse, plus the expected type if unusual."""
    if expected is not None and expected.media_type not in mt.MANIFEST_LIKE:
        return f"{expected.media_type}, {ACCEPT}"
    return ACCEPT


def header_digest(value: str | None, where: str) -> Digest | None:
    """Parse a ``Docker-Content-Digest`` header (None when absent)."""
    if not value:
        return None
    try:
        return Digest.parse(value.strip())
    except InvalidDigest:
        raise RegistryError(f"{where}: registry sent an invalid Docker-Content-Digest") from None


def cross_check(raw: bytes, claimed: Digest | None, where: str) -> None:
    """Fail when the registry's digest header disagrees with the bytes (any algorithm)."""
    if claimed is None:
        return
    actual = hashlib.new(claimed.algorithm, raw).hexdigest()
    if actual != claimed.encoded:
        raise DigestMismatch(
            f"{where}: Docker-Content-Digest {claimed} does not match the bytes received"
        )


def served_type(
    content_type: str | None, raw: bytes, expected: Descriptor | None, what: str
) -> str:
    """The manifest's media type, refusing a JSON ``mediaType`` that contradicts the header."""
    header = mt.strip_parameters(content_type or "")
    try:
        declared = load_json(raw, what).get("mediaType")
    except ManifestError:
        declared = None
    if declared is not None and not isinstance(declared, str):
        raise ManifestError(f"{what}: mediaType must be a string")
    if header not in _VAGUE_TYPES:
        if declared and declared != header:
            raise ManifestError(
                f"{what}: served as {shown(header)} but declares mediaType {shown(declared)}"
            )
        chosen = header
    else:
        chosen = declared or (expected.media_type if expected else "") or ""
    if expected is not None and declared and declared != expected.media_type:
        raise ManifestError(
            f"{what}: declares mediaType {shown(declared)}, expected {shown(expected.media_type)}"
        )
    if not mt.is_valid_media_type(chosen):
        raise ManifestError(f"{what}: registry gave no usable media type")
    return chosen


class ManifestOps(ClientBase):
    """Manifest operations of the client."""

    async def get_manifest(
        self, ref: Reference, *, expected: Descriptor | None = None
    ) -> FetchedManifest:
        """Fetch the exact bytes of ``ref`` (tag or digest), verified and capped."""
        where = (
            f"{self.where(ref)}:{ref.identifier}"
            if ref.digest is None
            else (f"{self.where(ref)}@{ref.digest.short}")
        )
        for attempt in range(self.options.retries + 1):
            try:
                return await self._get_manifest_once(ref, expected, where)
            except DroppedBody:
                if attempt >= self.options.retries:
                    raise
                await self._session.retrying(where, "connection dropped", attempt)
        raise AssertionError("unreachable")

    async def _get_manifest_once(
        self, ref: Reference, expected: Descriptor | None, where: str
    ) -> FetchedManifest:
        identifier = str(expected.digest) if expected is not None else ref.identifier
        response = await self.send(
            "GET",
            ref,
            self.repo_url(ref, f"manifests/{identifier}"),
            headers={"Accept": accept_for(expected)},
        )
        if response.status_code != 200:
            raise await self._session.fail(response, where, "manifest fetch")
        cap = self.options.max_manifest_size
        if expected is not None and expected.size > cap:
            await response.aclose()
            raise ManifestError(f"{where}: manifest of {expected.size} bytes is over the limit")
        claimed_header = response.headers.get("docker-content-digest")
        content_type = response.headers.get("content-type")
        raw = await self._session.read(response, cap, where)
        media_type = served_type(content_type, raw, expected, where)
        pinned = expected.digest if expected is not None else ref.digest
        if pinned is not None:
            verify_bytes(raw, pinned, expected.size if expected is not None else None)
        cross_check(raw, header_digest(claimed_header, where), where)
        digest = pinned if pinned is not None else Digest.of(raw)
        return FetchedManifest(raw, media_type, digest)

    async def head_manifest(self, ref: Reference) -> Descriptor | None:
        """``HEAD`` a manifest: its descriptor, or None when the registry does not have it.

        Falls back to a GET when the registry omits the digest or size headers.
        """
        where = self.where(ref)
        response = await self.send(
            "HEAD",
            ref,
            self.repo_url(ref, f"manifests/{ref.identifier}"),
            headers={"Accept": ACCEPT},
        )
        await release(response)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise await self._session.fail(response, where, "manifest check")
        digest = header_digest(response.headers.get("docker-content-digest"), where)
        length = response.headers.get("content-length", "")
        content_type = mt.strip_parameters(response.headers.get("content-type", ""))
        if ref.digest is not None and digest is not None and digest != ref.digest:
            if digest.algorithm == ref.digest.algorithm:
                raise DigestMismatch(f"{where}: registry reports {digest} for {ref.digest}")
            digest = ref.digest
        digest = digest or ref.digest
        if digest is None or not length.isdigit() or content_type in _VAGUE_TYPES:
            fetched = await self.get_manifest(ref)
            return fetched.descriptor()
        return Descriptor(content_type, digest, int(length))

    async def put_manifest(self, ref: Reference, raw: bytes, media_type: str) -> PushedManifest:
        """Push the exact bytes under ``ref``'s tag (or by digest); keep referrers in step."""
        where = self.where(ref)
        if len(raw) > self.options.max_manifest_size:
            raise ManifestError(f"{where}: manifest of {len(raw)} bytes is over the limit")
        doc = load_json(raw, "manifest")
        declared = doc.get("mediaType")
        if declared is not None and declared != media_type:
            raise ManifestError(
                f"{where}: manifest declares mediaType {shown(declared)}, pushing as {shown(media_type)}"
            )
        if ref.digest is not None:
            verify_bytes(raw, ref.digest)
        digest = ref.digest or Digest.of(raw)
        identifier = ref.tag if ref.digest is None and ref.tag else str(digest)
        response = await self.send(
            "PUT",
            ref,
            self.repo_url(ref, f"manifests/{identifier}"),
            actions=PUSH,
            headers={"Content-Type": media_type},
            body=raw,
        )
        if response.status_code not in (200, 201, 202):
            raise await self._session.fail(response, where, f"manifest push of {digest.short}")
        await release(response)
        claimed = header_digest(response.headers.get("docker-content-digest"), where)
        cross_check(raw, claimed, where)
        pushed = PushedManifest(digest, len(raw), media_type)
        subject = doc.get("subject")
        if isinstance(subject, dict):
            via = await self.after_subject_push(
                ref, pushed, doc, response.headers.get("oci-subject")
            )
            pushed = PushedManifest(digest, len(raw), media_type, via)
        return pushed

    async def after_subject_push(
        self,
        ref: Reference,
        pushed: PushedManifest,
        doc: dict[str, object],
        oci_subject: str | None,
    ) -> str | None:
        """Hook for the referrers part: maintain the fallback tag when needed."""
        return "api" if oci_subject else None


__all__ = ["ACCEPT", "PULL", "ManifestOps"]

"""The pull side of a served layout: manifests, blobs, tags, catalog and referrers.

Everything is answered from ``index.json`` and ``blobs/`` through :class:`Layout`; the
name rules live in :mod:`ocitui.core.serve.names`. Content is addressed globally: a
manifest or blob present in the layout is served by digest under any repository name,
as the layout has no per-repository blob links.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import InvalidDigest, ManifestError, OcituiError
from ocitui.core.layout import Layout
from ocitui.core.layout.referrers import PR1171_SUBJECT, SUBJECT_HINT
from ocitui.core.models import MAX_MANIFEST_SIZE, REF_NAME, Descriptor, load_json
from ocitui.core.serve.errors import DistributionError
from ocitui.core.serve.names import DEFAULT_BARE_REPO, NAME_RE, NameMap

#: Largest page a tags or catalog listing returns when the client asks for more.
MAX_PAGE = 10_000
_HIDDEN_ANNOTATIONS = (REF_NAME, SUBJECT_HINT, PR1171_SUBJECT)


@dataclass(frozen=True)
class ManifestHit:
    """A manifest or index to send: exact bytes, media type, digest."""

    raw: bytes
    media_type: str
    digest: Digest


@dataclass(frozen=True)
class Page:
    """One page of a sorted listing; ``next_last`` is set when more follow."""

    items: list[str]
    next_last: str | None


def check_name(repo: str) -> None:
    """Refuse a repository name outside the spec's grammar."""
    if len(repo) > 255 or NAME_RE.fullmatch(repo) is None:
        raise DistributionError("NAME_INVALID", f"invalid repository name {repo[:80]!r}")


def parse_digest(text: str) -> Digest:
    """A digest from a URL, or DIGEST_INVALID."""
    try:
        return Digest.parse(text)
    except InvalidDigest as exc:
        raise DistributionError("DIGEST_INVALID", str(exc)) from None


def paginate(names: Sequence[str], n: str | None, last: str | None) -> Page:
    """Names after ``last`` (lexically), at most ``n`` of them."""
    ordered = sorted(names)
    if last:
        ordered = [name for name in ordered if name > last]
    limit = MAX_PAGE
    if n is not None:
        try:
            limit = int(n)
        except ValueError:
            raise DistributionError(
                "UNSUPPORTED", f"n={n[:20]!r} is not a number", status=400
            ) from None
        if limit < 0:
            raise DistributionError("UNSUPPORTED", "n must not be negative", status=400)
        limit = min(limit, MAX_PAGE)
    page = ordered[:limit]
    more = len(ordered) > limit > 0
    return Page(page, page[-1] if more else None)


class LayoutContent:
    """Read access to a layout in registry terms (names per :class:`NameMap`)."""

    def __init__(
        self,
        layout: Layout,
        *,
        bare_repo: str = DEFAULT_BARE_REPO,
        prefer: Sequence[str] = (),
    ) -> None:
        self.layout = layout
        self.bare_repo = bare_repo
        self.prefer = tuple(prefer)
        self._names_key: tuple[int, int, int] | None = None
        self._names = NameMap(bare_repo=bare_repo)

    def names(self) -> NameMap:
        """The name map for the current ``index.json`` (rebuilt when the file changes)."""
        info = os.stat(self.layout.root / "index.json")
        key = (info.st_ino, info.st_size, info.st_mtime_ns)
        if key != self._names_key:
            entries = self.layout.entries()
            self._names = NameMap.build(entries, bare_repo=self.bare_repo, prefer=self.prefer)
            self._names_key = key
        return self._names

    def tags_of(self, repo: str, ns: str | None) -> dict[str, Descriptor]:
        """The tags of ``repo``; NAME_UNKNOWN (with the rule) when it is not served."""
        check_name(repo)
        names = self.names()
        tags = names.tags(repo, ns)
        if tags is not None:
            return tags
        if repo in names.ambiguous:
            choices = ", ".join(names.ambiguous[repo])
            raise DistributionError(
                "NAME_UNKNOWN",
                f"{repo} is held by several registries; ask for one of {choices}",
            )
        raise DistributionError("NAME_UNKNOWN", f"repository {repo} is not in the layout")

    # -- manifests -------------------------------------------------------------------

    def manifest(self, repo: str, reference: str, ns: str | None = None) -> ManifestHit:
        """The manifest ``repo`` holds under tag or digest ``reference``."""
        check_name(repo)
        if ":" in reference:
            digest = parse_digest(reference)
            return self._manifest_by_digest(digest, None)
        tags = self.names().tags(repo, ns) or {}
        entry = tags.get(reference)
        if entry is None:
            raise DistributionError("MANIFEST_UNKNOWN", f"{repo}:{reference} is not in the layout")
        return self._manifest_by_digest(entry.digest, entry.media_type)

    def _manifest_by_digest(self, digest: Digest, media_type: str | None) -> ManifestHit:
        if not self.layout.has_blob(digest):
            raise DistributionError("MANIFEST_UNKNOWN", f"manifest {digest} is not in the layout")
        try:
            raw = self.layout.read_blob(digest, max_size=MAX_MANIFEST_SIZE)
            doc = load_json(raw, f"blob {digest}")
        except ManifestError:
            raise DistributionError("MANIFEST_UNKNOWN", f"{digest} is not a manifest") from None
        declared = doc.get("mediaType")
        if isinstance(declared, str) and declared:
            kind = declared
        elif media_type:
            kind = media_type
        elif "manifests" in doc:
            kind = mt.OCI_INDEX
        elif "config" in doc:
            kind = mt.OCI_MANIFEST
        else:
            raise DistributionError("MANIFEST_UNKNOWN", f"{digest} is not a manifest")
        return ManifestHit(raw, kind, digest)

    # -- blobs -------------------------------------------------------------------------

    def blob_path(self, repo: str, digest_text: str) -> tuple[Digest, Path, int]:
        """``(digest, path, size)`` of a blob; BLOB_UNKNOWN when absent (symlinks refused)."""
        check_name(repo)
        digest = parse_digest(digest_text)
        path = self.layout.blob_path(digest)
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            raise DistributionError("BLOB_UNKNOWN", f"blob {digest} is not in the layout") from None
        if not path.is_file() or path.is_symlink():
            raise DistributionError("BLOB_UNKNOWN", f"blob {digest} is not a regular file")
        # The file server would send a pre-compressed sibling (<hex>.gz) to clients that
        # accept gzip; a layout never has one, so its presence means tampering.
        if any(path.with_name(path.name + ext).exists() for ext in (".gz", ".br")):
            raise DistributionError("BLOB_UNKNOWN", f"blob {digest} has a stray sibling file")
        return digest, path, info.st_size

    # -- listings ----------------------------------------------------------------------

    def tag_page(self, repo: str, n: str | None, last: str | None, ns: str | None) -> Page:
        """A page of ``repo``'s tags."""
        return paginate(list(self.tags_of(repo, ns)), n, last)

    def catalog_page(self, n: str | None, last: str | None) -> Page:
        """A page of the served repository names."""
        return paginate(self.names().catalog(), n, last)

    # -- referrers ---------------------------------------------------------------------

    def referrers(self, repo: str, digest_text: str, artifact_type: str | None) -> bytes:
        """The referrers index of a subject (an empty index when it has none)."""
        check_name(repo)
        subject = parse_digest(digest_text)
        wanted = [artifact_type] if artifact_type else []
        try:
            found = self.layout.referrers(subject, wanted)
        except OcituiError as exc:
            raise DistributionError("MANIFEST_UNKNOWN", str(exc)) from None
        manifests = [referrer_descriptor(d) for d in found]
        index = {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": manifests}
        return json.dumps(index).encode()


def referrer_descriptor(entry: Descriptor) -> dict[str, object]:
    """A referrers-API descriptor from a layout entry (ocitui's own hints removed)."""
    annotations = {k: v for k, v in entry.annotations.items() if k not in _HIDDEN_ANNOTATIONS}
    plain = Descriptor(
        entry.media_type,
        entry.digest,
        entry.size,
        annotations=annotations,
        artifact_type=entry.artifact_type,
    )
    return plain.to_json()

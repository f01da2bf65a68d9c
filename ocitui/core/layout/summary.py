"""Summaries of layout entries shared by ``ls``, ``inspect`` and the TUI.

Everything here is derived from ``index.json`` plus small manifest/config reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ocitui.core import media_types as mt
from ocitui.core.bulk import build_frozen, no_gc
from ocitui.core.digest import Digest
from ocitui.core.errors import OcituiError
from ocitui.core.layout.metadata import ManifestMeta
from ocitui.core.layout.referrers import (
    ReferrerView,
    cosign_save_kind,
    hinted_subject,
    is_cosign_save_subject,
)
from ocitui.core.layout.store import Layout
from ocitui.core.models import REF_NAME, Descriptor, Index


@dataclass(frozen=True)
class EntrySummary:
    """One row of ``ls``."""

    ref: str | None
    digest: Digest
    media_type: str
    artifact_type: str | None
    platforms: tuple[str, ...]
    size: int
    referrers: int
    subject: Digest | None = None
    legacy: tuple[str, ...] = field(default=())
    bundle: bool = False
    #: What ``cosign save`` called an untagged entry (``image``, ``sigs``, ...), if it did.
    cosign_kind: str | None = None

    @property
    def type_label(self) -> str:
        """What the entry is, in words (see :func:`type_label`)."""
        return type_label(
            self.media_type, self.artifact_type, ref_name=self.ref, bundle=self.bundle
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON row (field names are part of the CLI contract)."""
        out: dict[str, Any] = {
            "ref": self.ref,
            "digest": str(self.digest),
            "mediaType": self.media_type,
            "artifactType": self.artifact_type,
            "platforms": list(self.platforms),
            "size": self.size,
            "referrers": self.referrers,
        }
        if self.legacy:
            out["legacy"] = list(self.legacy)
        if self.bundle:
            out["bundle"] = True
        if self.subject is not None:
            out["subject"] = str(self.subject)
        if self.cosign_kind is not None:
            out["cosignSaveKind"] = self.cosign_kind
        return out


#: A tag tools write for themselves: ``sha256-<hex>`` (referrers fallback), plus a suffix
#: for cosign (``.sig/.att/.sbom``) and imgpkg (``.image-locations.imgpkg``).
_DIGEST_TAG = re.compile(r"(sha256|sha512)-([a-f0-9]+)(?:\.(.+))?", re.ASCII)
#: What each legacy cosign tag is, in words (the tree and tables name it this way).
LEGACY_LABELS = {
    "sig": "cosign signature (legacy .sig tag)",
    "att": "cosign attestation (legacy .att tag)",
    "sbom": "cosign SBOM (legacy .sbom tag)",
}
_MACHINE_LABELS = {
    **LEGACY_LABELS,
    "referrers": "referrers fallback index",
    "image-locations.imgpkg": "imgpkg image locations",
}


def _tag_part(name: str) -> str:
    """The tag of a full reference (``reg/repo:tag`` -> ``tag``), or ``name`` itself."""
    return name.rsplit(":", 1)[-1] if "/" in name or name.count(":") else name


@dataclass(frozen=True)
class MachineKind:
    """What a machine tag is: ``kind`` and, when the tag names one, the subject digest.

    Kinds: ``referrers`` (fallback index), ``sig``/``att``/``sbom`` (cosign legacy),
    ``image-locations.imgpkg``, ``imgpkg`` (any other ``*.imgpkg``), another suffix as
    written, or ``digest-like`` for a ``sha256-...`` tag that names no valid digest.
    """

    kind: str
    subject: Digest | None


def machine_tag_kind(name: str | None) -> MachineKind | None:
    """Classify a tag or full reference; ``None`` for a tag people chose.

    The one classifier behind ``ls`` hiding machine tags and the TUI hanging them under
    the image they belong to.
    """
    if not name:
        return None
    if "sha256-" not in name and "sha512-" not in name and not name.endswith(".imgpkg"):
        return None  # What every tag people chose looks like: decided without parsing.
    tag = _tag_part(name)
    match = _DIGEST_TAG.fullmatch(tag)
    if match is not None:
        algorithm, encoded, suffix = match.groups()
        text = f"{algorithm}:{encoded}"
        subject = Digest.parse(text) if Digest.is_valid(text) else None
        if subject is not None:
            return MachineKind(suffix or "referrers", subject)
    if tag.endswith(".imgpkg"):
        return MachineKind("imgpkg", None)
    if tag.startswith(("sha256-", "sha512-")) and len(tag) >= 71:
        return MachineKind("digest-like", None)
    return None


def is_machine_tag(name: str | None) -> bool:
    """True for tags that tools write for themselves (fallback, cosign, imgpkg)."""
    return machine_tag_kind(name) is not None


def type_label(
    media_type: str,
    artifact_type: str | None,
    *,
    ref_name: str | None = None,
    bundle: bool = False,
) -> str:
    """What an entry is, in a few words: ``imgpkg bundle``, ``cosign signature (legacy
    .sig tag)``, ``SPDX SBOM``, ``image``, ``index`` ... (the one rule for both faces)."""
    if bundle:
        return "imgpkg bundle"
    machine = machine_tag_kind(ref_name)
    if machine is not None and machine.kind in _MACHINE_LABELS:
        return _MACHINE_LABELS[machine.kind]
    if artifact_type:
        return mt.friendly_artifact_type(artifact_type)
    if mt.is_index(media_type):
        return "index"
    return "image" if mt.is_manifest(media_type) else "-"


def platform_text(config: dict[str, Any]) -> str:
    """``os/arch[/variant]`` of an image config (empty when it names none)."""
    parts = (config.get("os"), config.get("architecture"), config.get("variant"))
    return "/".join(str(p) for p in parts if p)


def content_size(layout: Layout, desc: Descriptor) -> int:
    """Bytes of the entry and everything it references that is present (unique blobs)."""
    return _Summariser(layout, None).content_size(desc)


def platforms_of(layout: Layout, desc: Descriptor) -> tuple[str, ...]:
    """The platforms of an index entry, or the config platform of a manifest entry."""
    return _Summariser(layout, None).platforms(desc)


class _Summariser:
    """``ls`` rows from the metadata index (:mod:`ocitui.core.layout.metadata`).

    Every answer equals the one read from the blobs: records are used only while the
    blobs they were read from are present; presence comes from ``present`` (one scan of
    ``blobs/``, for whole listings) or from ``lstat``.
    """

    def __init__(self, layout: Layout, present: dict[str, set[str]] | None) -> None:
        self.layout = layout
        self.view = layout.metadata_view()
        self.present = present
        self.referrers = layout.referrer_view()  # One index.json state for the listing.

    def has(self, digest: Digest) -> bool:
        if self.present is None:
            return self.layout.has_blob(digest)
        return digest.encoded in self.present.get(digest.algorithm, ())

    def has_text(self, digest: str) -> bool:
        """``has`` for a digest as text (records keep them so)."""
        if self.present is None:
            return Digest.is_valid(digest) and self.layout.has_blob(Digest.parse(digest))
        algorithm, _, encoded = digest.partition(":")
        return encoded in self.present.get(algorithm, ())

    def meta(self, digest: Digest, media_type: str) -> ManifestMeta | None:
        """The facts of a manifest-like blob read as ``media_type`` (``None``: unreadable)."""
        return self._meta_of_present(digest, media_type) if self.has(digest) else None

    def _meta_of_present(self, digest: Digest, media_type: str) -> ManifestMeta | None:
        """:meth:`meta` of a blob known to be present."""
        meta = self.view.get(digest, media_type)
        if meta is None or not meta.config_read:  # (Never true of an index.)
            return meta
        # The platform and bundle label came from the config: only while it is here.
        config = meta.children[0][0]
        return meta if self.has_text(config) else self.view.live(digest, media_type)

    def prefetch(self, entries: Sequence[Descriptor]) -> None:
        """Load the records of ``entries`` and of their indexes' manifests (two queries)."""
        self.view.prefetch(e.digest for e in entries if e.is_manifest_like)
        children: list[Digest] = []
        for entry in entries:
            if mt.is_index(entry.media_type):
                meta = self.view.stored(entry.digest)
                if meta is not None:
                    children.extend(
                        Digest.parse(d)
                        for d, _, m in meta.children
                        if m in mt.MANIFEST_LIKE and Digest.is_valid(d)
                    )
        self.view.prefetch(children)

    def platforms(self, desc: Descriptor) -> tuple[str, ...]:
        meta = self.meta(desc.digest, desc.media_type)
        return meta.platforms if meta is not None else ()

    def content_size(self, desc: Descriptor, meta: ManifestMeta | None = None) -> int:
        """Bytes of ``desc`` and everything below it that is present, each blob once.

        ``meta``: the facts of ``desc`` itself, when the caller already has them.
        """
        if not self.has(desc.digest):
            return 0
        if meta is None and desc.media_type in mt.MANIFEST_LIKE:
            meta = self._meta_of_present(desc.digest, desc.media_type)
        return self._size_of_present(desc, meta)

    def _size_of_present(self, desc: Descriptor, meta: ManifestMeta | None) -> int:
        """:meth:`content_size` of a present blob whose facts are ``meta`` (``None``: it
        has none, or they are unreadable)."""
        if meta is None:
            return desc.size
        seen = {str(desc.digest)}
        total = desc.size
        stack = list(meta.children)
        has_text = self.has_text
        while stack:
            digest, size, media_type = stack.pop()
            if digest in seen or not has_text(digest):
                continue
            seen.add(digest)
            total += size
            if media_type in mt.MANIFEST_LIKE:
                child = self.meta(Digest.parse(digest), media_type)
                if child is not None:
                    stack.extend(child.children)
        return total

    def is_bundle(self, desc: Descriptor, meta: ManifestMeta | None = None) -> bool:
        """The imgpkg marking rule of :func:`ocitui.core.bundles.is_bundle`."""
        if not desc.is_manifest_like:
            return False
        if desc.artifact_type == mt.IMGPKG_BUNDLE_ARTIFACT:
            return True
        if not mt.is_manifest(desc.media_type):
            return False
        if meta is None:
            meta = self.meta(desc.digest, desc.media_type)
        if meta is None or meta.is_index:
            return False
        return meta.artifact_type == mt.IMGPKG_BUNDLE_ARTIFACT or meta.bundle_label

    def summarise(self, desc: Descriptor) -> EntrySummary:
        # The entry's own facts are looked up once and shared by size, platforms and
        # the bundle rule (each would otherwise ask again).
        digest, media_type = desc.digest, desc.media_type
        present = self.has(digest)  # Asked once for the facts and the size.
        meta = (
            self._meta_of_present(digest, media_type)
            if present and media_type in mt.MANIFEST_LIKE
            else None
        )
        ref = desc.annotations.get(REF_NAME)
        return build_frozen(
            EntrySummary,
            {
                "ref": ref,
                "digest": digest,
                "media_type": media_type,
                "artifact_type": desc.artifact_type or _entry_artifact_type(meta),
                "platforms": meta.platforms if meta is not None else (),
                "size": self._size_of_present(desc, meta) if present else 0,
                "referrers": self.referrers.count(digest),
                "subject": hinted_subject(desc) or (meta.subject_digest if meta else None),
                "legacy": self.referrers.legacy_kinds(digest),
                "bundle": self.is_bundle(desc, meta),
                "cosign_kind": None if ref else cosign_save_kind(desc),
            },
        )


def _entry_artifact_type(meta: ManifestMeta | None) -> str | None:
    """:func:`ocitui.core.media_types.entry_artifact_type` from a manifest's stored facts:
    for entries that carry no ``artifactType`` of their own (oras records referrers so)."""
    if meta is None:
        return None
    return mt.entry_type_rule(
        meta.subject is not None, meta.artifact_type, meta.effective_artifact_type
    )


#: Listings of more entries than this scan ``blobs/`` once instead of one lstat per blob.
_SCAN_ABOVE = 64


def summaries(layout: Layout, entries: Sequence[Descriptor]) -> list[EntrySummary]:
    """The ``ls`` rows of ``entries``, in order: the fast path for many entries.

    Facts come from the layout's metadata index (computed from the blobs and stored
    when missing), so a listing of N entries reads no blob it has seen before.
    """
    with no_gc():
        present = layout.present_blobs() if len(entries) > _SCAN_ABOVE else None
        worker = _Summariser(layout, present)
        worker.prefetch(entries)
        rows = [worker.summarise(entry) for entry in entries]
    worker.view.flush()
    return rows


def summarise(layout: Layout, desc: Descriptor) -> EntrySummary:
    """The ``ls`` row for one index entry."""
    return summaries(layout, [desc])[0]


def list_entries(layout: Layout, *, include_all: bool = False) -> list[EntrySummary]:
    """``ls``: tagged refs (machine tags hidden) and images without a name (the image of a
    ``cosign save`` layout, what ``crane pull --format=oci`` writes), or, with
    ``include_all``, every entry."""
    with no_gc():
        entries = layout.entries()
        if include_all:
            chosen = entries
        else:
            view = layout.referrer_view()
            unnamed = [e for e in entries if _unnamed_image(e, view)]
            if unnamed:  # oras also records an index's platform manifests: not images.
                children = children_of_indexes(layout, entries)
                unnamed = [e for e in unnamed if e.digest not in children]
            shown = {id(e) for e in unnamed}
            chosen = [
                entry
                for entry in entries
                if (entry.ref_name and not is_machine_tag(entry.ref_name)) or id(entry) in shown
            ]
        rows = summaries(layout, chosen)
        return sorted(rows, key=lambda r: (r.ref is None, r.ref or "", str(r.digest)))


def children_of_indexes(layout: Layout, entries: Sequence[Descriptor]) -> set[Digest]:
    """Digests the layout's index entries list (oras records an index's platform
    manifests as entries of their own: read only when unnamed entries exist)."""
    out: set[Digest] = set()
    for entry in entries:
        if not mt.is_index(entry.media_type):
            continue
        try:
            doc = layout.get_document(entry.digest, entry.media_type)
        except OcituiError:
            continue  # fsck reports unreadable entries; the listing stays usable.
        if isinstance(doc, Index):
            out.update(child.digest for child in doc.manifests)
    return out


def _unnamed_image(entry: Descriptor, view: ReferrerView) -> bool:
    """An entry with no name that is an image or index in its own right: not a referrer,
    not one of ``cosign save``'s attachments (crane and others record images this way;
    ``ls`` must not call such a layout empty)."""
    if entry.ref_name or not entry.is_manifest_like:
        return False
    kind = cosign_save_kind(entry)
    # A known referrer is no image either way (every entry with a valid hint is one):
    # decided by one set lookup instead of parsing the hint.
    if kind is None and view.is_referrer(entry.digest):
        return False
    if hinted_subject(entry) is not None:
        return False
    if kind is not None:
        return is_cosign_save_subject(entry)
    return True

"""Summaries of layout entries shared by ``ls``, ``inspect`` and the TUI.

Everything here is derived from ``index.json`` plus small manifest/config reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import OcituiError
from ocitui.core.layout.marks import is_bundle
from ocitui.core.layout.referrers import cosign_save_kind, hinted_subject, is_cosign_save_subject
from ocitui.core.layout.store import Layout
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor, Index, Manifest, load_json


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


def config_platform(layout: Layout, manifest: Manifest) -> str | None:
    """``os/arch[/variant]`` from an image config, when present and readable."""
    if manifest.config.media_type not in mt.CONFIG_TYPES:
        return None
    try:
        config = load_json(layout.read_blob(manifest.config.digest, max_size=MAX_MANIFEST_SIZE))
    except OcituiError:
        return None
    os_, arch = config.get("os"), config.get("architecture")
    if not isinstance(os_, str) or not isinstance(arch, str) or not os_ or not arch:
        return None
    variant = config.get("variant")
    return platform_text(
        {"os": os_, "architecture": arch, "variant": variant if isinstance(variant, str) else None}
    )


def content_size(layout: Layout, desc: Descriptor) -> int:
    """Bytes of the entry and everything it references that is present (unique blobs)."""
    seen: set[Digest] = set()
    total = 0
    stack = [desc]
    while stack:
        current = stack.pop()
        if current.digest in seen or not layout.has_blob(current.digest):
            continue
        seen.add(current.digest)
        total += current.size
        if current.is_manifest_like:
            try:
                doc = layout.get_document(current.digest, current.media_type)
            except OcituiError:
                continue
            stack.extend(doc.manifests if isinstance(doc, Index) else doc.children())
    return total


def platforms_of(layout: Layout, desc: Descriptor) -> tuple[str, ...]:
    """The platforms of an index entry, or the config platform of a manifest entry."""
    try:
        doc = layout.get_document(desc.digest, desc.media_type)
    except OcituiError:
        return ()
    if isinstance(doc, Index):
        return tuple(str(p) for p in doc.platforms)
    platform = config_platform(layout, doc)
    return (platform,) if platform else ()


def summarise(layout: Layout, desc: Descriptor) -> EntrySummary:
    """The ``ls`` row for one index entry."""
    legacy = tuple(kind for kind, _ in layout.legacy_attachments(desc.digest))
    return EntrySummary(
        ref=desc.ref_name,
        digest=desc.digest,
        media_type=desc.media_type,
        artifact_type=desc.artifact_type,
        platforms=platforms_of(layout, desc) if desc.is_manifest_like else (),
        size=content_size(layout, desc),
        referrers=layout.referrer_count(desc.digest),
        subject=hinted_subject(desc),
        legacy=legacy,
        bundle=desc.is_manifest_like and is_bundle(layout, desc),
        cosign_kind=None if desc.ref_name else cosign_save_kind(desc),
    )


def list_entries(layout: Layout, *, include_all: bool = False) -> list[EntrySummary]:
    """``ls``: tagged refs (machine tags hidden) and the image of a ``cosign save`` layout
    (which has no name), or, with ``include_all``, every entry."""
    rows = []
    for entry in layout.entries():
        shown = entry.ref_name and not is_machine_tag(entry.ref_name)
        if not include_all and not shown and not is_cosign_save_subject(entry):
            continue
        rows.append(summarise(layout, entry))
    return sorted(rows, key=lambda r: (r.ref is None, r.ref or "", str(r.digest)))

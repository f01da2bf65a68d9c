"""Rows derived from an ``inspect`` document, for screens (pure data, no layout reads).

An ``inspect`` document comes from :func:`ocitui.core.inspection.describe` (the
layout) or :func:`ocitui.core.sync.inspect_remote.remote_describe` (a registry); the CLI
prints it as JSON. Deriving the TUI's rows from the same document keeps one reading of a
manifest, its config (:func:`~ocitui.core.inspection.config_summary`), its bundle
and its referrers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.inspection import InspectDoc
from ocitui.core.layout.referrers import ReferrerNode, cosign_save_kind
from ocitui.core.models import CREATED, Descriptor
from ocitui.core.views_text import UNTAGGED, argv_text, human_size, plural, unnamed_label


@dataclass(frozen=True)
class LayerRow:
    """One layer (or an index's child manifest) for the Layers tab."""

    index: int
    digest: Digest
    size: int
    media_type: str


@dataclass(frozen=True)
class ReferrerRow:
    """One line of the subject -> referrer tree (depth-first, ``depth`` 0 = direct)."""

    depth: int
    descriptor: Descriptor
    subject: Digest
    artifact_type: str
    created: str
    #: True: the manifest's ``subject.digest`` is the subject; False: it is not;
    #: None: the manifest could not be read.
    verified: bool | None
    source: str

    @classmethod
    def of(
        cls, depth: int, desc: Descriptor, subject: Digest, verified: bool | None, source: str
    ) -> ReferrerRow:
        """A row for ``desc`` (artifact type and creation time read from it)."""
        created = desc.annotations.get(CREATED, "-")
        return cls(depth, desc, subject, desc.artifact_type or "-", created, verified, source)


def layer_rows(info: InspectDoc) -> list[LayerRow]:
    """Layers of a manifest (or child manifests of an index) of an ``inspect`` document."""
    return [
        LayerRow(i, part.descriptor.digest, part.descriptor.size, part.descriptor.media_type)
        for i, part in enumerate(info.parts)
    ]


def descriptor_rows(desc: Descriptor) -> list[tuple[str, str]]:
    """Label/value rows for a bare descriptor (a blob, or a manifest that cannot be read)."""
    rows = _head_rows(desc.ref_name, str(desc.digest), desc.media_type, desc.size)
    if desc.artifact_type:
        rows.append(("artifact type", desc.artifact_type))
    created = desc.annotations.get(CREATED)
    if created:
        rows.append(("created", created))
    return rows


def shown_name(info: InspectDoc) -> str:
    """The name ``inspect`` (text) and the TUI's detail give the document: its reference as
    text output shows it, else what it is without one (:func:`unnamed_label`)."""
    named = info.shown_ref or info.ref
    if named:
        return named
    subject = Digest.parse(info.subject).short if info.subject else None
    return unnamed_label(subject=subject, cosign_kind=cosign_save_kind(info.descriptor))


def _head_rows(ref: str | None, digest: str, media_type: str, size: int) -> list[tuple[str, str]]:
    return [
        ("ref", ref or UNTAGGED),
        ("digest", digest),
        ("media type", media_type),
        ("size", f"{human_size(size)} ({size} bytes)"),
    ]


def inspect_rows(
    info: InspectDoc, *, platform: str | None = None, total: int | None = None
) -> list[tuple[str, str]]:
    """Label/value rows from an ``inspect`` document (local or remote): what it is, its
    config's gist, its bundle, its referrers.

    ``total`` is the size ``ls`` shows (the entry and everything it references that is
    present); the document's own size follows it, so the two faces never disagree.
    """
    doc = info.document
    rows = _head_rows(shown_name(info), str(info.descriptor.digest), doc.media_type, len(doc.raw))
    if total is not None and total != len(doc.raw):
        kind = "index" if info.is_index else "manifest"
        rows[3] = ("size", f"{human_size(total)} ({kind} {human_size(len(doc.raw))})")
    config_type = info.config.descriptor.media_type if info.config is not None else None
    # A plain image's "artifact type" is its config type: not worth a row.
    if info.artifact_type and info.artifact_type not in (config_type, *mt.CONFIG_TYPES):
        rows.append(("artifact type", info.artifact_type))
    if platform:
        rows.append(("platform", platform))
    created = doc.annotations.get(CREATED)
    if created:
        rows.append(("created", created))
    sizes = [part.descriptor.size for part in info.parts]
    if info.is_index:
        rows.append(("manifests", str(len(info.parts))))
        platforms = [str(p.descriptor.platform) for p in info.parts if p.descriptor.platform]
        rows.append(("platforms", ", ".join(platforms) or "-"))
    else:
        rows.append(("layers", f"{len(sizes)} ({human_size(sum(sizes))})"))
    config = info.config
    if config is not None:
        desc = config.descriptor
        rows.append(("config", f"{desc.media_type} {human_size(desc.size)}"))
        rows.extend(config_rows(config.summary or {}, skip_platform=bool(platform)))
        if config.error:
            rows.append(("config error", config.error))
    if info.subject:
        rows.append(("subject", info.subject))
    rows.extend(bundle_rows(info))
    rows.append(("referrers", str(len(info.referrers))))
    if info.legacy:
        rows.append(("legacy tags", ", ".join(f".{item.kind}" for item in info.legacy)))
    return rows


def config_rows(
    summary: Mapping[str, Any], *, skip_platform: bool = False
) -> list[tuple[str, str]]:
    """Rows from :func:`ocitui.core.inspection.config_summary` (the one extractor)."""
    rows: list[tuple[str, str]] = []
    if summary.get("platform") and not skip_platform:
        rows.append(("platform", str(summary["platform"])))
    # Reproducible builds (and imgpkg bundles) write the zero time: not a date to show.
    if summary.get("created") and not str(summary["created"]).startswith("0001-01-01"):
        rows.append(("built", str(summary["created"])))
    for key, label in (
        ("entrypoint", "entrypoint"),
        ("cmd", "cmd"),
        ("user", "user"),
        ("workingDir", "workdir"),
    ):
        value = summary.get(key)
        if value:
            rows.append((label, argv_text(value)))
    if summary.get("env"):
        rows.append(("env", f"{len(summary['env'])} variables"))
    if summary.get("exposedPorts"):
        rows.append(("ports", ", ".join(summary["exposedPorts"])))
    if summary.get("labels"):
        rows.append(("labels", ", ".join(sorted(summary["labels"]))))
    if summary.get("history"):
        rows.append(("history", plural(int(summary["history"]), "step")))
    return rows


def bundle_rows(info: InspectDoc) -> list[tuple[str, str]]:
    """Rows for an imgpkg bundle's part of an ``inspect`` document (none when absent)."""
    if info.bundle_error:
        return [("imgpkg bundle", f"unreadable: {info.bundle_error}")]
    bundle = info.bundle
    if bundle is None:
        return []
    present = sum(1 for image in bundle.images if image.present)
    name = (bundle.metadata.name if bundle.metadata is not None else None) or "(unnamed)"
    markings = ", ".join(sorted(bundle.markings)) or "-"
    return [
        ("imgpkg bundle", f"{name} ({markings})"),
        ("locked images", f"{len(bundle.images)} ({present} present)"),
    ]


def referrer_rows(
    nodes: Sequence[ReferrerNode], subject: Digest, source: str = "registry"
) -> list[ReferrerRow]:
    """Flatten an ``inspect`` referrer tree, depth first.

    Only for trees whose subjects were verified when they were read (the registry's, from
    :func:`~ocitui.core.sync.remote.remote_referrers`), so each row is marked verified.
    """
    out: list[ReferrerRow] = []

    def walk(items: Sequence[ReferrerNode], parent: Digest, depth: int) -> None:
        for node in items:
            out.append(ReferrerRow.of(depth, node.descriptor, parent, True, source))
            walk(node.children, node.descriptor.digest, depth + 1)

    walk(nodes, subject, 0)
    return out


__all__ = [
    "LayerRow",
    "ReferrerRow",
    "bundle_rows",
    "config_rows",
    "descriptor_rows",
    "inspect_rows",
    "layer_rows",
    "referrer_rows",
]

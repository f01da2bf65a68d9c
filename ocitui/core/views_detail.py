"""Detail models for one manifest or index: summary rows, config, layers, referrers.

The summary rows are derived from the ``inspect`` document
(:func:`ocitui.core.inspection.describe` for the layout,
:func:`ocitui.core.sync.inspect_remote.remote_describe` for a registry), so the TUI and
``ocitui inspect --json`` read a manifest, its config and its bundle the same way.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import OcituiError
from ocitui.core.inspection import describe
from ocitui.core.layout import Layout, ReferrerNode
from ocitui.core.layout.summary import machine_tag_kind, summarise
from ocitui.core.models import Descriptor, Document, Index, Manifest, load_json
from ocitui.core.views_inspect import (
    LayerRow,
    ReferrerRow,
    descriptor_rows,
    inspect_rows,
    layer_rows,
)

#: Config blobs are small JSON; refuse absurd ones rather than load them into a screen.
MAX_CONFIG_SIZE = 16 * 1024 * 1024


@dataclass
class Detail:
    """Everything the detail tabs show for one descriptor."""

    descriptor: Descriptor
    document: Document | None
    error: str | None = None
    config: dict[str, Any] | None = None
    summary: list[tuple[str, str]] = field(default_factory=list)
    layers: list[LayerRow] = field(default_factory=list)
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def pretty_json(self) -> str:
        """The manifest re-indented for display (the stored bytes are untouched)."""
        if self.document is None:
            return ""
        return json.dumps(self.document.doc, indent=2, ensure_ascii=False)

    @property
    def pretty_config(self) -> str:
        """The config JSON re-indented for display."""
        return "" if self.config is None else json.dumps(self.config, indent=2)


def load_detail(layout: Layout, desc: Descriptor) -> Detail:
    """Read ``desc``'s manifest/index (and config) and build every tab's data."""
    plain = descriptor_rows(desc)
    if not desc.is_manifest_like:
        return Detail(desc, None, summary=plain, annotations=dict(desc.annotations))
    try:
        doc = layout.get_document(desc.digest, desc.media_type)
        info = describe(layout, desc)
    except OcituiError as exc:
        return Detail(desc, None, error=str(exc), summary=plain)
    detail = Detail(
        desc,
        doc,
        annotations={**desc.annotations, **doc.annotations},
        summary=inspect_rows(
            info, platform=str(desc.platform) if desc.platform else None, total=_total(layout, desc)
        ),
        layers=layer_rows(info),
    )
    if isinstance(doc, Manifest) and doc.config.media_type in mt.CONFIG_TYPES:
        try:  # The whole config, for the Config tab (the summary rows have the gist).
            detail.config = load_json(
                layout.read_blob(doc.config.digest, max_size=MAX_CONFIG_SIZE), "config"
            )
        except OcituiError as exc:
            detail.error = str(exc)
    return detail


def _total(layout: Layout, desc: Descriptor) -> int | None:
    """The size ``ls`` shows for ``desc`` (the one rule: the layout summary's)."""
    try:
        return summarise(layout, desc).size
    except OcituiError:
        return None


def verify_subject(layout: Layout, referrer: Descriptor, subject: Digest) -> bool | None:
    """Read the referrer's manifest blob and check its ``subject.digest`` is ``subject``."""
    try:
        doc = layout.get_document(referrer.digest, referrer.media_type)
    except OcituiError:
        return None
    return doc.subject is not None and doc.subject.digest == subject


def referrer_rows(
    layout: Layout, subject: Digest, artifact_types: tuple[str, ...] = ()
) -> list[ReferrerRow]:
    """The referrer tree of ``subject`` flattened depth-first, each row subject-verified."""
    rows: list[ReferrerRow] = []

    def walk(nodes: list[ReferrerNode], parent: Digest, depth: int) -> None:
        for node in nodes:
            desc = node.descriptor
            verified = verify_subject(layout, desc, parent)
            rows.append(ReferrerRow.of(depth, desc, parent, verified, node.source))
            walk(node.children, desc.digest, depth + 1)

    walk(layout.referrer_tree(subject, artifact_types), subject, 0)
    return rows


def artifact_types(layout: Layout) -> list[str]:
    """Every artifact type named by an ``index.json`` entry, sorted (for filters/palette)."""
    found = {e.artifact_type for e in layout.entries() if e.artifact_type}
    return sorted(found)


@dataclass(frozen=True)
class LayoutStats:
    """Counts and sizes for the status line (``tags``: the tags ``ls`` lists, machine tags
    such as ``sha256-<hex>.sig`` left out)."""

    tags: int
    entries: int
    blobs: int
    total_bytes: int


def layout_stats(layout: Layout) -> LayoutStats:
    """Count tags/entries and sum the bytes under ``blobs/`` (no content is read)."""
    entries = layout.entries()
    blobs = total = 0
    for alg_dir in sorted(layout.root.joinpath("blobs").glob("*")):
        if not alg_dir.is_dir():
            continue
        with os.scandir(alg_dir) as it:
            for item in it:
                if item.is_file(follow_symlinks=False):
                    blobs += 1
                    total += item.stat(follow_symlinks=False).st_size
    tags = sum(1 for e in entries if e.ref_name and machine_tag_kind(e.ref_name) is None)
    return LayoutStats(tags, len(entries), blobs, total)


def document_kind(doc: Document | None) -> str:
    """``index`` / ``manifest`` / ``-``."""
    if isinstance(doc, Index):
        return "index"
    if isinstance(doc, Manifest):
        return "manifest"
    return "-"


__all__ = [
    "Detail",
    "LayerRow",
    "LayoutStats",
    "ReferrerRow",
    "artifact_types",
    "document_kind",
    "layout_stats",
    "load_detail",
    "referrer_rows",
    "verify_subject",
]

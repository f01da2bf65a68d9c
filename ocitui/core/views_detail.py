"""Detail models for one manifest or index: summary rows, config, layers, referrers.

Pure functions over a :class:`~ocitui.core.layout.Layout`; the TUI's detail tabs and
Referrers pane render them, and the CLI's ``inspect`` may print them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import OcituiError
from ocitui.core.layout import Layout, ReferrerNode
from ocitui.core.models import CREATED, Descriptor, Document, Index, Manifest, load_json
from ocitui.core.views import human_size

#: Config blobs are small JSON; refuse absurd ones rather than load them into a screen.
MAX_CONFIG_SIZE = 16 * 1024 * 1024


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
    if not desc.is_manifest_like:
        detail = Detail(desc, None, summary=_descriptor_rows(desc))
        detail.annotations = dict(desc.annotations)
        return detail
    try:
        doc = layout.get_document(desc.digest, desc.media_type)
    except OcituiError as exc:
        return Detail(desc, None, error=str(exc), summary=_descriptor_rows(desc))
    detail = Detail(desc, doc, annotations={**desc.annotations, **doc.annotations})
    rows = _descriptor_rows(desc)
    if isinstance(doc, Manifest):
        detail.layers = [
            LayerRow(i, d.digest, d.size, d.media_type) for i, d in enumerate(doc.layers)
        ]
        rows.append(
            ("layers", f"{len(doc.layers)} ({human_size(sum(d.size for d in doc.layers))})")
        )
        rows.append(("config", f"{doc.config.media_type} {human_size(doc.config.size)}"))
        if doc.config.media_type in mt.CONFIG_TYPES:
            try:
                raw = layout.read_blob(doc.config.digest, max_size=MAX_CONFIG_SIZE)
                detail.config = load_json(raw, "config")
            except OcituiError as exc:
                detail.error = str(exc)
            if detail.config is not None:
                rows.extend(config_summary(detail.config))
    else:
        detail.layers = [
            LayerRow(i, d.digest, d.size, d.media_type) for i, d in enumerate(doc.manifests)
        ]
        rows.append(("manifests", str(len(doc.manifests))))
        rows.append(("platforms", ", ".join(str(p) for p in doc.platforms) or "-"))
    if doc.subject is not None:
        rows.append(("subject", str(doc.subject.digest)))
    rows.append(("referrers", str(layout.referrer_count(desc.digest))))
    detail.summary = rows
    return detail


def _descriptor_rows(desc: Descriptor) -> list[tuple[str, str]]:
    rows = [
        ("name", desc.ref_name or "(untagged)"),
        ("digest", str(desc.digest)),
        ("media type", desc.media_type),
        ("size", f"{human_size(desc.size)} ({desc.size} bytes)"),
    ]
    if desc.artifact_type:
        rows.append(("artifact type", desc.artifact_type))
    if desc.platform is not None:
        rows.append(("platform", str(desc.platform)))
    created = desc.annotations.get(CREATED)
    if created:
        rows.append(("created", created))
    return rows


def config_summary(config: dict[str, Any]) -> list[tuple[str, str]]:
    """The fields of an image config an operator reads first, as label/value rows."""
    rows: list[tuple[str, str]] = []
    platform = "/".join(str(config[k]) for k in ("os", "architecture", "variant") if config.get(k))
    if platform:
        rows.append(("platform", platform))
    for key in ("created", "author"):
        if isinstance(config.get(key), str):
            rows.append((key, config[key]))
    run = config.get("config") if isinstance(config.get("config"), dict) else {}
    assert isinstance(run, dict)
    for key, label in (
        ("Entrypoint", "entrypoint"),
        ("Cmd", "cmd"),
        ("User", "user"),
        ("WorkingDir", "workdir"),
    ):
        value = run.get(key)
        if value:
            rows.append((label, " ".join(value) if isinstance(value, list) else str(value)))
    env = run.get("Env")
    if isinstance(env, list) and env:
        rows.append(("env", f"{len(env)} variables"))
    ports = run.get("ExposedPorts")
    if isinstance(ports, dict) and ports:
        rows.append(("ports", ", ".join(sorted(ports))))
    history = config.get("history")
    if isinstance(history, list):
        rows.append(("history", f"{len(history)} steps"))
    return rows


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
            rows.append(
                ReferrerRow(
                    depth,
                    desc,
                    parent,
                    desc.artifact_type or "-",
                    desc.annotations.get(CREATED, "-"),
                    verify_subject(layout, desc, parent),
                    node.source,
                )
            )
            walk(node.children, desc.digest, depth + 1)

    walk(layout.referrer_tree(subject, artifact_types), subject, 0)
    return rows


def artifact_types(layout: Layout) -> list[str]:
    """Every artifact type named by an ``index.json`` entry, sorted (for filters/palette)."""
    found = {e.artifact_type for e in layout.entries() if e.artifact_type}
    return sorted(found)


@dataclass(frozen=True)
class LayoutStats:
    """Counts and sizes for the status line."""

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
    return LayoutStats(sum(1 for e in entries if e.ref_name), len(entries), blobs, total)


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
    "config_summary",
    "document_kind",
    "layout_stats",
    "load_detail",
    "referrer_rows",
    "verify_subject",
]

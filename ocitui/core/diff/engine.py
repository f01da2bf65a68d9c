"""The diff engine: compare two manifests or indexes, section by section, as data.

:func:`diff_refs` is the entry point. Each side is a content store and a descriptor; the
result is a tree of :class:`NodeDiff` (one per compared manifest/index pair, platform pairs
nested below an index) wrapped in a :class:`DiffResult` with per-section counts.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from ocitui.core import media_types as mt
from ocitui.core.diff.config import ConfigDiff, diff_configs
from ocitui.core.diff.data import (
    AnnotationChange,
    DiffData,
    JsonChange,
    annotation_changes,
    json_changes,
)
from ocitui.core.diff.events import check_cancel
from ocitui.core.diff.files import ImageSide, diff_files
from ocitui.core.diff.filesystem import FilesDiff
from ocitui.core.diff.layers import LayersDiff, diff_layers
from ocitui.core.diff.platforms import (
    PlatformEntry,
    PlatformPair,
    PlatformsDiff,
    config_platform,
    entry_keys,
    match_single,
)
from ocitui.core.diff.referrers import ReferrersDiff, diff_referrers
from ocitui.core.diff.store import ContentStore, load_config, load_document
from ocitui.core.errors import DiffError
from ocitui.core.events import EventSink
from ocitui.core.models import Descriptor, Document, Index, Manifest

#: Section names, in display order; every count dictionary has exactly these keys.
SECTIONS = ("manifest", "platforms", "config", "layers", "files", "referrers", "annotations")
#: Layer media types the file diff can read as tar streams.
FILESYSTEM_LAYERS = mt.TAR_LAYERS | mt.GZIP_LAYERS | mt.ZSTD_LAYERS
#: Indexes nested deeper than this are not followed.
MAX_NESTING = 4


def is_filesystem_layer(media_type: str) -> bool:
    """True for layer types read as tar streams (other ``*.tar*`` types are sniffed)."""
    return media_type in FILESYSTEM_LAYERS or ".tar" in media_type


@dataclass(frozen=True)
class DocRef(DiffData):
    """What one side of a :class:`NodeDiff` is: digest, media type, size, kind."""

    digest: str
    media_type: str
    size: int
    kind: str

    @classmethod
    def of(cls, desc: Descriptor, doc: Document) -> DocRef:
        """Describe ``doc`` (reached through ``desc``)."""
        kind = "index" if isinstance(doc, Index) else "manifest"
        return cls(str(desc.digest), doc.media_type, len(doc.raw), kind)


@dataclass(frozen=True)
class NodeDiff(DiffData):
    """The diff of one manifest/index pair. Sections that do not apply are ``None``.

    ``manifest`` lists the JSON path changes of the two documents; ``encoding_differs``
    is True when they parse to the same JSON but their bytes (so digests) differ.
    """

    a: DocRef
    b: DocRef
    manifest: tuple[JsonChange, ...] = ()
    encoding_differs: bool = False
    annotations: tuple[AnnotationChange, ...] = ()
    platforms: PlatformsDiff | None = None
    config: ConfigDiff | None = None
    layers: LayersDiff | None = None
    files: FilesDiff | None = None
    referrers: ReferrersDiff | None = None

    def counts(self) -> dict[str, int]:
        """Differences per section, this node and every nested platform pair together."""
        totals = {
            "manifest": len(self.manifest) + int(self.encoding_differs),
            "platforms": self.platforms.count if self.platforms else 0,
            "config": self.config.count if self.config else 0,
            "layers": self.layers.count if self.layers else 0,
            "files": self.files.count if self.files else 0,
            "referrers": self.referrers.count if self.referrers else 0,
            "annotations": len(self.annotations),
        }
        for pair in self.platforms.common if self.platforms else ():
            for name, value in pair.diff.counts().items():
                totals[name] += value
        return totals


@dataclass(frozen=True)
class DiffResult(DiffData):
    """The whole answer: ``identical``, counts per section (``summary``), and the tree."""

    identical: bool
    summary: dict[str, int]
    root: NodeDiff
    files_compared: bool = field(default=False)


@dataclass
class _Context:
    store_a: ContentStore
    store_b: ContentStore
    files: bool
    progress: EventSink | None
    cancel: threading.Event | None


def diff_refs(
    store_a: ContentStore,
    desc_a: Descriptor,
    store_b: ContentStore,
    desc_b: Descriptor,
    *,
    files: bool = False,
    progress: EventSink | None = None,
    cancel: threading.Event | None = None,
) -> DiffResult:
    """Compare what ``desc_a`` names in ``store_a`` with what ``desc_b`` names in ``store_b``.

    ``files`` adds the (slow, streaming) final-filesystem comparison; ``progress`` receives
    its :mod:`~ocitui.core.diff.events`; setting ``cancel`` stops it with ``DiffCancelled``.
    Raises :class:`~ocitui.core.errors.DiffError` for content that cannot be compared.
    """
    ctx = _Context(store_a, store_b, files, progress, cancel)
    root = _diff_node(ctx, desc_a, desc_b, 0)
    summary = root.counts()
    return DiffResult(not any(summary.values()), summary, root, files)


def _diff_node(ctx: _Context, desc_a: Descriptor, desc_b: Descriptor, depth: int) -> NodeDiff:
    check_cancel(ctx.cancel)
    if depth > MAX_NESTING:
        raise DiffError(f"indexes nested deeper than {MAX_NESTING} levels at {desc_a.digest}")
    doc_a = load_document(ctx.store_a, desc_a, "A")
    doc_b = load_document(ctx.store_b, desc_b, "B")
    changes = json_changes(doc_a.doc, doc_b.doc)
    a_kind = "index" if isinstance(doc_a, Index) else "manifest"
    b_kind = "index" if isinstance(doc_b, Index) else "manifest"
    holder = a_kind if a_kind == b_kind else "document"
    notes = annotation_changes(holder, doc_a.annotations, doc_b.annotations)
    parts: dict[str, Any] = {}
    if isinstance(doc_a, Manifest) and isinstance(doc_b, Manifest):
        parts = _diff_images(ctx, doc_a, doc_b, notes)
    elif isinstance(doc_a, Index) and isinstance(doc_b, Index):
        parts = {"platforms": _diff_indexes(ctx, doc_a, doc_b, notes, depth)}
    else:
        parts = {"platforms": _diff_mixed(ctx, (doc_a, desc_a), (doc_b, desc_b), depth)}
    return NodeDiff(
        a=DocRef.of(desc_a, doc_a),
        b=DocRef.of(desc_b, doc_b),
        manifest=tuple(changes),
        encoding_differs=not changes and doc_a.raw != doc_b.raw,
        annotations=tuple(notes),
        referrers=diff_referrers(ctx.store_a, desc_a.digest, ctx.store_b, desc_b.digest),
        **parts,
    )


def _diff_images(
    ctx: _Context, man_a: Manifest, man_b: Manifest, notes: list[AnnotationChange]
) -> dict[str, Any]:
    config_a = load_config(ctx.store_a, man_a.config, "A")
    config_b = load_config(ctx.store_b, man_b.config, "B")
    notes += annotation_changes("config", man_a.config.annotations, man_b.config.annotations)
    layers, layer_notes = diff_layers(man_a.layers, config_a, man_b.layers, config_b)
    notes += layer_notes
    parts: dict[str, Any] = {
        "config": diff_configs(man_a.config, config_a, man_b.config, config_b),
        "layers": layers,
    }
    if ctx.files:
        parts["files"] = _diff_files(ctx, man_a, config_a, man_b, config_b)
    return parts


def _diff_files(
    ctx: _Context,
    man_a: Manifest,
    config_a: dict[str, Any] | None,
    man_b: Manifest,
    config_b: dict[str, Any] | None,
) -> FilesDiff:
    for side, man in (("A", man_a), ("B", man_b)):
        odd = [d.media_type for d in man.layers if not is_filesystem_layer(d.media_type)]
        if odd:
            return FilesDiff(skipped=f"side {side} has non-filesystem layers ({odd[0]})")
    if [d.digest for d in man_a.layers] == [d.digest for d in man_b.layers]:
        return FilesDiff(skipped="same layers on both sides: the filesystems are identical")
    side_a = ImageSide("A", ctx.store_a, man_a, config_a)
    side_b = ImageSide("B", ctx.store_b, man_b, config_b)
    return diff_files(side_a, side_b, progress=ctx.progress, cancel=ctx.cancel)


def _diff_indexes(
    ctx: _Context, idx_a: Index, idx_b: Index, notes: list[AnnotationChange], depth: int
) -> PlatformsDiff:
    keyed_a = dict(entry_keys(idx_a))
    keyed_b = dict(entry_keys(idx_b))
    common: list[PlatformPair] = []
    for key in sorted(keyed_a.keys() & keyed_b.keys()):
        da, db = keyed_a[key], keyed_b[key]
        notes += annotation_changes(f"entry {key}", da.annotations, db.annotations)
        nested = _diff_node(ctx, da, db, depth + 1)
        common.append(PlatformPair(key, _entry(key, da), _entry(key, db), nested))
    return PlatformsDiff(
        mode="index-vs-index",
        added=tuple(_entry(k, keyed_b[k]) for k in sorted(keyed_b.keys() - keyed_a.keys())),
        removed=tuple(_entry(k, keyed_a[k]) for k in sorted(keyed_a.keys() - keyed_b.keys())),
        common=tuple(common),
    )


def _diff_mixed(
    ctx: _Context,
    side_a: tuple[Document, Descriptor],
    side_b: tuple[Document, Descriptor],
    depth: int,
) -> PlatformsDiff:
    """One side an index, the other a single manifest: compare with the matching platform."""
    (doc_a, desc_a), (doc_b, desc_b) = side_a, side_b
    index_is_a = isinstance(doc_a, Index)
    index, single, single_desc = (doc_a, doc_b, desc_b) if index_is_a else (doc_b, doc_a, desc_a)
    assert isinstance(index, Index) and isinstance(single, Manifest)
    single_side, single_store = ("B", ctx.store_b) if index_is_a else ("A", ctx.store_a)
    wanted = config_platform(load_config(single_store, single.config, single_side))
    mode = "index-vs-manifest" if index_is_a else "manifest-vs-index"
    shown = str(wanted) if wanted else "no platform"
    match = match_single(index, wanted)
    keyed = entry_keys(index)
    others = tuple(
        _entry(k, d)
        for k, d in sorted(keyed, key=lambda kd: kd[0])
        if match is None or k != match[0]
    )
    side_index = "A" if index_is_a else "B"
    if match is None:
        note = (
            f"{side_index} is an index, {single_side} a single manifest ({shown}); "
            f"no platform of {side_index} matches it"
        )
        common: tuple[PlatformPair, ...] = ()
    else:
        key, entry = match
        note = (
            f"{side_index} is an index, {single_side} a single manifest ({shown}); "
            f"compared it with {side_index}'s {key}"
        )
        pair_a, pair_b = (entry, single_desc) if index_is_a else (single_desc, entry)
        nested = _diff_node(ctx, pair_a, pair_b, depth + 1)
        common = (PlatformPair(key, _entry(key, pair_a), _entry(key, pair_b), nested),)
    removed, added = (others, ()) if index_is_a else ((), others)
    return PlatformsDiff(mode=mode, added=added, removed=removed, common=common, note=note)


def _entry(key: str, desc: Descriptor) -> PlatformEntry:
    return PlatformEntry(key, str(desc.digest), desc.media_type)

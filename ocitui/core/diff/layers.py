"""Layer diff: shared, added, removed, and recompressed layers.

A layer is *recompressed* when its digest changed but the uncompressed content did not:
the config's ``rootfs.diff_ids`` entry at its position is the same on both sides.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ocitui.core.diff.data import AnnotationChange, DiffData, annotation_changes
from ocitui.core.models import Descriptor


@dataclass(frozen=True)
class LayerRef(DiffData):
    """A layer of one side: its position, descriptor fields and diff_id (if known)."""

    index: int
    digest: str
    media_type: str
    size: int
    diff_id: str | None = None


@dataclass(frozen=True)
class LayerPair(DiffData):
    """The same layer content on both sides (shared, or recompressed)."""

    a: LayerRef
    b: LayerRef

    @property
    def retyped(self) -> bool:
        """True when the media type differs (e.g. Docker gzip vs OCI gzip of the same bytes)."""
        return self.a.media_type != self.b.media_type


@dataclass(frozen=True)
class LayersDiff(DiffData):
    """Layers of two manifests, matched by digest, then by diff_id."""

    shared: tuple[LayerPair, ...] = ()
    added: tuple[LayerRef, ...] = ()
    removed: tuple[LayerRef, ...] = ()
    recompressed: tuple[LayerPair, ...] = ()
    retyped: int = 0
    order_changed: bool = False

    @property
    def count(self) -> int:
        """Differences: added, removed, recompressed and retyped layers, and a new order.

        ``retyped`` counts shared blobs whose media type differs (Docker vs OCI names for
        the same bytes); a recompressed layer's new media type is part of its recompression.
        """
        return (
            len(self.added)
            + len(self.removed)
            + len(self.recompressed)
            + self.retyped
            + int(self.order_changed)
        )


def diff_ids_of(config: dict[str, Any] | None, layer_count: int) -> list[str | None]:
    """The diff_id of each layer position, or ``None`` where the config does not say."""
    rootfs = config.get("rootfs") if config else None
    ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    if not isinstance(ids, list) or len(ids) != layer_count:
        return [None] * layer_count
    return [i if isinstance(i, str) else None for i in ids]


def _refs(layers: tuple[Descriptor, ...], config: dict[str, Any] | None) -> list[LayerRef]:
    ids = diff_ids_of(config, len(layers))
    return [LayerRef(i, str(d.digest), d.media_type, d.size, ids[i]) for i, d in enumerate(layers)]


def _pair_by(
    a: list[LayerRef], b: list[LayerRef], key: str
) -> tuple[list[LayerPair], list[LayerRef], list[LayerRef]]:
    """Pair refs with equal ``key`` in order of appearance (a digest may repeat)."""
    pending: dict[str, list[LayerRef]] = defaultdict(list)
    for ref in b:
        value = getattr(ref, key)
        if value is not None:
            pending[value].append(ref)
    pairs: list[LayerPair] = []
    left_a: list[LayerRef] = []
    for ref in a:
        value = getattr(ref, key)
        if value is not None and pending.get(value):
            pairs.append(LayerPair(ref, pending[value].pop(0)))
        else:
            left_a.append(ref)
    used = {id(p.b) for p in pairs}
    left_b = [ref for ref in b if id(ref) not in used]
    return pairs, left_a, left_b


def diff_layers(
    layers_a: tuple[Descriptor, ...],
    config_a: dict[str, Any] | None,
    layers_b: tuple[Descriptor, ...],
    config_b: dict[str, Any] | None,
) -> tuple[LayersDiff, list[AnnotationChange]]:
    """Match the layers of two manifests; also return the layer annotation differences."""
    refs_a, refs_b = _refs(layers_a, config_a), _refs(layers_b, config_b)
    shared, left_a, left_b = _pair_by(refs_a, refs_b, "digest")
    recompressed, removed, added = _pair_by(left_a, left_b, "diff_id")
    matched = sorted([*shared, *recompressed], key=lambda p: p.a.index)
    # Same content in another order builds another filesystem: worth saying.
    order_changed = [p.b.index for p in matched] != sorted(p.b.index for p in matched)
    notes: list[AnnotationChange] = []
    for pair in matched:
        where = f"layer {pair.b.digest}"
        notes += annotation_changes(
            where, layers_a[pair.a.index].annotations, layers_b[pair.b.index].annotations
        )
    result = LayersDiff(
        shared=tuple(shared),
        added=tuple(added),
        removed=tuple(removed),
        recompressed=tuple(recompressed),
        retyped=sum(1 for p in shared if p.retyped),
        order_changed=order_changed,
    )
    return result, notes

"""What a descriptor is, in a few words (:class:`NodeInfo`), for many descriptors at once.

The Browse tree labels every node with a type, platform and referrer counts and a size:
the layout's own ``ls`` rows (:func:`ocitui.core.layout.summary.summaries`), computed in
one batch (one referrer view, one scan of ``blobs/``, one metadata-index query) rather
than one manifest read per node. The metadata index also says what a manifest declares
itself to be (its effective artifact type), which a platform child or a referrer found
by blob does not carry in its descriptor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ocitui.core.layout import Layout, metadata_facts
from ocitui.core.layout.summary import summaries
from ocitui.core.models import Descriptor


@dataclass(frozen=True)
class NodeInfo:
    """What a descriptor is, in a few words: type label, platforms and referrers."""

    descriptor: Descriptor
    type_label: str
    platform_count: int
    referrer_count: int
    artifact_type: str | None = None
    #: An imgpkg bundle (its locked images expand under it).
    bundle: bool = False
    #: Bytes of the entry and what it references that is present (``None``: unknown).
    size: int | None = None
    #: Kinds of the legacy cosign tags attached to it (``sig``, ``att``, ``sbom``).
    legacy: tuple[str, ...] = ()


def describe_many(layout: Layout, descs: Sequence[Descriptor]) -> list[NodeInfo]:
    """:class:`NodeInfo` of each of ``descs``, in order, summarised the way ``ls`` does.

    A manifest that is absent or unreadable as its media type is labelled
    ``unreadable`` (and still sized and counted, like its ``ls`` row).
    """
    view = layout.metadata_view()
    # Three columns per manifest (no record parsed): what it declares and is.
    facts = metadata_facts.subjects(view.index, (d.digest for d in descs if d.is_manifest_like))
    typed: list[Descriptor] = []
    readable: list[bool] = []
    for desc in descs:
        artifact_type, ok = desc.artifact_type, True
        if desc.is_manifest_like:
            fact = facts.get(desc.digest)
            if not layout.has_blob(desc.digest):
                ok = False
            elif fact is not None and fact.declared is not None:
                ok = fact.declared == desc.media_type
                effective = fact.effective_artifact_type
                # Children of an index and referrers found by blob carry no artifactType
                # in their descriptor: the document says what they are.
                artifact_type = (effective if ok else None) or artifact_type
            else:
                meta = view.get(desc.digest, desc.media_type)
                ok = meta is not None
                if meta is not None:
                    artifact_type = meta.effective_artifact_type or artifact_type
        typed.append(desc.with_changes(artifact_type=artifact_type))
        readable.append(ok)
    view.flush()
    rows = summaries(layout, typed)
    return [
        NodeInfo(
            desc,
            row.type_label if ok else "unreadable",
            len(row.platforms),
            row.referrers,
            typed_desc.artifact_type,
            row.bundle,
            row.size,
            row.legacy,
        )
        for desc, typed_desc, row, ok in zip(descs, typed, rows, readable, strict=True)
    ]


def describe(layout: Layout, desc: Descriptor) -> NodeInfo:
    """:func:`describe_many` of one descriptor."""
    return describe_many(layout, [desc])[0]


__all__ = ["NodeInfo", "describe", "describe_many"]

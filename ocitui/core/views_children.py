"""What expands under a node of the Browse tree: platforms, locked images, referrers.

Children are read when a node opens (lazily), each summarised by
:func:`ocitui.core.views.describe`. An imgpkg bundle shows the images its ImagesLock
names, by digest reference, present or absent; a nested bundle is read when it opens.
"""

from __future__ import annotations

from ocitui.core import media_types as mt
from ocitui.core.bundles import is_bundle, read_bundle
from ocitui.core.errors import NotFound, OcituiError
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor, Index
from ocitui.core.views import ChildItem, MachineTag, describe


def children_of(
    layout: Layout, desc: Descriptor, machine: list[MachineTag] | None = None
) -> list[ChildItem]:
    """What expands under ``desc``: platform manifests, a bundle's locked images,
    referrers, then machine tags (``None``: the legacy cosign tags the layout holds)."""
    out: list[ChildItem] = []
    if mt.is_index(desc.media_type):
        try:
            doc = layout.get_document(desc.digest, desc.media_type)
        except OcituiError:
            doc = None
        if isinstance(doc, Index):
            for child in doc.manifests:
                info = describe(layout, child)
                if child.platform is not None and child.platform.is_unknown:
                    label = "attestation manifest"
                elif child.platform is not None:
                    label = str(child.platform)
                else:
                    label = info.type_label
                out.append(ChildItem("platform", label, info))
    out.extend(locked_images(layout, desc))
    for ref in layout.referrers(desc.digest):
        info = describe(layout, ref)
        out.append(ChildItem("referrer", info.type_label, info))
    if machine is None:
        machine = [
            MachineTag(entry.ref_name or kind, kind, desc.digest, describe(layout, entry))
            for kind, entry in layout.legacy_attachments(desc.digest)
        ]
    for mtag in machine:
        out.append(ChildItem("machine", mtag.tag, mtag.info))
    return out


def locked_images(layout: Layout, desc: Descriptor) -> list[ChildItem]:
    """An imgpkg bundle's locked images by digest reference, present or absent (none for
    anything that is not a bundle). Nested bundles are read when they are expanded."""
    if not desc.is_manifest_like or not is_bundle(layout, desc):
        return []
    bundle = read_bundle(layout, desc, recursive=False)
    out = []
    for image in bundle.images:
        try:
            held = layout.resolve(str(image.digest))
        except NotFound:
            out.append(ChildItem("locked", image.image, None, present=False))
            continue
        out.append(ChildItem("locked", image.image, describe(layout, held)))
    return out


__all__ = ["children_of", "locked_images"]

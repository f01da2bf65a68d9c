"""Recognising and reading imgpkg bundles in a layout.

A bundle is a manifest whose config carries the label ``dev.carvel.imgpkg.bundle``
(what imgpkg writes) or whose ``artifactType`` is ``application/vnd.carvel.imgpkg.bundle.v1``
(the OCI 1.1 marking of imgpkg#547). Its ``.imgpkg/images.yml`` and ``bundle.yml`` are
read from its layers by streaming the tar; a locked image that is itself a bundle (and
is in the layout) is read recursively.
"""

from __future__ import annotations

from ocitui.core.digest import Digest
from ocitui.core.errors import BundleError, ManifestError, NotFound
from ocitui.core.layout import Layout
from ocitui.core.layout.marks import is_bundle, manifest_of, markings
from ocitui.core.models import Descriptor
from ocitui.core.reference import Reference

from .model import (
    BUNDLE_YML_PATH,
    IMAGES_LOCK_PATH,
    Bundle,
    LockedImage,
    parse_bundle_yml,
    parse_images_lock,
)
from .tarball import read_members

MAX_DEPTH = 8


def read_bundle(
    layout: Layout, desc: Descriptor, *, recursive: bool = True, _depth: int = 0
) -> Bundle:
    """Read the bundle at ``desc``: its locked images, metadata and nested bundles."""
    manifest = manifest_of(layout, desc)
    if manifest is None:
        raise BundleError(f"{desc.digest}: not an image manifest in the layout")
    marks = markings(layout, desc)
    if not marks:
        raise BundleError(f"{desc.digest}: not an imgpkg bundle (no label, no artifactType)")
    files: dict[str, bytes] = {}
    for layer in manifest.layers:  # Later layers win, as when the image is unpacked.
        try:
            with layout.open_blob(layer.digest) as raw:
                files.update(
                    read_members(raw, layer.media_type, (IMAGES_LOCK_PATH, BUNDLE_YML_PATH))
                )
        except NotFound:
            raise BundleError(
                f"{desc.digest}: bundle layer {layer.digest} is not in the layout"
            ) from None
    if IMAGES_LOCK_PATH not in files:
        raise BundleError(f"{desc.digest}: bundle has no {IMAGES_LOCK_PATH}")
    images = []
    for text, ref, notes in parse_images_lock(files[IMAGES_LOCK_PATH]):
        images.append(_locked(layout, (text, ref, notes), recursive=recursive, depth=_depth))
    metadata = parse_bundle_yml(files[BUNDLE_YML_PATH]) if BUNDLE_YML_PATH in files else None
    return Bundle(desc, marks, tuple(images), metadata, files[IMAGES_LOCK_PATH])


def _locked(
    layout: Layout,
    entry: tuple[str, Reference, dict[str, str]],
    *,
    recursive: bool,
    depth: int,
) -> LockedImage:
    text, ref, annotations = entry
    digest = ref.digest
    assert digest is not None
    desc = _descriptor_of(layout, digest)
    if desc is None:
        return LockedImage(text, ref, annotations)
    nested = None
    if recursive and is_bundle(layout, desc):
        if depth + 1 > MAX_DEPTH:
            raise BundleError(f"bundles nested deeper than {MAX_DEPTH} levels (a cycle?)")
        nested = read_bundle(layout, desc, recursive=True, _depth=depth + 1)
    return LockedImage(text, ref, annotations, present=True, bundle=nested)


def _descriptor_of(layout: Layout, digest: Digest) -> Descriptor | None:
    for entry in layout.entries():
        if entry.digest == digest and entry.is_manifest_like:
            return entry
    if not layout.has_blob(digest):
        return None
    try:
        return layout.get_document(digest).descriptor()
    except ManifestError:
        return None


def bundle_images(bundle: Bundle, *, recursive: bool = True) -> list[Reference]:
    """The digest references to pull for ``bundle`` (nested bundles' images too, when
    they are already in the layout; pull, then call again to go one level deeper)."""
    out: list[Reference] = []
    seen: set[str] = set()
    for current in bundle.walk() if recursive else iter((bundle,)):
        for image in current.images:
            key = str(image.reference)
            if key not in seen:
                seen.add(key)
                out.append(image.reference)
    return out

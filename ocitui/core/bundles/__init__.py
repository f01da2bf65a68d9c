"""imgpkg bundle awareness: recognise bundles (config label or OCI 1.1 artifactType),
read their ImagesLock and metadata (nested bundles too), plan relocation, and write
image-locations records and the OCI 1.1 marking."""

from ocitui.core.layout.marks import BUNDLE_LABEL, config_labels, is_bundle, markings

from .locations import (
    ImageLocation,
    Relocation,
    image_locations,
    make_image_locations_artifact,
    make_legacy_locations_image,
    parse_image_locations,
    relocated_images,
    render_image_locations,
)
from .marking import MARKINGS, mark_bundle, save_image_locations
from .model import (
    Author,
    Bundle,
    BundleMetadata,
    LockedImage,
    parse_bundle_yml,
    parse_images_lock,
)
from .reader import bundle_images, read_bundle

__all__ = [
    "BUNDLE_LABEL",
    "MARKINGS",
    "Author",
    "Bundle",
    "BundleMetadata",
    "ImageLocation",
    "LockedImage",
    "Relocation",
    "bundle_images",
    "config_labels",
    "image_locations",
    "is_bundle",
    "make_image_locations_artifact",
    "make_legacy_locations_image",
    "mark_bundle",
    "markings",
    "parse_bundle_yml",
    "parse_image_locations",
    "parse_images_lock",
    "read_bundle",
    "relocated_images",
    "render_image_locations",
    "save_image_locations",
]

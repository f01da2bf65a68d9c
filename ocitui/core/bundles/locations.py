"""Relocation of imgpkg bundles, image-locations records, and the OCI 1.1 marking.

imgpkg copies every locked image (nested bundles' too) into the bundle's destination
repository by digest, tags each ``<alg>-<hex>.imgpkg``, and records the original
locations in an image tagged ``<alg>-<hex>.image-locations.imgpkg``. Here the record is
also available as an OCI 1.1 artifact whose ``subject`` is the bundle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ocitui.core import jsonsafe
from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import BundleError, InvalidReference
from ocitui.core.models import Descriptor, canonical_json
from ocitui.core.reference import DOCKER_HUB, Reference, parse_reference

from .model import API_VERSION, Bundle
from .tarball import tar_gz

LOCATIONS_FILE = "image-locations.yml"
LOCATIONS_LAYER = "application/vnd.carvel.imgpkg.image-locations.v1+yaml"
TITLE = "org.opencontainers.image.title"
Blobs = list[tuple[Descriptor, bytes]]


def imgpkg_name(text: str) -> str:
    """A reference as imgpkg writes it in ``image-locations.yml``, normalised the way
    go-containerregistry names it (``busybox@sha256:...`` ->
    ``index.docker.io/library/busybox@sha256:...``): imgpkg matches by exact string, so an
    unnormalised name is silently ignored. Unparseable text is kept as written."""
    try:
        ref = parse_reference(text, default_tag=None)
    except InvalidReference:
        return text
    registry = "index.docker.io" if ref.registry == DOCKER_HUB else ref.registry
    if ref.digest is not None:
        return f"{registry}/{ref.repository}@{ref.digest}"
    return f"{registry}/{ref.repository}:{ref.tag or 'latest'}"


@dataclass(frozen=True)
class ImageLocation:
    """One ``image-locations.yml`` entry: an original image reference and whether it is
    a bundle."""

    image: str
    is_bundle: bool


@dataclass(frozen=True)
class Relocation:
    """Where one locked image goes: ``dest_repo@digest``, tagged :attr:`imgpkg_tag`."""

    source: Reference
    destination: Reference
    is_bundle: bool | None

    @property
    def imgpkg_tag(self) -> str:
        """The tag imgpkg gives copied images: ``<alg>-<hex>.imgpkg``."""
        assert self.destination.digest is not None
        return f"{self.destination.digest.tag_form}.imgpkg"

    def location(self) -> ImageLocation:
        """The image-locations entry for this image."""
        return ImageLocation(imgpkg_name(str(self.source)), bool(self.is_bundle))


def relocated_images(bundle: Bundle, dest_repo: str) -> list[Relocation]:
    """Every locked image (nested bundles' too), relocated into ``dest_repo`` by digest."""
    try:
        repo = parse_reference(dest_repo, default_tag=None)
    except InvalidReference as exc:
        raise BundleError(f"destination {dest_repo!r}: {exc}") from None
    if repo.tag is not None or repo.digest is not None:
        raise BundleError(f"destination {dest_repo!r} must be a repository, without tag or digest")
    out: list[Relocation] = []
    for image in bundle.locked_images():
        target = Reference(repo.registry, repo.repository, None, image.digest)
        out.append(Relocation(image.reference, target, image.is_bundle))
    return out


def image_locations(bundle: Bundle) -> list[ImageLocation]:
    """The record for ``bundle``'s own images.yml (images not in the layout count as
    non-bundles: that is all that can be known of them)."""
    return [ImageLocation(imgpkg_name(i.image), i.bundle is not None) for i in bundle.images]


def render_image_locations(locations: Sequence[ImageLocation]) -> bytes:
    """``image-locations.yml`` as imgpkg writes it."""
    doc = {
        "apiVersion": API_VERSION,
        "kind": "ImageLocations",
        "images": [{"image": loc.image, "isBundle": loc.is_bundle} for loc in locations],
    }
    import yaml  # Only bundles need it (inspect of an image does not).

    return yaml.safe_dump(doc, sort_keys=False).encode()


def _subject(desc: Descriptor) -> dict[str, Any]:
    return {"mediaType": desc.media_type, "digest": str(desc.digest), "size": desc.size}


def _blob(media_type: str, data: bytes, **extra: Any) -> Descriptor:
    return Descriptor(media_type, Digest.of(data), len(data), **extra)


def make_image_locations_artifact(
    bundle: Bundle, locations: Sequence[ImageLocation] | None = None
) -> tuple[bytes, Blobs]:
    """An OCI 1.1 referrer of ``bundle`` holding ``image-locations.yml``:
    ``(manifest bytes, [(descriptor, bytes) of config and layer])``."""
    content = render_image_locations(image_locations(bundle) if locations is None else locations)
    empty = _blob(mt.OCI_EMPTY, mt.EMPTY_JSON)
    layer = _blob(LOCATIONS_LAYER, content, annotations={TITLE: LOCATIONS_FILE})
    manifest = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "artifactType": mt.IMGPKG_LOCATIONS_ARTIFACT,
        "config": empty.to_json(),
        "layers": [layer.to_json()],
        "subject": _subject(bundle.descriptor),
    }
    return canonical_json(manifest), [(empty, mt.EMPTY_JSON), (layer, content)]


def make_legacy_locations_image(
    bundle: Bundle, locations: Sequence[ImageLocation] | None = None
) -> tuple[bytes, Blobs, str]:
    """The image imgpkg itself writes (``--imgpkg-compat``): a Docker v2 image with one
    gzip layer holding ``image-locations.yml``; returns ``(manifest, blobs, tag)`` where
    ``tag`` is ``<alg>-<hex>.image-locations.imgpkg`` (push it in the bundle's repo)."""
    content = render_image_locations(image_locations(bundle) if locations is None else locations)
    gz, plain = tar_gz({LOCATIONS_FILE: content})
    layer = _blob(mt.DOCKER_LAYER_GZIP, gz)
    config_doc = {
        "architecture": "",
        "os": "",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": [str(Digest.of(plain))]},
    }
    config_raw = canonical_json(config_doc)
    config = _blob(mt.DOCKER_CONFIG, config_raw)
    manifest = {
        "schemaVersion": 2,
        "mediaType": mt.DOCKER_MANIFEST,
        "config": config.to_json(),
        "layers": [layer.to_json()],
    }
    tag = f"{bundle.digest.tag_form}.image-locations.imgpkg"
    return canonical_json(manifest), [(config, config_raw), (layer, gz)], tag


def parse_image_locations(raw: bytes) -> list[ImageLocation]:
    """Read an ``image-locations.yml`` (safe loader)."""
    import yaml

    try:
        jsonsafe.check_depth(raw)  # Flow collections nest (and recurse) like JSON's.
        doc = yaml.safe_load(raw)
    except jsonsafe.JsonTooDeep as exc:
        raise BundleError(f"{LOCATIONS_FILE} is {exc.msg}") from None
    except yaml.YAMLError:
        raise BundleError(f"{LOCATIONS_FILE} is not valid YAML") from None
    if not isinstance(doc, dict) or doc.get("kind") != "ImageLocations":
        raise BundleError(f"{LOCATIONS_FILE}: expected kind ImageLocations")
    out = []
    for entry in doc.get("images") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("image"), str):
            raise BundleError(f"{LOCATIONS_FILE}: each image needs an image string")
        out.append(ImageLocation(entry["image"], entry.get("isBundle") is True))
    return out

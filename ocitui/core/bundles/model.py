"""imgpkg bundle data: the ImagesLock (``.imgpkg/images.yml``) and bundle metadata.

YAML is read with PyYAML's safe loader only. Every locked image must be a digest
reference: a bundle's whole point is that what it names cannot move.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ocitui.core import jsonsafe
from ocitui.core.digest import Digest
from ocitui.core.errors import BundleError, InvalidReference
from ocitui.core.models import Descriptor
from ocitui.core.reference import Reference, parse_reference
from ocitui.core.text_safety import shown

API_VERSION = "imgpkg.carvel.dev/v1alpha1"
IMAGES_LOCK_PATH = ".imgpkg/images.yml"
BUNDLE_YML_PATH = ".imgpkg/bundle.yml"


@dataclass(frozen=True)
class Author:
    """A ``bundle.yml`` author."""

    name: str | None
    email: str | None


@dataclass(frozen=True)
class BundleMetadata:
    """What ``.imgpkg/bundle.yml`` says about the bundle (all optional)."""

    name: str | None = None
    authors: tuple[Author, ...] = ()
    websites: tuple[str, ...] = ()


@dataclass(frozen=True)
class LockedImage:
    """One ``images.yml`` entry: a digest reference, its annotations, and (when the
    layout holds it and it is a bundle itself) the nested :class:`Bundle`."""

    image: str
    reference: Reference
    annotations: Mapping[str, str] = field(default_factory=dict)
    #: True when the image's manifest is in the layout (so ``bundle`` is meaningful).
    present: bool = False
    bundle: Bundle | None = None

    @property
    def digest(self) -> Digest:
        """The locked digest."""
        assert self.reference.digest is not None  # Guaranteed by parse_images_lock.
        return self.reference.digest

    @property
    def is_bundle(self) -> bool | None:
        """True/False when known; ``None`` when the image is not in the layout."""
        return (self.bundle is not None) if self.present else None


@dataclass(frozen=True)
class Bundle:
    """An imgpkg bundle read from a layout."""

    descriptor: Descriptor
    #: Which markings it carries: ``"label"`` and/or ``"artifactType"``.
    markings: frozenset[str]
    images: tuple[LockedImage, ...]
    metadata: BundleMetadata | None = None
    images_yml: bytes = field(default=b"", repr=False)

    @property
    def digest(self) -> Digest:
        """The bundle manifest's digest."""
        return self.descriptor.digest

    def walk(self) -> Iterator[Bundle]:
        """This bundle, then every nested bundle (depth first)."""
        yield self
        for image in self.images:
            if image.bundle is not None:
                yield from image.bundle.walk()

    def locked_images(self) -> Iterator[LockedImage]:
        """Every image this bundle and its nested bundles lock, once per digest."""
        seen: set[Digest] = set()
        for current in self.walk():
            for image in current.images:
                if image.digest not in seen:
                    seen.add(image.digest)
                    yield image


def _load_yaml(raw: bytes, what: str) -> Any:
    try:
        # Flow collections nest like JSON's; the YAML parser recurses on them too.
        jsonsafe.check_depth(raw)
    except jsonsafe.JsonTooDeep as exc:
        raise BundleError(f"{what} is {exc.msg}") from None
    import yaml  # Only bundles need it (inspect of an image does not).

    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise BundleError(f"{what} is not valid YAML{where}") from None


def _check_kind(doc: Any, kind: str, what: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise BundleError(f"{what} must be a YAML mapping")
    if doc.get("apiVersion") != API_VERSION or doc.get("kind") != kind:
        raise BundleError(
            f"{what}: expected apiVersion {API_VERSION} and kind {kind}, "
            f"got {shown(doc.get('apiVersion'))} / {shown(doc.get('kind'))}"
        )
    return doc


def parse_images_lock(raw: bytes) -> list[tuple[str, Reference, dict[str, str]]]:
    """``(image text, digest reference, annotations)`` for each ImagesLock entry."""
    what = IMAGES_LOCK_PATH
    doc = _check_kind(_load_yaml(raw, what), "ImagesLock", what)
    images = doc.get("images") or []
    if not isinstance(images, list):
        raise BundleError(f"{what}: images must be a list")
    out = []
    for i, entry in enumerate(images):
        if not isinstance(entry, dict) or not isinstance(entry.get("image"), str):
            raise BundleError(f"{what}: images[{i}] needs an image string")
        text = entry["image"]
        try:
            ref = parse_reference(text, default_tag=None)
        except InvalidReference as exc:
            raise BundleError(f"{what}: images[{i}]: {exc}") from None
        if ref.digest is None:
            raise BundleError(
                f"{what}: images[{i}] {shown(text)} is not a digest reference "
                "(bundles lock images by digest: name@sha256:...)"
            )
        annotations = entry.get("annotations") or {}
        if not isinstance(annotations, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in annotations.items()
        ):
            raise BundleError(f"{what}: images[{i}] annotations must map strings to strings")
        out.append((text, ref, dict(annotations)))
    return out


def parse_bundle_yml(raw: bytes) -> BundleMetadata:
    """Read ``.imgpkg/bundle.yml`` (fields of the wrong type are ignored, not fatal)."""
    doc = _check_kind(_load_yaml(raw, BUNDLE_YML_PATH), "Bundle", BUNDLE_YML_PATH)
    raw_meta = doc.get("metadata")
    metadata: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    name = metadata.get("name") if isinstance(metadata.get("name"), str) else None
    authors = tuple(
        Author(_opt_str(a.get("name")), _opt_str(a.get("email")))
        for a in _list(doc.get("authors"))
        if isinstance(a, dict)
    )
    websites = tuple(
        w["url"]
        for w in _list(doc.get("websites"))
        if isinstance(w, dict) and isinstance(w.get("url"), str)
    )
    return BundleMetadata(name, authors, websites)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None

"""Media types, the media-type grammar, and the effective artifact type rule."""

from __future__ import annotations

import re
from typing import Any

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
OCI_LAYER_ND_TAR = "application/vnd.oci.image.layer.nondistributable.v1.tar"
OCI_LAYER_ND_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
OCI_LAYER_ND_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
#: Withdrawn in 1.1.0-rc; read-only at most.

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

#: The 2-byte ``{}`` blob of the empty descriptor.
EMPTY_JSON = b"{}"
EMPTY_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

MANIFEST_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_MANIFEST_LIST})
#: Everything we parse as a manifest or index (the ``Accept`` list for pulls).
MANIFEST_LIKE = MANIFEST_TYPES | INDEX_TYPES
CONFIG_TYPES = frozenset({OCI_CONFIG, DOCKER_CONFIG})
GZIP_LAYERS = frozenset(
    {OCI_LAYER_GZIP, OCI_LAYER_ND_GZIP, DOCKER_LAYER_GZIP, DOCKER_FOREIGN_LAYER}
)
ZSTD_LAYERS = frozenset({OCI_LAYER_ZSTD, OCI_LAYER_ND_ZSTD})
TAR_LAYERS = frozenset({OCI_LAYER_TAR, OCI_LAYER_ND_TAR})
#: Layers whose distribution may be restricted (Windows base layers, for one).
NON_DISTRIBUTABLE_LAYERS = frozenset(
    {OCI_LAYER_ND_TAR, OCI_LAYER_ND_GZIP, OCI_LAYER_ND_ZSTD, DOCKER_FOREIGN_LAYER}
)

# Artifact types worth naming in the UI.
SIGSTORE_BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json"
COSIGN_SIG_ARTIFACT = "application/vnd.dev.cosign.artifact.sig.v1+json"
COSIGN_SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
NOTATION_SIGNATURE = "application/vnd.cncf.notary.signature"
IN_TOTO = "application/vnd.in-toto+json"
DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json"
SPDX_JSON = "application/spdx+json"
CYCLONEDX_JSON = "application/vnd.cyclonedx+json"
IMGPKG_BUNDLE_ARTIFACT = "application/vnd.carvel.imgpkg.bundle.v1"
IMGPKG_LOCATIONS_ARTIFACT = "application/vnd.carvel.imgpkg.image-locations.v1"

_MEDIA_TYPE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}", re.ASCII
)


#: Media types already found valid (a layout repeats a handful of them many times); bulk
#: readers test membership first (:meth:`~ocitui.core.models.Descriptor.from_json_many`).
VALID_SEEN: set[str] = set()


def is_valid_media_type(value: object) -> bool:
    """True for an RFC 6838 media type without parameters (the OCI schema rule)."""
    if not isinstance(value, str):
        return False
    if value in VALID_SEEN:
        return True
    if _MEDIA_TYPE.fullmatch(value) is None:
        return False
    if len(VALID_SEEN) < 4096:
        VALID_SEEN.add(value)
    return True


def strip_parameters(content_type: str) -> str:
    """``application/json; charset=utf-8`` -> ``application/json``."""
    return content_type.split(";", 1)[0].strip()


def is_manifest(media_type: str | None) -> bool:
    """True for an image manifest media type (OCI or Docker v2)."""
    return media_type in MANIFEST_TYPES


def is_index(media_type: str | None) -> bool:
    """True for an image index / manifest list media type."""
    return media_type in INDEX_TYPES


def effective_artifact_type(doc: dict[str, Any]) -> str | None:
    """The artifact type the referrers API would report for a manifest or index document.

    A manifest's own ``artifactType``, else its ``config.mediaType``; an index's own
    ``artifactType``, else nothing (never a config, indexes have none).
    """
    artifact_type = doc.get("artifactType")
    if isinstance(artifact_type, str) and artifact_type:
        return artifact_type
    if "manifests" in doc:
        return None
    config = doc.get("config")
    if isinstance(config, dict):
        media_type = config.get("mediaType")
        if isinstance(media_type, str):
            return media_type
    return None


def entry_artifact_type(doc: dict[str, Any]) -> str | None:
    """The ``artifactType`` an ``index.json`` entry (or a plan's descriptor) carries for a
    document: the one rule, applied to pulls, pushes, imports and the demo alike.

    Only artifacts carry one (image-spec: ``artifactType`` describes an artifact): a
    referrer gets what the referrers API reports (:func:`effective_artifact_type`); any
    other manifest its own ``artifactType``, else a config type that is not an image
    config's; plain images, image indexes and imgpkg bundles marked by label get none.
    """
    artifact_type = doc.get("artifactType")
    return entry_type_rule(
        "subject" in doc,
        artifact_type if isinstance(artifact_type, str) else None,
        effective_artifact_type(doc),
    )


def entry_type_rule(is_referrer: bool, own: str | None, effective: str | None) -> str | None:
    """:func:`entry_artifact_type` from what it looks at (for callers holding a manifest's
    stored facts rather than its document): a referrer's ``effective`` type
    (:func:`effective_artifact_type`), else the manifest's ``own`` ``artifactType``, else
    ``effective`` (its config type) unless that is an image config's."""
    if is_referrer:
        return effective
    if own:
        return own
    return None if effective in CONFIG_TYPES else effective


def friendly_artifact_type(artifact_type: str | None) -> str:
    """A short human name for well-known artifact types (falls back to the type itself)."""
    if not artifact_type:
        return "-"
    known = {
        SIGSTORE_BUNDLE: "sigstore bundle",
        COSIGN_SIG_ARTIFACT: "cosign signature",
        COSIGN_SIMPLESIGNING: "cosign signature",
        NOTATION_SIGNATURE: "notation signature",
        IN_TOTO: "in-toto attestation",
        DSSE_ENVELOPE: "dsse attestation",
        SPDX_JSON: "SPDX SBOM",
        "text/spdx+json": "SPDX SBOM",
        CYCLONEDX_JSON: "CycloneDX SBOM",
        IMGPKG_BUNDLE_ARTIFACT: "imgpkg bundle",
        IMGPKG_LOCATIONS_ARTIFACT: "imgpkg image locations",
        OCI_CONFIG: "image",
        DOCKER_CONFIG: "image",
    }
    return known.get(artifact_type, artifact_type)

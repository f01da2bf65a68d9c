"""Things attached to the app: OCI 1.1 referrers and a legacy cosign ``.sig`` tag.

app:1.0 gets an SPDX SBOM, a (fake) sigstore-bundle signature, an in-toto SLSA provenance
attestation, a signature of the SBOM (a referrer of a referrer) and a legacy ``.sig``
signed with the demo key. app:1.1 gets an SBOM
only, so "did the signature come along?" diffs have something to show.
"""

from __future__ import annotations

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor, canonical_json, parse_document
from tools.demo.app import REPOSITORY, Release
from tools.demo.catalog import Catalog, Made
from tools.demo.documents import created_at, provenance, spdx_document
from tools.demo.packing import (
    artifact_manifest,
    created,
    descriptor,
    empty_config,
    put_json_blob,
)
from tools.demo.signing import (
    COSIGN_SIGN_PREDICATE,
    SLSA_PROVENANCE,
    demo_key_signature,
    dsse_bundle,
    dsse_envelope,
    message_signature_bundle,
    statement,
)

TITLE = "org.opencontainers.image.title"
PREDICATE_TYPE = "in-toto.io/predicate-type"


def _add_referrer(layout: Layout, raw: bytes) -> Descriptor:
    """Store and register a referrer manifest; returns its index.json entry."""
    return layout.add_referrer(parse_document(raw, mt.OCI_MANIFEST))


def add_sbom(layout: Layout, catalog: Catalog, release: Release) -> Descriptor:
    """SPDX SBOM referrer of ``release``'s index."""
    layer = put_json_blob(
        layout,
        mt.SPDX_JSON,
        spdx_document(release),
        annotations={TITLE: "sbom.spdx.json"},
    )
    raw = artifact_manifest(
        mt.SPDX_JSON,
        empty_config(layout),
        [layer],
        release.index,
        created(created_at(release, 5)),
    )
    entry = _add_referrer(layout, raw)
    catalog.add(
        Made(
            f"SBOM of app:{release.version}",
            entry,
            subject=str(release.index.digest),
            note="SPDX 2.3 JSON",
        )
    )
    return entry


def add_signature(layout: Layout, catalog: Catalog, release: Release) -> Descriptor:
    """A cosign-v3-style sigstore bundle (DSSE) signing ``release``'s index."""
    bundle = dsse_bundle(REPOSITORY, release.index.digest, COSIGN_SIGN_PREDICATE, 4_200_001)
    layout.put_blob(bundle)
    annotations = created(
        created_at(release, 6),
        **{
            "dev.sigstore.bundle.content": "dsse-envelope",
            "dev.sigstore.bundle.predicateType": COSIGN_SIGN_PREDICATE,
        },
    )
    raw = artifact_manifest(
        mt.SIGSTORE_BUNDLE,
        empty_config(layout),
        [descriptor(mt.SIGSTORE_BUNDLE, bundle)],
        release.index,
        annotations,
    )
    entry = _add_referrer(layout, raw)
    catalog.add(
        Made(
            f"signature of app:{release.version}",
            entry,
            subject=str(release.index.digest),
            note="sigstore bundle v0.3, DSSE",
        )
    )
    return entry


def add_attestation(layout: Layout, catalog: Catalog, release: Release) -> Descriptor:
    """An in-toto SLSA provenance attestation (DSSE envelope layer) of the index."""
    payload = statement(REPOSITORY, release.index.digest, SLSA_PROVENANCE, provenance(release))
    envelope = canonical_json(dsse_envelope(payload))
    layout.put_blob(envelope)
    layer = descriptor(mt.DSSE_ENVELOPE, envelope, annotations={PREDICATE_TYPE: SLSA_PROVENANCE})
    raw = artifact_manifest(
        mt.IN_TOTO,
        empty_config(layout),
        [layer],
        release.index,
        created(created_at(release, 7), **{PREDICATE_TYPE: SLSA_PROVENANCE}),
    )
    entry = _add_referrer(layout, raw)
    catalog.add(
        Made(
            f"provenance of app:{release.version}",
            entry,
            subject=str(release.index.digest),
            note="in-toto SLSA v1 in DSSE",
        )
    )
    return entry


def add_sbom_signature(layout: Layout, catalog: Catalog, sbom: Descriptor, when: str) -> None:
    """A sigstore bundle (message signature) whose subject is the SBOM manifest."""
    bundle = message_signature_bundle(sbom.digest, 4_200_002)
    layout.put_blob(bundle)
    annotations = created(when, **{"dev.sigstore.bundle.content": "message-signature"})
    subject = Descriptor(sbom.media_type, sbom.digest, sbom.size)
    raw = artifact_manifest(
        mt.SIGSTORE_BUNDLE,
        empty_config(layout),
        [descriptor(mt.SIGSTORE_BUNDLE, bundle)],
        subject,
        annotations,
    )
    entry = _add_referrer(layout, raw)
    catalog.add(
        Made(
            "signature of the app:1.0 SBOM",
            entry,
            subject=str(sbom.digest),
            note="referrer of a referrer; sigstore bundle, message signature",
        )
    )


def add_legacy_cosign(layout: Layout, catalog: Catalog, release: Release) -> None:
    """A cosign legacy ``sha256-<hex>.sig`` signature image for ``release``'s index.

    Signed for real with the committed demo key (``cosign sign --key`` shape, no
    certificate, no transparency-log bundle), so ``ocitui verify --key`` passes on it.
    """
    digest: Digest = release.index.digest
    payload = canonical_json(
        {
            "critical": {
                "identity": {"docker-reference": REPOSITORY},
                "image": {"docker-manifest-digest": str(digest)},
                "type": "cosign container image signature",
            },
            "optional": {
                "creator": "ocitui demo generator",
                "note": "signed with the ocitui DEMO-ONLY key; trust it for nothing",
            },
        }
    )
    layout.put_blob(payload)
    layer = descriptor(
        mt.COSIGN_SIMPLESIGNING,
        payload,
        annotations={"dev.cosignproject.cosign/signature": demo_key_signature(payload)},
    )
    # go-containerregistry's empty image config, as cosign writes it.
    config = put_json_blob(
        layout,
        mt.OCI_CONFIG,
        {
            "architecture": "",
            "config": {},
            "created": "0001-01-01T00:00:00Z",
            "history": [{"created": "0001-01-01T00:00:00Z"}],
            "os": "",
            "rootfs": {"type": "layers", "diff_ids": [str(Digest.of(payload))]},
        },
    )
    manifest = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "config": config,
        "layers": [layer],
    }
    desc = layout.put_document(canonical_json(manifest), mt.OCI_MANIFEST)
    ref = f"{REPOSITORY}:{digest.algorithm}-{digest.encoded}.sig"
    entry = layout.set_tag(ref, desc)
    catalog.add(
        Made(
            "legacy cosign signature of app:1.0",
            entry,
            ref=ref,
            note="cosign simple signing, tag scheme",
        )
    )


def build_attachments(layout: Layout, catalog: Catalog, v10: Release, v11: Release) -> None:
    """Every referrer and legacy attachment of the demo."""
    sbom = add_sbom(layout, catalog, v10)
    add_signature(layout, catalog, v10)
    add_attestation(layout, catalog, v10)
    add_sbom_signature(layout, catalog, sbom, created_at(v10, 8))
    add_sbom(layout, catalog, v11)
    add_legacy_cosign(layout, catalog, v10)

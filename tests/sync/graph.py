"""A small but complete source graph for sync tests, built in memory.

index (linux/amd64, linux/arm64, linux/s390x)
  +- referrer sbom (application/spdx+json) on the index
  |    +- referrer signature (sigstore bundle) on the sbom   (referrer of a referrer)
  +- referrer attestation (application/vnd.in-toto+json) on the index
  +- referrer signature (sigstore bundle) on the linux/arm64 child
  +- legacy cosign tag sha256-<index hex>.sig
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.models import Descriptor, canonical_json
from ocitui.core.reference import Reference
from ocitui.core.registry import RegistryClient

SBOM = "application/spdx+json"
BUNDLE = mt.SIGSTORE_BUNDLE
INTOTO = mt.IN_TOTO
PLATFORMS = ("linux/amd64", "linux/arm64", "linux/s390x")


@dataclass
class Graph:
    """Blobs and manifests in push order; digests of the interesting nodes."""

    blobs: dict[Digest, bytes] = field(default_factory=dict)
    manifests: list[tuple[bytes, str, str | None]] = field(default_factory=list)
    names: dict[str, Digest] = field(default_factory=dict)
    layer_size: int = 4096

    def blob(self, data: bytes) -> Descriptor:
        digest = Digest.of(data)
        self.blobs[digest] = data
        return Descriptor("application/octet-stream", digest, len(data))

    def manifest(self, doc: dict[str, object], name: str, tag: str | None = None) -> Descriptor:
        raw = canonical_json(doc)
        media_type = str(doc["mediaType"])
        self.manifests.append((raw, media_type, tag))
        self.names[name] = Digest.of(raw)
        return Descriptor(media_type, Digest.of(raw), len(raw))

    def artifact(self, subject: Descriptor, artifact_type: str, name: str) -> Descriptor:
        empty = self.blob(b"{}")
        payload = self.blob(f"{name} payload {os.urandom(4).hex()}".encode())
        return self.manifest(
            {
                "schemaVersion": 2,
                "mediaType": mt.OCI_MANIFEST,
                "artifactType": artifact_type,
                "config": {"mediaType": mt.OCI_EMPTY, "digest": str(empty.digest), "size": 2},
                "layers": [
                    {
                        "mediaType": artifact_type,
                        "digest": str(payload.digest),
                        "size": payload.size,
                    }
                ],
                "subject": {
                    "mediaType": subject.media_type,
                    "digest": str(subject.digest),
                    "size": subject.size,
                },
                "annotations": {"org.opencontainers.image.created": "2026-01-01T00:00:00Z"},
            },
            name,
        )

    def image(self, platform: str) -> Descriptor:
        os_, arch = platform.split("/")
        layer = self.blob(os.urandom(self.layer_size))
        config = self.blob(
            canonical_json(
                {
                    "architecture": arch,
                    "os": os_,
                    "rootfs": {"type": "layers", "diff_ids": [str(layer.digest)]},
                }
            )
        )
        return self.manifest(
            {
                "schemaVersion": 2,
                "mediaType": mt.OCI_MANIFEST,
                "config": {
                    "mediaType": mt.OCI_CONFIG,
                    "digest": str(config.digest),
                    "size": config.size,
                },
                "layers": [
                    {
                        "mediaType": mt.OCI_LAYER_GZIP,
                        "digest": str(layer.digest),
                        "size": layer.size,
                    }
                ],
            },
            platform,
        )


def build_graph(tag: str = "v1", layer_size: int = 4096) -> Graph:
    """The graph described in the module docstring."""
    g = Graph(layer_size=layer_size)
    children = []
    for platform in PLATFORMS:
        desc = g.image(platform)
        os_, arch = platform.split("/")
        children.append({**desc.to_json(), "platform": {"architecture": arch, "os": os_}})
    index = g.manifest(
        {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": children}, "index", tag
    )
    sbom = g.artifact(index, SBOM, "sbom")
    g.artifact(sbom, BUNDLE, "sbom-signature")
    g.artifact(index, INTOTO, "attestation")
    arm = Descriptor(
        mt.OCI_MANIFEST,
        g.names["linux/arm64"],
        len(next(r for r, _, _ in g.manifests if Digest.of(r) == g.names["linux/arm64"])),
    )
    g.artifact(arm, BUNDLE, "arm-signature")
    # A legacy cosign signature image tagged sha256-<index hex>.sig.
    sig_layer = g.blob(b'{"critical":{"type":"cosign container image signature"}}')
    sig_config = g.blob(b'{"architecture":"","os":""}')
    g.manifest(
        {
            "schemaVersion": 2,
            "mediaType": mt.OCI_MANIFEST,
            "config": {
                "mediaType": mt.OCI_CONFIG,
                "digest": str(sig_config.digest),
                "size": sig_config.size,
            },
            "layers": [
                {
                    "mediaType": mt.COSIGN_SIMPLESIGNING,
                    "digest": str(sig_layer.digest),
                    "size": sig_layer.size,
                }
            ],
        },
        "legacy-sig",
        f"{index.digest.algorithm}-{index.digest.encoded}.sig",
    )
    return g


def seed_state(state: object, repo: str, graph: Graph) -> None:
    """Put the graph straight into a FakeRegistry's state (no HTTP)."""
    for data in graph.blobs.values():
        state.put_blob(repo, data)  # type: ignore[attr-defined]
    for raw, media_type, tag in graph.manifests:
        state.put_manifest(repo, raw, media_type, tag)  # type: ignore[attr-defined]


async def seed_registry(client: RegistryClient, repo: Reference, graph: Graph) -> None:
    """Push the graph with the registry client (keeps referrers fallback tags)."""
    for digest, data in graph.blobs.items():
        desc = Descriptor("application/octet-stream", digest, len(data))
        await client.push_blob(repo, desc, lambda data=data: io.BytesIO(data))
    for raw, media_type, tag in graph.manifests:
        ref = repo.with_tag(tag) if tag else repo.with_digest(Digest.of(raw))
        await client.put_manifest(ref, raw, media_type)

"""The demo application image: two versions, two platforms, a shared gzip base layer.

Layers per manifest: a tar+gzip base layer shared by every version and platform, then a
tar+zstd application layer that differs per platform (a fake per-arch library) and per
version (1.1 changes a config file, adds a file and whites out a base-layer file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ocitui.core import media_types as mt
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor, canonical_json
from tools.demo.packing import (
    CREATED_1_0,
    CREATED_1_1,
    FileEntry,
    Layer,
    build_layer,
    descriptor,
    prose,
    put_json_blob,
    put_layer,
    random_bytes,
)

REPOSITORY = "registry.example.com/demo/app"
SOURCE = "https://git.example.com/demo/app"
PLATFORMS: tuple[tuple[str, str | None], ...] = (("amd64", None), ("arm64", "v8"))
CREATED = {"1.0": CREATED_1_0, "1.1": CREATED_1_1}
REVISION = {
    "1.0": "3f1c0dd6a1e5b7c2f4e9a8b6d0c1e2f3a4b5c6d7",
    "1.1": "9a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b",
}
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

APP_SCRIPT = """#!/bin/sh
# demo-app: a stand-in for a real service binary (ocitui demo layout).
set -eu
case "${1:-serve}" in
  serve) echo "demo-app ${APP_VERSION:-unknown} listening on :${3:-8080}" ;;
  version) echo "${APP_VERSION:-unknown}" ;;
  *) echo "usage: app [serve --port N | version]" >&2; exit 2 ;;
esac
"""

OS_RELEASE = """NAME="DemoOS"
ID=demoos
VERSION_ID=3.2
PRETTY_NAME="DemoOS 3.2 (ocitui demo base)"
HOME_URL="https://os.example.com/"
"""


@dataclass
class Release:
    """One built version of the app: its index and per-platform manifests."""

    version: str
    index: Descriptor
    manifests: dict[str, Descriptor] = field(default_factory=dict)
    layers: dict[str, list[Layer]] = field(default_factory=dict)
    configs: dict[str, Descriptor] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        """The full reference this release is tagged with."""
        return f"{REPOSITORY}:{self.version}"


def base_files() -> list[FileEntry]:
    """Files of the shared base layer."""
    return [
        FileEntry("bin/app", APP_SCRIPT.encode(), 0o755),
        FileEntry("etc/group", b"root:x:0:\napp:x:1000:\n"),
        FileEntry("etc/os-release", OS_RELEASE.encode()),
        FileEntry(
            "etc/passwd",
            b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:demo app:/srv/app:/sbin/nologin\n",
        ),
        FileEntry("srv/app/index.html", b"<!doctype html><title>demo</title><p>hello</p>\n"),
        FileEntry("usr/share/app/assets.bin", random_bytes("assets", 64 * 1024)),
        FileEntry("usr/share/doc/app/NOTICE.legacy", prose("notice", 6).encode()),
        FileEntry("usr/share/doc/app/README", prose("readme", 40).encode()),
        FileEntry(
            "usr/share/doc/app/copyright",
            b"demo-app\nCopyright 2026 The Demo Authors\nLicense: Apache-2.0\n",
        ),
    ]


def app_conf(version: str) -> bytes:
    """``etc/app/app.conf``: the file that changes between versions."""
    lines = [
        f"# demo-app {version} configuration",
        "listen = 0.0.0.0:8080",
        f"log_level = {'info' if version == '1.0' else 'debug'}",
        f"cache_size_mb = {64 if version == '1.0' else 128}",
        "data_dir = /srv/app/data",
    ]
    return ("\n".join(lines) + "\n").encode()


def app_files(version: str, arch: str) -> list[FileEntry]:
    """Files of the zstd application layer of ``version`` on ``arch``."""
    files = [
        FileEntry("etc/app/app.conf", app_conf(version)),
        FileEntry("usr/lib/app/ARCH", f"{arch}\n".encode()),
        FileEntry(f"usr/lib/app/libdemo-{arch}.so", random_bytes(f"lib-{arch}", 32 * 1024)),
    ]
    if version != "1.0":
        files.append(FileEntry("etc/app/features.d/metrics.conf", b"metrics = on\nport = 9090\n"))
        # The OCI whiteout marker: deletes the base layer's NOTICE.legacy.
        files.append(FileEntry("usr/share/doc/app/.wh.NOTICE.legacy"))
    return files


def image_config(version: str, arch: str, variant: str | None, layers: list[Layer]) -> Any:
    """The OCI image config (keys sorted, as buildkit writes them)."""
    when = CREATED[version]
    history = [
        {
            "created": when,
            "created_by": "ADD demoos-3.2-base.tar / # buildkit",
            "comment": "buildkit.dockerfile.v0",
        },
        {
            "created": when,
            "created_by": f"ENV APP_VERSION={version}",
            "comment": "buildkit.dockerfile.v0",
            "empty_layer": True,
        },
        {
            "created": when,
            "created_by": "COPY rootfs/ / # buildkit",
            "comment": "buildkit.dockerfile.v0",
        },
        {
            "created": when,
            "created_by": "USER app",
            "comment": "buildkit.dockerfile.v0",
            "empty_layer": True,
        },
        {
            "created": when,
            "created_by": 'ENTRYPOINT ["/bin/app"]',
            "comment": "buildkit.dockerfile.v0",
            "empty_layer": True,
        },
        {
            "created": when,
            "created_by": 'CMD ["serve" "--port" "8080"]',
            "comment": "buildkit.dockerfile.v0",
            "empty_layer": True,
        },
    ]
    config: dict[str, Any] = {
        "architecture": arch,
        "config": {
            "Cmd": ["serve", "--port", "8080"],
            "Entrypoint": ["/bin/app"],
            "Env": [PATH_ENV, f"APP_VERSION={version}", "APP_HOME=/srv/app"],
            "ExposedPorts": {"8080/tcp": {}},
            "Labels": {
                "org.opencontainers.image.licenses": "Apache-2.0",
                "org.opencontainers.image.revision": REVISION[version],
                "org.opencontainers.image.source": SOURCE,
                "org.opencontainers.image.title": "demo-app",
                "org.opencontainers.image.version": version,
            },
            "User": "app",
            "WorkingDir": "/srv/app",
        },
        "created": when,
        "history": history,
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [str(layer.diff_id) for layer in layers]},
    }
    if variant:
        config["variant"] = variant
    return config


def build_release(layout: Layout, version: str, base: Layer) -> Release:
    """Build, store and tag one version of the app; returns what was made."""
    entries: list[dict[str, Any]] = []
    release_layers: dict[str, list[Layer]] = {}
    configs: dict[str, Descriptor] = {}
    manifests: dict[str, Descriptor] = {}
    for arch, variant in PLATFORMS:
        app = build_layer(app_files(version, arch), mt.OCI_LAYER_ZSTD)
        layers = [base, app]
        config = put_json_blob(layout, mt.OCI_CONFIG, image_config(version, arch, variant, layers))
        manifest = {
            "schemaVersion": 2,
            "mediaType": mt.OCI_MANIFEST,
            "config": config,
            "layers": [put_layer(layout, layer) for layer in layers],
        }
        desc = layout.put_document(canonical_json(manifest), mt.OCI_MANIFEST)
        platform: dict[str, str] = {"architecture": arch, "os": "linux"}
        if variant:
            platform["variant"] = variant
        entries.append(descriptor(mt.OCI_MANIFEST, canonical_json(manifest), platform=platform))
        release_layers[arch] = layers
        configs[arch] = Descriptor.from_json(config)
        manifests[arch] = desc
    index = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_INDEX,
        "manifests": entries,
        "annotations": {
            "org.opencontainers.image.created": CREATED[version],
            "org.opencontainers.image.description": "ocitui demo application",
            "org.opencontainers.image.revision": REVISION[version],
            "org.opencontainers.image.source": SOURCE,
            "org.opencontainers.image.title": "demo-app",
            "org.opencontainers.image.version": version,
        },
    }
    index_desc = layout.put_document(canonical_json(index), mt.OCI_INDEX)
    release = Release(version, index_desc, manifests, release_layers, configs)
    layout.set_tag(release.ref, index_desc)
    return release


def build_app(layout: Layout) -> tuple[Release, Release]:
    """Both versions of the app, sharing one base layer blob."""
    base = build_layer(base_files(), mt.OCI_LAYER_GZIP)
    return build_release(layout, "1.0", base), build_release(layout, "1.1", base)

"""An imgpkg bundle referring to both app versions by digest.

Shaped as imgpkg builds bundles: a Docker v2 schema2 image, config labelled
``dev.carvel.imgpkg.bundle: "true"``, one gzip tar layer holding ``.imgpkg/`` and the
Kubernetes configuration.
"""

from __future__ import annotations

from ocitui.core import media_types as mt
from ocitui.core.layout import Layout
from ocitui.core.models import canonical_json
from tools.demo.app import REPOSITORY, SOURCE, Release
from tools.demo.catalog import Catalog, Made
from tools.demo.packing import FileEntry, build_layer, put_json_blob, put_layer

BUNDLE_REF = "registry.example.com/demo/bundle:1.0"
BUNDLE_LABEL = "dev.carvel.imgpkg.bundle"


def images_yml(releases: list[Release]) -> str:
    """``.imgpkg/images.yml``: the ImagesLock listing every app version by digest."""
    lines = ["apiVersion: imgpkg.carvel.dev/v1alpha1", "kind: ImagesLock", "images:"]
    for release in releases:
        lines += [
            f"- image: {REPOSITORY}@{release.index.digest}",
            "  annotations:",
            f"    kbld.carvel.dev/id: {release.ref}",
        ]
    return "\n".join(lines) + "\n"


BUNDLE_YML = f"""apiVersion: imgpkg.carvel.dev/v1alpha1
kind: Bundle
metadata:
  name: demo-app-config
authors:
- name: Demo Authors
  email: demo@example.com
websites:
- url: {SOURCE}
"""


def deployment_yml(release: Release) -> str:
    """A Deployment running ``release`` pinned by digest."""
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: demo-app
  labels:
    app: demo-app
spec:
  replicas: 2
  selector:
    matchLabels:
      app: demo-app
  template:
    metadata:
      labels:
        app: demo-app
    spec:
      containers:
      - name: app
        image: {REPOSITORY}@{release.index.digest}
        args: ["serve", "--port", "8080"]
        ports:
        - containerPort: 8080
"""


SERVICE_YML = """apiVersion: v1
kind: Service
metadata:
  name: demo-app
spec:
  selector:
    app: demo-app
  ports:
  - port: 80
    targetPort: 8080
"""


def build_bundle(layout: Layout, catalog: Catalog, v10: Release, v11: Release) -> None:
    """Build, store and tag ``registry.example.com/demo/bundle:1.0``."""
    files = [
        FileEntry(".imgpkg/bundle.yml", BUNDLE_YML.encode()),
        FileEntry(".imgpkg/images.yml", images_yml([v10, v11]).encode()),
        FileEntry("config/deployment.yml", deployment_yml(v10).encode()),
        FileEntry("config/service.yml", SERVICE_YML.encode()),
    ]
    layer = build_layer(files, mt.DOCKER_LAYER_GZIP)
    config = put_json_blob(
        layout,
        mt.DOCKER_CONFIG,
        {
            "architecture": "",
            "config": {"Labels": {BUNDLE_LABEL: "true"}},
            "created": "0001-01-01T00:00:00Z",
            "history": [{"created": "0001-01-01T00:00:00Z", "created_by": "imgpkg"}],
            "os": "",
            "rootfs": {"type": "layers", "diff_ids": [str(layer.diff_id)]},
        },
    )
    manifest = {
        "schemaVersion": 2,
        "mediaType": mt.DOCKER_MANIFEST,
        "config": config,
        "layers": [put_layer(layout, layer)],
    }
    desc = layout.put_document(canonical_json(manifest), mt.DOCKER_MANIFEST)
    entry = layout.set_tag(BUNDLE_REF, desc)
    catalog.add(
        Made(
            "imgpkg bundle",
            entry,
            ref=BUNDLE_REF,
            note="imgpkg bundle: ImagesLock lists app:1.0 and app:1.1 by digest",
        )
    )

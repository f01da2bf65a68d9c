"""Images with foreign layers (Windows base layers: non-distributable media types with
``urls``). A pull leaves such a layer out by design, so the layout it makes must be
complete for ``fsck``, ``export`` and ``import`` too, not "broken" with advice to pull
what no pull fetches."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocitui.core import media_types as mt
from ocitui.core.archive.export import export_archive
from ocitui.core.archive.importer import import_archives
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.layout.fsck import fsck
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import pull

FOREIGN = "sha256:" + "a" * 64


def _layer() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    return gzip.compress(buf.getvalue(), mtime=0)


def _seed(registry: Any, media_type: str) -> str:
    """A windows image whose base layer is foreign; the manifest's digest."""
    layer = _layer()
    config = json.dumps(
        {"architecture": "amd64", "os": "windows", "rootfs": {"type": "layers", "diff_ids": []}}
    ).encode()
    repo = "win/app"
    registry.state.put_blob(repo, config)
    registry.state.put_blob(repo, layer)
    manifest = {
        "schemaVersion": 2,
        "mediaType": mt.DOCKER_MANIFEST,
        "config": {
            "mediaType": mt.DOCKER_CONFIG,
            "digest": "sha256:" + hashlib.sha256(config).hexdigest(),
            "size": len(config),
        },
        "layers": [
            {
                "mediaType": media_type,
                "digest": FOREIGN,
                "size": 123456,
                "urls": ["https://mcr.example.com/blobs/base"],
            },
            {
                "mediaType": mt.DOCKER_LAYER_GZIP,
                "digest": "sha256:" + hashlib.sha256(layer).hexdigest(),
                "size": len(layer),
            },
        ],
    }
    return str(
        registry.state.put_manifest(repo, json.dumps(manifest).encode(), mt.DOCKER_MANIFEST, "1")
    )


async def test_a_pulled_image_with_a_foreign_layer_is_complete(
    tmp_path: Path, fake_registry: Callable[..., Any], client: RegistryClient
) -> None:
    registry = fake_registry()
    digest = _seed(registry, mt.DOCKER_FOREIGN_LAYER)
    layout = Layout.open(tmp_path / "pulled", create=True)
    name = f"{registry.host}/win/app:1"
    report = await pull(client, layout, [name])
    assert report.ok, report.to_json()
    assert str(layout.resolve(name).digest) == digest
    assert not layout.has_blob(Digest.parse(FOREIGN))

    checked = fsck(layout)
    assert checked.ok, [f.message for f in checked.findings]
    assert [f.code for f in checked.findings if f.digest == FOREIGN] == ["foreign-layer"]

    archive = tmp_path / "win.tar"
    exported = export_archive(layout, archive, [name])
    assert exported.blobs == 3  # Manifest, config, the distributable layer.
    again = Layout.open(tmp_path / "imported", create=True)
    imported = import_archives(again, [archive])
    assert imported.missing == [] and str(again.resolve(name).digest) == digest
    assert fsck(again).ok


def test_a_missing_ordinary_layer_is_still_an_error(tmp_path: Path) -> None:
    """The rule is about foreign layers only: a missing layer without ``urls`` breaks
    the image (fsck exit 1), whatever its media type says."""
    layout = Layout.open(tmp_path / "l", create=True)
    config = layout.put_blob(b'{"architecture":"amd64","os":"windows"}')
    for media_type, urls, code in (
        (mt.OCI_LAYER_ND_GZIP, [], "missing-blob"),
        (mt.OCI_LAYER_GZIP, ["https://example.com/l"], "missing-blob"),
        (mt.OCI_LAYER_ND_GZIP, ["https://example.com/l"], "foreign-layer"),
    ):
        layer: dict[str, Any] = {"mediaType": media_type, "digest": FOREIGN, "size": 9}
        if urls:
            layer["urls"] = urls
        raw = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": mt.OCI_MANIFEST,
                "config": {"mediaType": mt.OCI_CONFIG, "digest": str(config), "size": 39},
                "layers": [layer],
            }
        ).encode()
        name = f"r.io/win/app:{code}-{len(urls)}"
        layout.set_tag(name, layout.put_document(raw, mt.OCI_MANIFEST))
        found = [f for f in fsck(layout).findings if f.digest == FOREIGN]
        assert [f.code for f in found] == [code], (media_type, urls)
        layout.remove(name)

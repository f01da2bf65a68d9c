"""Issue 15 item 5: image-locations as imgpkg reads them; the artifactType-only marking warns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocitui.core.bundles import image_locations, read_bundle
from ocitui.core.bundles.locations import imgpkg_name
from ocitui.core.layout import Layout
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import SyncFilter, plan_push
from ocitui.core.sync.bundles import BundleOptions

HEX = "a" * 64
BUNDLE = "registry.example.com/demo/bundle:1.0"


def test_names_are_normalised_as_imgpkg_writes_them() -> None:
    assert imgpkg_name(f"busybox@sha256:{HEX}") == f"index.docker.io/library/busybox@sha256:{HEX}"
    assert imgpkg_name(f"docker.io/org/app@sha256:{HEX}") == f"index.docker.io/org/app@sha256:{HEX}"
    assert imgpkg_name(f"ghcr.io/org/app@sha256:{HEX}") == f"ghcr.io/org/app@sha256:{HEX}"
    assert imgpkg_name(f"localhost:5000/app@sha256:{HEX}") == f"localhost:5000/app@sha256:{HEX}"


def test_demo_bundle_record_uses_normalised_names(demo_copy: Path) -> None:
    layout = Layout.open(demo_copy)
    bundle = read_bundle(layout, layout.resolve(BUNDLE))
    for location in image_locations(bundle):
        assert location.image == imgpkg_name(location.image)
        assert parse_reference(location.image).registry != "docker.io"


async def test_artifact_type_marking_warns_that_imgpkg_will_not_see_a_bundle(
    demo_copy: Path, fake_registry: Callable[..., Any], client: RegistryClient
) -> None:
    registry = fake_registry()
    layout = Layout.open(demo_copy)
    dest = parse_reference(f"{registry.host}/r/bundle:1.0")
    plans = {}
    for marking in ("artifactType", "both"):
        plans[marking] = await plan_push(
            layout, client, [(BUNDLE, dest)], SyncFilter(),
            bundle_options=BundleOptions(marking=marking),
        )  # fmt: skip
    assert any("dev.carvel.imgpkg.bundle" in w for w in plans["artifactType"].warnings)
    assert not any("dev.carvel.imgpkg.bundle" in w for w in plans["both"].warnings)

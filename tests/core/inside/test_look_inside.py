"""look_inside on the demo layout: each referrer kind gets its reading."""

from __future__ import annotations

from pathlib import Path

from ocitui.core.inside import look_inside
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor


def entry(layout: Layout, prefix: str) -> Descriptor:
    return next(e for e in layout.entries() if e.digest.encoded.startswith(prefix))


def test_demo_sbom_lists_demo_app_and_demoos_base(demo_copy: Path) -> None:
    layout = Layout.open(demo_copy)
    inside = look_inside(layout, entry(layout, "9cbd7e27"))
    assert inside.kind == "sbom" and inside.sbom is not None
    assert [p.name for p in inside.sbom.packages] == ["demo-app", "demoos-base"]


def test_demo_attestation_is_slsa_provenance(demo_copy: Path) -> None:
    layout = Layout.open(demo_copy)
    inside = look_inside(layout, entry(layout, "7bbbd848"))
    assert inside.kind == "attestation" and inside.statement is not None
    assert inside.statement.predicate_type == "https://slsa.dev/provenance/v1"
    assert inside.statement.provenance is not None
    assert inside.statement.provenance.builder.endswith("container-builder@v1")


def test_demo_signatures_name_the_digest_they_sign(demo_copy: Path) -> None:
    layout = Layout.open(demo_copy)
    app10 = str(layout.resolve("app:1.0").digest)
    legacy = layout.resolve(f"app:{app10.replace(':', '-')}.sig")
    for desc in (entry(layout, "fc97fa31"), legacy):
        inside = look_inside(layout, desc)
        assert inside.kind == "signature"
        assert inside.signatures[0].signed_digest == app10


def test_demo_platform_image_has_config_history_and_layers(demo_copy: Path) -> None:
    layout = Layout.open(demo_copy)
    index = layout.get_document(layout.resolve("app:1.0").digest)
    inside = look_inside(layout, index.children()[0])
    assert inside.kind == "image" and inside.config is not None
    assert len(inside.layers) == 2 and all(diff_id for _, diff_id in inside.layers)
    assert ("entrypoint", "/bin/app") in inside.config.settings


def test_an_index_is_shown_as_json_with_a_hint(demo_copy: Path) -> None:
    layout = Layout.open(demo_copy)
    inside = look_inside(layout, layout.resolve("app:1.0"))
    assert inside.kind == "blob" and inside.blob is not None and inside.blob.kind == "json"
    assert "platform" in inside.note

"""Issue 15 item 14: one artifactType rule (only artifacts carry one), the demo included,
so a registry round trip leaves ``ls --all --json`` as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocitui.core import media_types as mt
from ocitui.core.layout import Layout
from ocitui.core.layout.summary import list_entries
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import pull, push

ROOT = Path(__file__).resolve().parents[2]
DEMO = "registry.example.com/demo"


def test_the_demo_follows_the_rule() -> None:
    layout = Layout.open(ROOT / "layouts" / "demo")
    for entry in layout.entries():
        doc = layout.get_document(entry.digest, entry.media_type)
        assert entry.artifact_type == mt.entry_artifact_type(doc.doc), entry.ref_name
        if doc.subject is None and entry.ref_name:
            assert entry.artifact_type is None, entry.ref_name  # images, the bundle, .sig


async def test_round_trip_keeps_ls_all(
    demo_copy: Path,
    fake_registry: Callable[..., Any],
    client: RegistryClient,
    new_layout: Callable[..., Layout],
) -> None:
    demo = Layout.open(demo_copy)
    registry = fake_registry()
    items = [(f"{DEMO}/{n}", parse_reference(f"{registry.host}/demo/{n}")) for n in ("app:1.0",)]
    assert (await push(demo, client, items)).ok
    back = new_layout()
    assert (await pull(client, back, [f"{registry.host}/demo/app:1.0"])).ok

    def rows(layout: Layout, prefix: str) -> dict[str, str | None]:
        out = {}
        for row in list_entries(layout, include_all=True):
            key = (row.ref or "").removeprefix(prefix) or str(row.digest)
            out[key] = row.artifact_type
        return out

    pulled = rows(back, f"{registry.host}/demo/")
    original = {k: v for k, v in rows(demo, f"{DEMO}/").items() if k in pulled}
    assert original == pulled

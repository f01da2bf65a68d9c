"""Issue 15 item 2: another tool's short tag (``ref.name`` = ``v1``) is shown as
``(local)/LAYOUT:TAG`` in ls, inspect, referrers and the TUI tree, is looked up by that
form too, and ``--json`` keeps the exact ``ref.name``."""

from __future__ import annotations

import json
from pathlib import Path

from ocitui.core.layout import Layout
from ocitui.core.views import LayoutTree, TagItem, build_tree
from tests.realworld.cli import ocitui
from tests.realworld.foreign import legacy_sig_image, skopeo_shape, tagged, write_entries
from tests.support.builders import put_image


def test_short_tags_are_shown_under_local(tmp_path: Path) -> None:
    layout, image, sig = skopeo_shape(tmp_path / "orl")
    where = ("--layout", str(layout.root))
    listed = ocitui(*where, "ls")
    assert listed.returncode == 0, listed.stderr
    first = [line.split()[0] for line in listed.stdout.splitlines()[1:]]
    assert "(local)/orl:v1" in first, listed.stdout
    assert "v1" not in first
    rows = json.loads(ocitui(*where, "ls", "--json").stdout)
    assert "v1" in [r["ref"] for r in rows]

    shown = ocitui(*where, "inspect", "v1")
    assert "Ref:           (local)/orl:v1\n" in shown.stdout, shown.stdout
    assert json.loads(ocitui(*where, "inspect", "v1", "--json").stdout)["ref"] == "v1"
    again = ocitui(*where, "inspect", "(local)/orl:v1", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["digest"] == str(image.digest)

    referrers = ocitui(*where, "referrers", "v1")
    assert referrers.stdout.startswith(f"(local)/orl:v1  {image.digest.short}\n"), referrers.stdout
    assert sig.digest.short in referrers.stdout


def test_tui_tree_groups_short_tags_under_local(tmp_path: Path) -> None:
    layout, image, _sig = skopeo_shape(tmp_path / "orl")
    tree = build_tree(layout)
    found = [
        (item.registry, item.repository, item.tag)
        for item in _items(tree)
        if item.info.descriptor.digest == image.digest
    ]
    assert found == [("(local)", "orl", "v1")]


def _items(tree: LayoutTree) -> list[TagItem]:
    return [item for reg in tree.registries for repo in reg.repositories for item in repo.tags]


def test_a_short_legacy_tag_is_shown_under_local(tmp_path: Path) -> None:
    """regctl and skopeo write a cosign ``.sig`` tag as a short tag too."""
    layout = Layout.open(tmp_path / "rc", create=True)
    image = put_image(layout, {"app": b"signed"})
    sig = legacy_sig_image(layout)
    legacy = f"{image.digest.tag_form}.sig"
    write_entries(layout, [tagged(image.descriptor(), "1.0"), tagged(sig.descriptor(), legacy)])
    where = ("--layout", str(layout.root))
    shown = ocitui(*where, "inspect", "1.0")
    assert f"Legacy .sig: (local)/rc:{legacy}\n" in shown.stdout, shown.stdout
    listed = ocitui(*where, "referrers", "1.0")
    assert f"(legacy .sig tag)  {sig.digest.short}  (local)/rc:{legacy}\n" in listed.stdout
    rows = json.loads(ocitui(*where, "inspect", "1.0", "--json").stdout)["legacy"]
    assert [row["ref"] for row in rows] == [legacy]

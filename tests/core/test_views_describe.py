"""``describe_many`` (one batch through the metadata index) says what reading every
manifest one by one says, including for absent and mistyped manifests."""

from __future__ import annotations

import json
from pathlib import Path

from ocitui.core import media_types as mt
from ocitui.core.errors import OcituiError
from ocitui.core.layout import Layout
from ocitui.core.layout.referrers import SUBJECT_HINT
from ocitui.core.layout.summary import summarise
from ocitui.core.models import Descriptor
from ocitui.core.views import LayoutTree, build_tree, outline_tree
from ocitui.core.views_describe import NodeInfo, describe, describe_many
from ocitui.core.views_search import filter_tree
from tests.tui.sample import build_sample


def one_by_one(layout: Layout, desc: Descriptor) -> NodeInfo:
    """The oracle: read the document itself, then the ``ls`` row of one entry."""
    artifact_type = desc.artifact_type
    readable = True
    if desc.is_manifest_like:
        try:
            doc = layout.get_document(desc.digest, desc.media_type)
        except OcituiError:
            readable = False
        else:
            artifact_type = doc.effective_artifact_type or artifact_type
    row = summarise(layout, desc.with_changes(artifact_type=artifact_type))
    return NodeInfo(
        desc,
        row.type_label if readable else "unreadable",
        len(row.platforms),
        row.referrers,
        artifact_type,
        row.bundle,
        row.size,
        row.legacy,
    )


def everything(layout: Layout) -> list[Descriptor]:
    """Every entry, every index's manifests and every referrer (found by blob too)."""
    out = layout.entries()
    for entry in list(out):
        if mt.is_index(entry.media_type) and layout.has_blob(entry.digest):
            out.extend(layout.get_document(entry.digest).children())
        out.extend(layout.referrers(entry.digest))
    return out


def check(layout: Layout) -> list[NodeInfo]:
    descs = everything(layout)
    # More than a handful, so the batch takes its many-entries path too.
    descs = descs * (1 + 70 // max(len(descs), 1))
    expected = [one_by_one(layout, d) for d in descs]
    assert describe_many(layout, descs) == expected
    assert [describe(layout, d) for d in descs[:12]] == expected[:12]
    return expected


def test_demo_batch_equals_one_by_one(demo_copy: Path) -> None:
    infos = check(Layout.open(demo_copy))
    labels = {i.type_label for i in infos}
    assert {"SPDX SBOM", "imgpkg bundle", "index", "image"} <= labels


def test_sample_with_a_missing_and_a_mistyped_manifest(tmp_path: Path) -> None:
    layout = build_sample(tmp_path / "sample")
    check(layout)  # Builds the metadata index: the second pass reads it.
    entries = layout.entries()
    image = next(e for e in entries if e.media_type == mt.OCI_MANIFEST and e.ref_name)
    layout.blob_path(image.digest).unlink()
    mistyped = image.with_changes(media_type=mt.OCI_INDEX)
    infos = check(layout)
    assert describe(layout, image).type_label == "unreadable"
    present = next(e for e in entries if e.media_type == mt.OCI_MANIFEST and e != image)
    assert describe(layout, present.with_changes(media_type=mt.OCI_INDEX)).type_label == (
        "unreadable"
    )
    assert describe(layout, mistyped).type_label == "unreadable"
    assert infos


def test_build_tree_keeps_loose_images_and_hides_unhinted_referrers(tmp_path: Path) -> None:
    layout = build_sample(tmp_path / "sample")
    index = json.loads((layout.root / "index.json").read_text())
    hinted = 0
    for entry in index["manifests"]:
        annotations = entry.get("annotations", {})
        if SUBJECT_HINT in annotations:  # Found by reading the manifest instead.
            del annotations[SUBJECT_HINT]
            hinted += 1
    image = next(
        e
        for e in index["manifests"]
        if e["mediaType"] == mt.OCI_MANIFEST
        and "annotations" in e
        and "org.opencontainers.image.ref.name" in e["annotations"]
    )
    index["manifests"].append({k: v for k, v in image.items() if k != "annotations"})
    (layout.root / "index.json").write_text(json.dumps(index))
    assert hinted >= 2
    for _ in range(2):  # Without, then with the metadata index.
        tree = build_tree(layout)
        assert [str(u.descriptor.digest) for u in tree.untagged] == [image["digest"]]
        tags = [t.tag for r in tree.registries for repo in r.repositories for t in repo.tags]
        assert "1.0" in tags and not any(t.startswith("sha256-") for t in tags)


def test_outline_reads_index_json_only_and_names_what_build_tree_names(
    demo_copy: Path,
) -> None:
    layout = Layout.open(demo_copy)
    full = build_tree(layout)
    for blob in (layout.root / "blobs" / "sha256").iterdir():
        blob.unlink()  # Nothing but index.json left to read.
    (layout.root / ".ocitui-metadata.sqlite").unlink(missing_ok=True)
    outline = outline_tree(layout)
    assert outline.partial and not full.partial

    def names(tree: LayoutTree) -> list[tuple[str, list[str]]]:
        return [
            (r.name, [t.ref_name for t in r.tags]) for g in tree.registries for r in g.repositories
        ]

    assert names(outline) == names(full)
    assert (outline.tag_count, outline.entry_count) == (full.tag_count, full.entry_count)
    item = outline.registries[0].repositories[0].tags[0]
    assert (item.info.platform_count, item.info.referrer_count) == (0, 0)
    # Searchable by name and digest prefix, not yet by what is attached.
    assert [
        t.tag
        for g in filter_tree(outline, "1.1").registries
        for r in g.repositories
        for t in r.tags
    ] == ["1.1"]
    digest = item.info.descriptor.digest.encoded[:8]
    assert [
        t.ref_name
        for g in filter_tree(outline, digest).registries
        for r in g.repositories
        for t in r.tags
    ] == [item.ref_name]
    assert filter_tree(outline, "spdx").partial


def test_repositories_and_tags_sort_naturally(tmp_path: Path) -> None:
    layout = build_sample(tmp_path / "sample")
    image = layout.resolve("registry.example.com/demo/app:1.1")
    for name in ("app10:1.10", "app2:1.9", "app10:1.9", "app1:1"):
        layout.set_tag(f"registry.example.com/n/{name}", image)
    repos = [
        (r.repository, [t.tag for t in r.tags])
        for g in build_tree(layout).registries
        if g.registry == "registry.example.com"
        for r in g.repositories
        if r.repository.startswith("n/")
    ]
    assert repos == [("n/app1", ["1"]), ("n/app2", ["1.9"]), ("n/app10", ["1.9", "1.10"])]

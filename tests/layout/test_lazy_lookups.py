"""Lookups of one entry (``inspect REF``, ``referrers REF``) judge only what they use.

A fresh :class:`Layout` answers ``resolve``, ``referrers``, ``referrer_tree`` and
``legacy_attachments`` from the decoded ``index.json`` without validating every entry;
the answers must be those of the full path (every entry validated, the full referrer
view), and a malformed entry must still be reported wherever it matters.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ocitui.core import media_types as mt
from ocitui.core.errors import LayoutError, OcituiError
from ocitui.core.layout import Layout
from ocitui.core.layout.metadata import METADATA_NAME
from ocitui.core.layout.referrers import PR1171_SUBJECT, SUBJECT_HINT
from ocitui.core.models import REF_NAME, Descriptor, parse_document
from tests.hostile.support import run_cli
from tests.support.builders import artifact_bytes, put_image, put_index

SPDX = "application/spdx+json"
SIG = "application/vnd.dev.cosign.artifact.sig.v1+json"


def _referrer(layout: Layout, subject: Descriptor, kind: str, n: int) -> Descriptor:
    raw = artifact_bytes(subject, kind, f"payload {n}".encode(), layout)
    return layout.put_document(raw, mt.OCI_MANIFEST)


def _entry(desc: Descriptor, **annotations: str) -> dict[str, object]:
    return {**desc.to_json(), "annotations": annotations} if annotations else desc.to_json()


def _mixed_layout(root: Path) -> tuple[Layout, list[Descriptor]]:
    """Every shape the referrer view knows, in one index.json."""
    layout = Layout.open(root, create=True)
    app = put_image(layout, {"a": b"1"}, ref="r.io/team/app:1").descriptor()
    other = put_image(layout, {"b": b"2"}, arch="arm64", ref="r.io/team/other:2").descriptor()
    multi = put_index(
        layout,
        [(parse_document(layout.read_blob(app.digest), mt.OCI_MANIFEST), "linux/amd64")],
        ref="r.io/team/multi:3",
    ).descriptor()
    sbom = layout.add_referrer(
        parse_document(layout.read_blob(_referrer(layout, app, SPDX, 1).digest), mt.OCI_MANIFEST)
    )
    sig_of_sbom = layout.add_referrer(
        parse_document(layout.read_blob(_referrer(layout, sbom, SIG, 2).digest), mt.OCI_MANIFEST)
    )
    unhinted = _referrer(layout, app, SIG, 3)  # oras-style: subject only inside
    tagged = _referrer(layout, other, SPDX, 4)  # skopeo copied to a tag
    pr1171 = _referrer(layout, multi, SPDX, 5)
    bad_hint = _referrer(layout, other, SIG, 6)  # an invalid hint: read from the manifest
    legacy = _referrer(layout, app, SIG, 7)
    fallback_child = _referrer(layout, other, SIG, 8)
    fallback = layout.put_document(
        json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": mt.OCI_INDEX,
                "manifests": [{**fallback_child.to_json(), "artifactType": SIG}],
            }
        ).encode(),
        mt.OCI_INDEX,
    )
    cosign_image = put_image(layout, {"c": b"3"}).descriptor()
    cosign_sig = _referrer(layout, other, SIG, 9)
    doc = json.loads((root / "index.json").read_bytes())
    doc["manifests"] += [
        _entry(unhinted),
        _entry(tagged, **{REF_NAME: "r.io/team/other:sig"}),
        _entry(pr1171, **{PR1171_SUBJECT: str(multi.digest)}),
        _entry(bad_hint, **{SUBJECT_HINT: "sha256:not-a-digest"}),
        _entry(legacy, **{REF_NAME: f"r.io/team/app:{app.digest.tag_form}.sig"}),
        _entry(fallback, **{REF_NAME: f"r.io/team/other:{other.digest.tag_form}"}),
        _entry(cosign_image, kind="dev.cosignproject.cosign/image"),
        _entry(cosign_sig, kind="dev.cosignproject.cosign/sigs"),
    ]
    (root / "index.json").write_text(json.dumps(doc))
    subjects = [app, other, multi, sbom, sig_of_sbom, unhinted, cosign_image, fallback_child]
    return Layout.open(root), subjects


NAMES = ("r.io/team/app:1", "app:1", "other:2", "r.io/team/multi:3", "other:sig")


def _answers(
    layout: Layout, subjects: list[Descriptor], names: tuple[str, ...] = NAMES
) -> list[object]:
    out: list[object] = []
    for subject in subjects:
        digest = subject.digest
        out.append(layout.resolve(str(digest)))
        out.append([(d, d.artifact_type, d.annotations) for d in layout.referrers(digest)])
        out.append(layout.referrers(digest, [SPDX]))
        out.append(repr(layout.referrer_tree(digest)))
        out.append(layout.legacy_attachments(digest))
    for name in names:
        out.append(layout.resolve(name))
    return out


def _full(root: Path, subjects: list[Descriptor], names: tuple[str, ...] = NAMES) -> list[object]:
    layout = Layout.open(root)
    layout.entries()  # Every entry validated: the full path.
    assert layout._few() is None
    return _answers(layout, subjects, names)


def _lazy(root: Path, subjects: list[Descriptor], names: tuple[str, ...] = NAMES) -> list[object]:
    layout = Layout.open(root)
    answers = _answers(layout, subjects, names)
    assert layout._entries is None, "the lookups validated every entry"
    return answers


@pytest.mark.parametrize("metadata", ["kept", "deleted before each run"])
def test_lookups_give_the_full_paths_answers(tmp_path: Path, metadata: str) -> None:
    root = tmp_path / "layout"
    _, subjects = _mixed_layout(root)
    for first in (_lazy, _full):  # Either order: the first run computes the facts.
        (root / METADATA_NAME).unlink(missing_ok=True)
        expected = first(root, subjects)
        if metadata != "kept":
            (root / METADATA_NAME).unlink(missing_ok=True)
        again = (_full if first is _lazy else _lazy)(root, subjects)
        assert again == expected
    flat = str(expected)
    for shape in ("manifest", "pr1171", "fallback-tag", "'ocitui'", "'sig'"):
        assert shape in flat  # Every source of the relation was exercised.


def test_the_demo_layout_gives_the_same_answers(demo_copy: Path) -> None:
    layout = Layout.open(demo_copy)
    subjects = layout.entries()
    names = tuple(e.ref_name for e in subjects if e.ref_name)
    assert _lazy(demo_copy, subjects, names) == _full(demo_copy, subjects, names)


def _break_entry(root: Path, position: int, **changes: object) -> None:
    doc = json.loads((root / "index.json").read_bytes())
    doc["manifests"][position].update(changes)
    (root / "index.json").write_text(json.dumps(doc))


def _position(root: Path, predicate: object) -> int:
    entries = json.loads((root / "index.json").read_bytes())["manifests"]
    return next(i for i, e in enumerate(entries) if predicate(e))  # type: ignore[operator]


def test_a_malformed_entry_is_reported_where_it_matters(tmp_path: Path) -> None:
    root = tmp_path / "layout"
    _, subjects = _mixed_layout(root)
    app, other = subjects[0], subjects[1]
    Layout.open(root).referrer_view()  # The facts of every manifest are stored.
    good = tmp_path / "good"
    shutil.copytree(root, good)
    # An entry of another image with a negative size.
    bad = _position(root, lambda e: e.get("annotations", {}).get(REF_NAME) == "r.io/team/other:2")
    _break_entry(root, bad, size=-1)
    with pytest.raises(LayoutError) as full_error:
        Layout.open(root).entries()
    message = str(full_error.value)
    assert f"manifests[{bad}]" in message
    # Looking at app: the broken entry is not used, the answers are unchanged.
    only = ("app:1", "r.io/team/app:1")
    assert _answers(Layout.open(root), [app], only) == _answers(Layout.open(good), [app], only)
    # Naming the broken entry, or asking for its referrers, or listing: the full error.
    for lookup in (
        lambda layout: layout.resolve("r.io/team/other:2"),
        lambda layout: layout.resolve(str(other.digest)),
        lambda layout: layout.entries(),
        lambda layout: layout.referrer_view(),
    ):
        with pytest.raises(LayoutError) as error:
            lookup(Layout.open(root))
        assert str(error.value) == message
    # A rewrite of index.json validates it all and changes nothing.
    before = (root / "index.json").read_bytes()
    with pytest.raises(OcituiError):
        Layout.open(root).set_tag("r.io/team/app:2", app)
    assert (root / "index.json").read_bytes() == before
    # The CLI: ls and fsck report it; inspect of another image works.
    for args in (["ls"], ["ls", "--json"], ["fsck"], ["tag", "app:1", "r.io/team/app:3"]):
        done = run_cli("--layout", root, *args)
        assert done.returncode == 1 and f"manifests[{bad}]" in done.stderr, (args, done.stderr)
    done = run_cli("--layout", root, "inspect", "app:1", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["digest"] == str(app.digest)


def test_a_malformed_possible_referrer_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "layout"
    _, subjects = _mixed_layout(root)
    app = subjects[0]
    # The unhinted referrer of app (its subject is only inside it), broken.
    position = _position(
        root, lambda e: "annotations" not in e and e["mediaType"] == mt.OCI_MANIFEST
    )
    _break_entry(root, position, urls="not a list")
    for lookup in (
        lambda layout: layout.referrers(app.digest),
        lambda layout: layout.referrer_tree(app.digest),
    ):
        with pytest.raises(LayoutError, match=rf"manifests\[{position}\]: urls"):
            lookup(Layout.open(root))
    done = run_cli("--layout", root, "referrers", "app:1")
    assert done.returncode == 1 and f"manifests[{position}]" in done.stderr


def test_a_deep_value_in_a_used_entry_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "layout"
    _, subjects = _mixed_layout(root)
    position = _position(
        root, lambda e: e.get("annotations", {}).get(REF_NAME) == "r.io/team/app:1"
    )
    deep: object = "x"
    for _ in range(100):
        deep = [deep]
    doc = json.loads((root / "index.json").read_bytes())
    doc["manifests"][position]["future"] = deep
    doc["padding"] = "p" * 70_000  # Over the size where msgspec decodes first.
    (root / "index.json").write_text(json.dumps(doc))
    with pytest.raises(LayoutError, match="nested deeper than 64 levels"):
        Layout.open(root).resolve("app:1")
    assert Layout.open(root).resolve("other:2").digest == subjects[1].digest


def test_many_unhinted_manifests_give_the_same_answers(tmp_path: Path) -> None:
    """Over 64 manifests without hints: the full view asks the stored facts which of
    them have no subject (one query) and reads only the others."""
    from bench.synth import make_layout

    root = tmp_path / "big"
    make_layout(root, 48)  # 48 images, each with a hinted SBOM referrer
    doc = json.loads((root / "index.json").read_bytes())
    for entry in doc["manifests"][1::4]:
        entry.get("annotations", {}).pop(SUBJECT_HINT, None)  # subject only inside now
    (root / "index.json").write_text(json.dumps(doc))
    layout = Layout.open(root)
    entries = layout.entries()
    unhinted = [e for e in entries if SUBJECT_HINT not in e.annotations]
    assert len(unhinted) > 64 and len(unhinted) < len(entries)

    def every_answer(layout: Layout) -> list[object]:
        return [
            (layout.referrers(e.digest), repr(layout.referrer_tree(e.digest)))
            for e in layout.entries()
        ]

    (root / METADATA_NAME).unlink(missing_ok=True)
    fresh = every_answer(Layout.open(root))  # computed from the blobs, facts stored
    assert (root / METADATA_NAME).is_file()
    assert every_answer(Layout.open(root)) == fresh  # from the stored facts
    assert sum(len(found) for found, _ in fresh) == 48
    subjects = [e for e in entries if e.ref_name]
    assert _lazy(root, subjects, ()) == _full(root, subjects, ())

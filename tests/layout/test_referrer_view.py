"""``ReferrerView`` decides most entries in its own loop and hands the rest to
``_add_entry``: the same relation as ``_add_entry`` deciding every entry."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.layout.referrers import (
    COSIGN_SAVE_KIND,
    PR1171_SUBJECT,
    SUBJECT_HINT,
    ReferrerView,
)
from ocitui.core.models import REF_NAME, Descriptor

SUBJECT = Digest.of(b"subject")


class _EveryEntryByAddEntry(ReferrerView):
    """The view as it was built before: ``_add_entry`` for every entry."""

    def __init__(self, layout: Layout, entries: list[Descriptor]) -> None:
        super().__init__(layout, [])
        self._by_subject = defaultdict(dict)
        self._legacy = defaultdict(list)
        self._unhinted = []
        for entry in entries:
            self._add_entry(layout, entry)


def _entry(n: int, media_type: str, annotations: dict[str, str]) -> Descriptor:
    return Descriptor(media_type, Digest.of(b"%d" % n), 10 + n, annotations)


def test_the_loop_decides_as_add_entry_does(tmp_path: Path) -> None:
    layout = Layout.open(tmp_path / "l", create=True)
    hex_ = SUBJECT.encoded
    shapes: list[dict[str, str]] = [
        {},
        {REF_NAME: "r.io/app:1"},
        {REF_NAME: ""},
        {SUBJECT_HINT: str(SUBJECT)},
        {SUBJECT_HINT: ""},
        {SUBJECT_HINT: "not a digest", REF_NAME: "r.io/app:2"},
        {PR1171_SUBJECT: str(SUBJECT)},
        {SUBJECT_HINT: "", PR1171_SUBJECT: str(SUBJECT)},
        {REF_NAME: f"r.io/app:sha256-{hex_}.sig"},
        {REF_NAME: f"sha256-{hex_}.att"},
        {REF_NAME: f"r.io/app:sha256-{hex_}"},
        {REF_NAME: "r.io/app:sha256-short"},
        {COSIGN_SAVE_KIND: "dev.cosignproject.cosign/sigs"},
        {"other": "x"},
    ]
    entries = [
        _entry(n * 3 + k, media_type, annotations)
        for n, annotations in enumerate(shapes)
        for k, media_type in enumerate((mt.OCI_MANIFEST, mt.OCI_INDEX, "application/x-other"))
    ]
    view = ReferrerView(layout, entries)
    before = _EveryEntryByAddEntry(layout, entries)
    assert dict(view._by_subject) == dict(before._by_subject)
    assert dict(view._legacy) == dict(before._legacy)
    assert view._unhinted == before._unhinted
    assert view.count(SUBJECT) >= 3 and len(view._unhinted) > 10

"""``/`` in the Registry pane (core: views_registry_search): repository names keep a
repository whole; a tag is kept by its own terms or those of anything read below it
(platforms, referrers at any depth, verdicts), as Browse's ``/`` does; unread is unsearched."""

from __future__ import annotations

import pytest

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.models import Descriptor
from ocitui.core.views_registry import Catalog, Expansion, RemoteNode
from ocitui.core.views_registry_search import RegistryFilter, filter_catalog

CATALOG = Catalog("registry.test", ("demo/app", "demo/db", "other/tool"))
APP = RemoteNode.repository_node("registry.test", "demo/app")
REPO = APP.repository


def descriptor(char: str, artifact_type: str | None = None) -> Descriptor:
    return Descriptor(mt.OCI_MANIFEST, Digest("sha256", char * 64), 100, {}, artifact_type)


TAGS = tuple(RemoteNode("tag", REPO, tag) for tag in ("1.0", "1.1", "2.0"))
INDEX = Descriptor(mt.OCI_INDEX, Digest("sha256", "1" * 64), 300)
SBOM = RemoteNode("referrer", REPO, "", descriptor("5", mt.SPDX_JSON), INDEX.digest, "verified")
STRAY = RemoteNode(
    "referrer", REPO, "", descriptor("7"), INDEX.digest, "mismatch", "names @cccc, not @1111"
)
SIGNATURE = RemoteNode(
    "referrer", REPO, "", descriptor("e", mt.SIGSTORE_BUNDLE), SBOM.descriptor.digest, "verified"
)
PLATFORM = RemoteNode("platform", REPO, "linux/riscv64", descriptor("9"))
EXPANSIONS = {
    APP.key: Expansion(None, TAGS, "3 tags"),
    TAGS[0].key: Expansion(INDEX, (PLATFORM, SBOM, STRAY), "index"),
    SBOM.key: Expansion(SBOM.descriptor, (SIGNATURE,), "SPDX SBOM"),
}


def kept(text: str) -> list[tuple[str, list[str] | None]]:
    return [
        (repo.name, None if only is None else [n.name for n in only])
        for repo, only in filter_catalog(CATALOG, EXPANSIONS, text)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [("demo/app", None), ("demo/db", None), ("other/tool", None)]),
        ("DEMO", [("demo/app", None), ("demo/db", None)]),
        ("tool", [("other/tool", None)]),  # not opened: its name alone
        ("1.1", [("demo/app", ["1.1"])]),
        ("registry.test/demo/app:2.0", [("demo/app", ["2.0"])]),
        ("riscv", [("demo/app", ["1.0"])]),  # a platform read under the tag
        ("spdx", [("demo/app", ["1.0"])]),  # a referrer's type label
        ("sigstore", [("demo/app", ["1.0"])]),  # the referrer of a referrer
        ("mismatch", [("demo/app", ["1.0"])]),  # a flagged verdict
        ("eeee", [("demo/app", ["1.0"])]),  # a digest prefix (4+ hex)
        ("sha256:5555", [("demo/app", ["1.0"])]),
        ("index", [("demo/app", ["1.0"])]),
        ("zz", []),
    ],
)
def test_what_slash_keeps(text: str, expected: list[tuple[str, list[str] | None]]) -> None:
    assert kept(text) == expected


def test_a_short_hex_needle_is_not_a_digest_prefix() -> None:
    assert kept("eee") == []


def test_kept_terms_are_dropped_when_something_new_is_read() -> None:
    """The pane keeps one RegistryFilter: terms survive keystrokes, ``forget`` after a
    new expansion makes its nodes searchable."""
    search = RegistryFilter()
    read = {APP.key: EXPANSIONS[APP.key]}
    assert search.keep(CATALOG, read, "spdx") == []
    read.update(EXPANSIONS)
    search.forget()
    assert [(repo.name, only) for repo, only in search.keep(CATALOG, read, "spdx")] == [
        ("demo/app", (TAGS[0],))
    ]


def test_typing_narrows_what_the_last_keystroke_kept_and_agrees_with_a_fresh_filter() -> None:
    """As in Browse: a keystroke that extends the text filters what the previous one kept
    (so it costs what is left), backspace reuses an earlier result, a keystroke that keeps
    everything it was given returns that same list, and every answer equals a fresh
    :func:`filter_catalog` of the same text."""
    big = Catalog("registry.test", (*CATALOG.repositories, *(f"team/svc{i}" for i in range(300))))
    looked_at: list[int] = []

    class Counting(RegistryFilter):
        def _keep(self, kept, expansions, needle):  # type: ignore[no-untyped-def]
            looked_at.append(len(kept))
            return super()._keep(kept, expansions, needle)

    search = Counting()
    typed = ["t", "te", "team", "team/svc1", "team/svc12", "team/svc1", "team/svc2", "", "s"]
    typed += ["sp", "spdx", "sha256:5", "sha256:5555", "1.1"]
    answers = {}
    for text in typed:
        answers[text] = search.keep(big, EXPANSIONS, text)
        fresh = filter_catalog(big, EXPANSIONS, text)
        assert [(r.name, o) for r, o in answers[text]] == [(r.name, o) for r, o in fresh], text
    # "t" keeps everything (all names hold a "t"): the whole list itself, nothing copied.
    assert answers["t"] is search.keep(big, EXPANSIONS, "")
    # "team/svc12" looked only at what "team/svc1" kept (111 repositories, not 303:
    # "te" matches every reference, "team" keeps 300); backspacing to "team/svc1" filtered
    # nothing again; "team/svc2" started from what "team" kept.
    assert looked_at[:6] == [303, 303, 303, 300, 111, 300]
    assert len(answers["team/svc12"]) == 11

"""Search terms: texts match anywhere, digests only by a prefix of 4+ hex characters."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocitui.core.layout import Layout
from ocitui.core.views import build_tree
from ocitui.core.views_locate import Location, locate
from ocitui.core.views_search import SearchTerms, filter_tree

TERMS = SearchTerms(
    ("registry.example.com/demo/app:1.0", "spdx sbom"), ("26f8dfd94c39" + "0" * 52,)
)


@pytest.mark.parametrize(
    ("needle", "hit"),
    [
        ("spdx", True),
        ("app:1.0", True),
        ("26f8", True),
        ("sha256:26f8dfd9", True),
        ("sha", False),
        ("sha256:", False),
        ("26f", False),
        ("f8df", False),
        ("cyclonedx", False),
    ],
)
def test_matches(needle: str, hit: bool) -> None:
    assert TERMS.matches(needle) is hit


def tags(layout: Layout, text: str) -> list[str]:
    tree = filter_tree(build_tree(layout), text)
    return [t.tag for r in tree.registries for repo in r.repositories for t in repo.tags]


def test_demo_spdx_keeps_the_images_with_an_sbom(demo_copy: Path) -> None:
    layout = Layout.open(demo_copy)
    assert tags(layout, "spdx") == ["1.0", "1.1"]
    assert tags(layout, "SLSA") == ["1.0"]  # the attestation's predicate-type annotation
    assert tags(layout, "imgpkg") == ["1.0"]
    assert tags(layout, "nothing-like-this") == []


def test_locate_referrer_of_referrer(demo_copy: Path) -> None:
    layout = Layout.open(demo_copy)
    sig = layout.entries()
    target = next(e for e in sig if e.digest.encoded.startswith("e2e1ef06"))
    sbom = next(e for e in sig if e.digest.encoded.startswith("9cbd7e27"))
    assert locate(layout, "e2e1ef06") == Location(
        "registry.example.com/demo/app:1.0", (sbom.digest, target.digest)
    )
    assert locate(layout, "app:1.1") == Location("registry.example.com/demo/app:1.1")

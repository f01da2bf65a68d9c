"""Search terms: texts match anywhere, digests only by a prefix of 4+ hex characters."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocitui.core.layout import Layout
from ocitui.core.views import LayoutTree, build_tree
from ocitui.core.views_locate import Location, locate
from ocitui.core.views_search import SearchTerms, TreeFilter, filter_tree, narrows

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


@pytest.mark.parametrize(
    ("base", "needle", "narrow"),
    [
        ("app", "app7", True),
        ("9cbd", "9cbd7", True),
        ("sha256:9cbd", "sha256:9cbd7", True),
        ("9cb", "9cbd", False),  # "9cb" matches no digest; "9cbd" may.
        ("sha256", "sha256:9cbd", False),
        ("sha256:", "sha256:9cbd", False),
        ("sp", "spdx", True),
        ("app", "ap", False),
        ("x", "ax", False),
    ],
)
def test_narrows(base: str, needle: str, narrow: bool) -> None:
    assert narrows(base, needle) is narrow


def shown(tree: LayoutTree) -> tuple[list[str], list[str]]:
    tags = [t.ref_name for r in tree.registries for repo in r.repositories for t in repo.tags]
    return tags, [str(u.descriptor.digest) for u in tree.untagged]


def test_typing_and_erasing_filters_like_the_whole_tree(demo_copy: Path) -> None:
    layout = Layout.open(demo_copy)
    full = build_tree(layout)
    sbom = next(e for e in layout.entries() if e.digest.encoded.startswith("9cbd7e27"))
    words = ["spdx", "app:1.1", f"sha256:{sbom.digest.encoded[:10]}", sbom.digest.encoded[:9]]
    typing = TreeFilter(full)
    seen: set[int] = set()
    for word in words:
        texts = [word[:n] for n in range(1, len(word) + 1)]
        for text in [*texts, *reversed(texts[:-1]), "", *texts]:
            result = typing(text)
            assert shown(result) == shown(filter_tree(full, text)), text
            seen.add(len(shown(result)[0]))
    assert len(seen) > 2  # The words kept different amounts along the way.


def test_filter_keeps_exactly_the_tags_whose_own_terms_match(demo_copy: Path) -> None:
    """Repositories of one tag and of several, whole or in part: the result is the tags
    that match one by one, in order."""
    layout = Layout.open(demo_copy)
    full = build_tree(layout)
    sizes = {len(repo.tags) for reg in full.registries for repo in reg.repositories}
    assert 1 in sizes and max(sizes) > 1
    words = ["registry.example.com/demo/bundle:1.0", "app:1.1", "imgpkg", "spdx", "zzz"]
    for word in words:
        for text in (word[:n] for n in range(1, len(word) + 1)):
            expected = [
                t.ref_name
                for reg in full.registries
                for repo in reg.repositories
                for t in repo.tags
                if t.terms.matches(text.lower())
            ]
            assert shown(filter_tree(full, text))[0] == expected, text

"""Masterminds semver v3 semantics, as skopeo's images-by-semver applies them."""

from __future__ import annotations

import pytest

from ocitui.core.mirror.semver import SemverError, parse_constraint, parse_version, try_version


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("1.2.3", "1.2.3"),
        ("v1.2.3", "1.2.3"),
        ("1.2", "1.2.0"),
        ("3", "3.0.0"),
        ("01.2.3", "1.2.3"),  # lenient NewVersion: leading zeros in numbers are fine
        ("1.2.3-rc.1+build.5", "1.2.3-rc.1+build.5"),
        ("1.2.3-alpha-1", "1.2.3-alpha-1"),
    ],
)
def test_versions_parse_leniently(text: str, parsed: str) -> None:
    assert str(parse_version(text)) == parsed


@pytest.mark.parametrize(
    "text", ["latest", "1.2.3.4", "1.2.3-", "1.2.3-01", "1.2.3-a..b", "1.2.3+", "v", "", "1.x"]
)
def test_non_versions(text: str) -> None:
    assert try_version(text) is None


def test_precedence() -> None:
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.2.0",
        "1.10.0",
    ]
    versions = [parse_version(v) for v in ordered]
    assert sorted(reversed(versions)) == versions
    assert parse_version("1.0.0+a") == parse_version("1.0.0+b")


CASES = [
    # (constraint, version, expected)
    (">= 3.12.0", "3.12", True),
    (">= 3.12.0", "3.9.9", False),
    (">=3.14", "3.20", True),
    (">1.2", "1.2.5", False),  # ">1.2" needs 1.3.0 or more
    (">1.2", "1.3.0", True),
    (">1", "1.9.0", False),  # ">1" needs 2.0.0 or more
    (">1", "2.0.0", True),
    (">1.2.3", "1.2.4", True),
    ("<1.2", "1.1.9", True),
    ("<1.2", "1.2.0", False),
    ("<=1.2", "1.2.9", True),  # "<=1.2" takes every 1.2.x
    ("<=1.2", "1.3.0", False),
    ("<=1.2.3", "1.2.4", False),
    ("=1.2.3", "1.2.3", True),
    ("1.2.3", "1.2.4", False),
    ("1.2.x", "1.2.9", True),
    ("1.2.x", "1.3.0", False),
    ("1.x", "1.9.9", True),
    ("*", "4.5.6", True),
    ("!=1.2.3", "1.2.3", False),
    ("!=1.2.3", "1.2.4", True),
    ("!=1.2.x", "1.2.7", False),
    ("!=1.x", "1.5.0", False),
    ("!=1.x", "2.0.0", True),
    ("~1.2.3", "1.2.9", True),
    ("~1.2.3", "1.3.0", False),
    ("~1", "1.9.0", True),
    ("~1", "2.0.0", False),
    ("~>1.2", "1.2.5", True),
    ("^1.2.3", "1.9.0", True),
    ("^1.2.3", "2.0.0", False),
    ("^0.2.3", "0.2.9", True),
    ("^0.2.3", "0.3.0", False),
    ("^0.0.3", "0.0.3", True),
    ("^0.0.3", "0.0.4", False),
    ("^0", "0.9.0", True),
    ("^0", "1.0.0", False),
    ("1.2 - 1.4.5", "1.4.5", True),
    ("1.2 - 1.4.5", "1.4.6", False),
    ("1.2 - 1.4.5", "1.1.9", False),
    (">= 1.2, < 3.0.0 || >= 4.2.3", "2.5.0", True),
    (">= 1.2, < 3.0.0 || >= 4.2.3", "3.5.0", False),
    (">= 1.2, < 3.0.0 || >= 4.2.3", "4.3.0", True),
    (">=1.2 <3", "2.9.9", True),
    # Pre-releases only match a group that names one.
    (">=1.0", "2.0.0-rc1", False),
    (">=1.0.0-0", "2.0.0-rc1", True),
    (">=2.0.0-alpha <3", "2.0.0-beta", True),
    (">=1.0 || >=2.0.0-a", "2.0.0-rc1", True),
]


@pytest.mark.parametrize(("constraint", "version", "expected"), CASES)
def test_constraints(constraint: str, version: str, expected: bool) -> None:
    assert parse_constraint(constraint).check(parse_version(version)) is expected


@pytest.mark.parametrize("text", ["", "   ", ">>1", "1.2.3.4", "> =1", "latest", "1 || ", ">=a"])
def test_bad_constraints(text: str) -> None:
    with pytest.raises(SemverError):
        parse_constraint(text)


def test_tags_that_are_not_versions_are_skipped() -> None:
    constraint = parse_constraint(">=1")
    assert not constraint.check_tag("latest")
    assert constraint.check_tag("v1.4")

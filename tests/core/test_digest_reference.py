"""Digests and references: the exact grammars and docker normalisation."""

from __future__ import annotations

import pytest

from ocitui.core.digest import Digest, Verifier, verify_bytes
from ocitui.core.errors import DigestMismatch, InvalidDigest, InvalidReference
from ocitui.core.reference import parse_reference

HEX = "a" * 64


@pytest.mark.parametrize(
    "text",
    [
        "sha256:../../etc/passwd",
        "sha256:" + "A" * 64,
        "sha256:" + "a" * 63,
        "sha256:" + "a" * 65,
        "sha512:" + "a" * 64,
        "md5:" + "a" * 32,
        "sha256",
        "",
        "sha256:/" + "a" * 63,
    ],
)
def test_bad_digests_are_refused(text: str) -> None:
    with pytest.raises(InvalidDigest):
        Digest.parse(text)


def test_sha256_and_sha512_parse() -> None:
    assert str(Digest.parse(f"sha256:{HEX}")) == f"sha256:{HEX}"
    assert Digest.parse("sha512:" + "b" * 128).algorithm == "sha512"


def test_verifier_refuses_extra_bytes_and_wrong_content() -> None:
    digest = Digest.of(b"hello")
    verifier = Verifier(digest, 5)
    with pytest.raises(DigestMismatch):
        verifier.update(b"hello!")
    with pytest.raises(DigestMismatch):
        verify_bytes(b"hellO", digest, 5)
    verify_bytes(b"hello", digest, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alpine", "docker.io/library/alpine:latest"),
        ("alpine:3.20", "docker.io/library/alpine:3.20"),
        ("library/alpine", "docker.io/library/alpine:latest"),
        ("user/app:v1", "docker.io/user/app:v1"),
        ("index.docker.io/foo", "docker.io/library/foo:latest"),
        ("localhost:5000/x", "localhost:5000/x:latest"),
        ("localhost/x:1", "localhost/x:1"),
        ("ghcr.io/org/app:v1", "ghcr.io/org/app:v1"),
        (f"ghcr.io/org/app@sha256:{HEX}", f"ghcr.io/org/app@sha256:{HEX}"),
        (f"ghcr.io/org/app:v1@sha256:{HEX}", f"ghcr.io/org/app:v1@sha256:{HEX}"),
        ("[::1]:5000/a/b", "[::1]:5000/a/b:latest"),
        ("docker://quay.io/a/b:c", "quay.io/a/b:c"),
    ],
)
def test_normalisation(text: str, expected: str) -> None:
    assert str(parse_reference(text)) == expected


def test_digest_wins_and_api_host() -> None:
    ref = parse_reference(f"alpine:3@sha256:{HEX}")
    assert ref.identifier == f"sha256:{HEX}"
    assert ref.tag == "3"
    assert ref.api_host == "registry-1.docker.io"
    assert parse_reference("ghcr.io/a/b").api_host == "ghcr.io"


@pytest.mark.parametrize(
    "text",
    [
        "UPPER",
        "ghcr.io/Org/app",
        "app@sha256:short",
        "a b",
        "app:",
        ":tag",
        "a" * 64,
        "ghcr.io/app:-bad",
    ],
)
def test_bad_references(text: str) -> None:
    with pytest.raises(InvalidReference):
        parse_reference(text)


def test_is_valid_says_what_parse_does() -> None:
    hex64 = "a" * 64
    values: list[object] = [
        f"sha256:{hex64}",
        f"sha512:{'b' * 128}",
        f"sha256:{hex64}\n",
        f"sha256:{hex64.upper()}",
        f"sha256:{hex64[:-1]}",
        f"sha512:{hex64}",
        f"md5:{'c' * 32}",
        f"sha256+b64:{hex64}",
        "sha256:",
        "",
        None,
        7,
        [f"sha256:{hex64}"],
    ]
    for value in values:
        try:
            Digest.parse(value)
            parsed = True
        except InvalidDigest:
            parsed = False
        assert Digest.is_valid(value) is parsed, value

"""Reading mirror files: skopeo sync's YAML as skopeo reads it, ocitui's format strictly."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocitui.core.mirror import MirrorFileError, TagSelection, load_mirror_file
from ocitui.core.mirror.goregex import TagRegexError, compile_tag_regex
from ocitui.core.mirror.semver import SemverError

DIGEST = "sha256:" + "ab" * 32


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "m.yaml"
    path.write_text(text)
    return load_mirror_file(path)


def test_skopeo_file_as_skopeo_reads_it(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        f"""registry.example.com:
  images:
    busybox: []
    redis: [1.10, "{DIGEST}"]
    alpine:
  images-by-tag-regex:
    nginx: ^1\\.13\\.[12]-alpine-perl$
  images-by-semver:
    team/app: ">= 3.12.0"
  tls-verify: no
  cert-dir: /etc/certs
  credentials: {{username: john, password: s3cret}}
  something: else
docker.io:
  images:
    busybox: [latest]
quay.io: {{}}
""",
    )
    assert config.format == "skopeo"
    by_origin = {e.origin: e for e in config.entries}
    assert by_origin["registry.example.com.images.busybox"].selection == TagSelection()
    assert by_origin["registry.example.com.images.redis"].selection.tags == ("1.10", DIGEST)
    assert by_origin["registry.example.com.images.alpine"].selection.needs_listing
    regex = by_origin["registry.example.com.images-by-tag-regex.nginx"]
    assert regex.selection.select(["1.13.1-alpine-perl", "1.13.3-alpine-perl"]) == [
        "1.13.1-alpine-perl"
    ]
    semver = by_origin["registry.example.com.images-by-semver.team/app"]
    assert semver.source.name == "registry.example.com/team/app"
    assert semver.selection.select(["3.11", "3.12", "v3.20.1", "latest", "4.0.0-rc1"]) == [
        "3.12",
        "v3.20.1",
    ]
    assert semver.settings.tls_verify is False and semver.settings.cert_dir == "/etc/certs"
    assert semver.settings.credentials is not None
    assert "s3cret" not in repr(semver) and "s3cret" not in str(config.to_json())
    hub = by_origin["docker.io.images.busybox"]
    assert hub.source.name == "docker.io/library/busybox"
    assert any("something" in w for w in config.warnings)
    assert any(w.startswith("quay.io: no images") for w in config.warnings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("r.io:\n  images:\n    a: []\n    a: [x]\n", "already defined"),
        ("r.io:\n  images-by-tag-regex:\n    a: '(?=x)'\n", "look-around"),
        ("r.io:\n  images-by-semver:\n    a: '>>1'\n", "improper constraint"),
        ("r.io:\n  images:\n    Bad/Name: []\n", "invalid reference"),
        ("r.io:\n  images:\n    a:b: []\n", "names an image"),
        ("r.io:\n  tls-verify: maybe\n  images: {a: []}\n", "expected true or false"),
        ("- a\n- b\n", "expected a mapping"),
        ("r.io: {}\n", "no images to mirror"),
        ("r.io:\n  images: [\n", "not valid YAML"),
    ],
)
def test_skopeo_file_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(MirrorFileError, match=message):
        load(tmp_path, text)


def test_own_format(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """ocitui-mirror: v1
destination: mirror.internal:5000/m
registries:
  registry.example.com/team: {tls-verify: false}
defaults:
  platforms: [linux/amd64, linux/arm64]
images:
  - source: registry.example.com/team/app
    tags: ["1.0"]
    tags-regex: '^1\\.'
    semver: ">=1.1"
    newest: 2
    artifact-types: [application/spdx+json]
    legacy-tags: false
  - source: registry.example.com/other
    destination: elsewhere.io/x/other
    referrers: false
    platforms: []
""",
    )
    app, other = config.entries
    assert config.format == "ocitui"
    assert [str(p) for p in app.filter.platforms] == ["linux/amd64", "linux/arm64"]
    assert app.filter.artifact_types == ("application/spdx+json",)
    assert not app.legacy_tags and app.settings.tls_verify is False
    assert app.destination is not None
    assert app.destination.name == "mirror.internal:5000/m/team/app"
    listed = ["0.9", "1.0", "1.1", "1.2", "1.10", "1.2-rc1", "2.0", "1.x"]
    assert app.selection.select(listed) == ["1.0", "1.10", "1.2"]
    assert other.destination is not None and other.destination.name == "elsewhere.io/x/other"
    assert not other.filter.referrers and other.filter.platforms == ()
    assert other.settings.tls_verify is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("images:\n  - source: r.io/a\n    tag: [x]\n", "unknown keys tag"),
        ("images:\n  - tags: [x]\n", "'source'"),
        ("images:\n  - source: r.io/a\n    newest: 0\n", "positive number"),
        ("images:\n  - source: r.io/a:1.0\n", "names an image"),
        ("images: []\n", "non-empty list"),
        ("colour: red\nimages:\n  - source: r.io/a\n", "unknown keys colour"),
    ],
)
def test_own_format_errors(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(MirrorFileError, match=message):
        load(tmp_path, "ocitui-mirror: v1\n" + body)


def test_own_format_version(tmp_path: Path) -> None:
    with pytest.raises(MirrorFileError, match="unsupported ocitui-mirror version"):
        load(tmp_path, "ocitui-mirror: v2\nimages:\n  - source: r.io/a\n")


@pytest.mark.parametrize(
    ("pattern", "tags", "kept"),
    [
        (r"1\.2", ["v1.2-alpine", "1.3", "11.2"], ["v1.2-alpine", "11.2"]),  # unanchored
        (r"^1\.13\.[12]$", ["1.13.1", "1.13.12", "x1.13.1"], ["1.13.1"]),
        (r"^[[:digit:]]+$", ["123", "12a"], ["123"]),
        (r"\Qa.b\E\z", ["xa.b", "a.bc", "axb"], ["xa.b"]),
        (r"^\d+$", ["123", "١٢٣"], ["123"]),  # \d is ASCII in RE2
        (r"[]a]", ["]", "b"], ["]"]),
        (r"^\pN+$", ["42", "x"], ["42"]),
        ("(?i)^LATEST$", ["latest", "Latest"], ["latest", "Latest"]),
    ],
)
def test_tag_regex_reads_re2(pattern: str, tags: list[str], kept: list[str]) -> None:
    compiled = compile_tag_regex(pattern)
    assert [t for t in tags if compiled.search(t)] == kept


@pytest.mark.parametrize("pattern", [r"(?<=a)b", r"(a)\1", r"a++", r"\Z", "(", r"[[:nope:]]"])
def test_tag_regex_refuses_what_re2_refuses(pattern: str) -> None:
    with pytest.raises(TagRegexError):
        compile_tag_regex(pattern)


def test_selection_checks_while_loading() -> None:
    with pytest.raises(SemverError):
        TagSelection(semver="nope")
    assert TagSelection(tags=("a", "b")).select(["c"]) == ["a", "b"]
    assert TagSelection().select(["c", "d"]) == ["c", "d"]

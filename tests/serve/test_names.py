"""The served-name rules: short paths, host-qualified paths, ambiguity, bare tags."""

from __future__ import annotations

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.models import REF_NAME, Descriptor
from ocitui.core.serve.names import NameMap, qualified


def _entry(name: str | None, n: int = 1) -> Descriptor:
    annotations = {REF_NAME: name} if name else {}
    return Descriptor(mt.OCI_MANIFEST, Digest("sha256", f"{n:064x}"), 10, annotations)


def test_short_and_qualified_paths() -> None:
    names = NameMap.build([_entry("registry.example.com/demo/app:1.0")])
    assert names.catalog() == ["demo/app", "registry.example.com/demo/app"]
    assert set(names.tags("demo/app") or {}) == {"1.0"}
    assert names.tags("registry.example.com/demo/app") == names.tags("demo/app")
    assert names.full_name("demo/app", "registry.example.com", "2.0") == (
        "registry.example.com/demo/app:2.0"
    )


def test_port_colon_becomes_underscore() -> None:
    names = NameMap.build([_entry("localhost:5000/team/x:v1")])
    assert qualified("localhost:5000", "team/x") == "localhost_5000/team/x"
    assert "localhost_5000/team/x" in names.catalog()
    assert names.full_name("localhost_5000/team/x", "localhost:5000", "v2") == (
        "localhost:5000/team/x:v2"
    )


def test_two_registries_one_path_is_ambiguous_until_ns_or_prefer() -> None:
    entries = [_entry("a.io/team/app:1", 1), _entry("b.io/team/app:2", 2)]
    names = NameMap.build(entries)
    assert names.tags("team/app") is None
    assert names.ambiguous["team/app"] == ["a.io/team/app", "b.io/team/app"]
    assert set(names.tags("team/app", ns="b.io") or {}) == {"2"}
    assert names.tags("team/app", ns="quay.io") is None  # A mirror never answers for others.
    assert set(names.tags("a.io/team/app") or {}) == {"1"}
    assert names.host_for_push("team/app", None, "localhost") is None
    preferred = NameMap.build(entries, prefer=["b.io"])
    assert set(preferred.tags("team/app") or {}) == {"2"}
    assert preferred.host_for_push("team/app", None, "localhost") == "b.io"


def test_bare_tags_and_untagged_entries() -> None:
    entries = [_entry("1.0", 1), _entry(None, 2), _entry("r.io/x@sha256:" + "a" * 64, 3)]
    names = NameMap.build(entries, bare_repo="mine")
    assert names.catalog() == ["mine"]
    assert set(names.tags("mine") or {}) == {"1.0"}


def test_push_hosts_for_new_names() -> None:
    names = NameMap.build([_entry("docker.io/library/alpine:3", 1)])
    assert names.host_for_push("library/alpine", None, "localhost") == "docker.io"
    assert names.host_for_push("library/alpine", "index.docker.io", "localhost") == "docker.io"
    assert names.host_for_push("new/repo", None, "localhost") == "localhost"
    assert names.host_for_push("mirror.example.com/new/repo", None, "localhost") == (
        "mirror.example.com"
    )

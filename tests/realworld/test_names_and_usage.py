"""Issue 15 items 2, 9, 10 and 12: short tags, name validation, import leftovers, usage."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocitui.core.layout import Layout
from ocitui.core.layout.fsck import fsck
from tests.realworld.cli import ocitui
from tests.realworld.foreign import skopeo_shape


def test_push_of_a_short_tag_keeps_the_tag(
    tmp_path: Path, fake_registry: Callable[..., Any]
) -> None:
    layout, image, _sig = skopeo_shape(tmp_path / "l")
    registry = fake_registry()
    done = ocitui("--layout", str(layout.root), "push", "v1", f"{registry.host}/orl/app")
    assert done.returncode == 0, done.stderr
    repo = registry.state.repo("orl/app")
    assert repo.tags.get("v1") == str(image.digest)
    assert "latest" not in repo.tags


def test_push_all_to_does_not_invent_library_names(
    tmp_path: Path, fake_registry: Callable[..., Any]
) -> None:
    layout, _image, _sig = skopeo_shape(tmp_path / "l")
    registry = fake_registry()
    where = str(layout.root)
    left = ocitui("--layout", where, "push", "--all-to", f"{registry.host}/allor", "--dry-run")
    assert "library/" not in left.stdout + left.stderr
    assert "left behind 'v1'" in left.stderr and "--repository" in left.stderr
    named = ocitui(
        "--layout", where, "push", "--all-to", f"{registry.host}/allor",
        "--repository", "orl/app", "--dry-run", "--json",
    )  # fmt: skip
    assert named.returncode == 0, named.stderr
    plan = json.loads(named.stdout.splitlines()[0]) if named.stdout.startswith("{") else None
    assert f"{registry.host}/allor/orl/app:v1" in named.stdout, plan
    assert "library/" not in named.stdout


def test_fsck_repair_names_short_tags_without_losing_anything(tmp_path: Path) -> None:
    layout, image, sig = skopeo_shape(tmp_path / "l")
    notes = [f for f in fsck(layout).findings if f.code == "short-tag"]
    assert len(notes) == 2 and not any(f.repaired for f in notes)
    report = fsck(layout, repair=True, repository="registry.example.com/orl/app")
    assert report.ok, report.to_json()
    names = {e.ref_name: e.digest for e in layout.entries() if e.ref_name}
    assert names == {
        "registry.example.com/orl/app:v1": image.digest,
        "registry.example.com/orl/app:sigx": sig.digest,
    }
    assert [d.digest for d in layout.referrers(image.digest)] == [sig.digest]
    assert layout.resolve("orl/app:v1").digest == image.digest


def test_import_repository_names_short_tags(tmp_path: Path) -> None:
    source, image, _sig = skopeo_shape(tmp_path / "src")
    archive = tmp_path / "skopeo.tar"
    with tarfile.open(archive, "w") as tar:
        for name in ("oci-layout", "index.json", "blobs"):
            tar.add(source.root / name, arcname=name)
    dest = tmp_path / "dest"
    done = ocitui("--layout", str(dest), "import", str(archive), "--repository", "team/app")
    assert done.returncode == 0, done.stderr
    assert Layout.open(dest).resolve("docker.io/team/app:v1").digest == image.digest
    bad = ocitui("--layout", str(tmp_path / "d2"), "import", str(archive), "--repository", "A B")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1, bad.stderr


def test_tag_refuses_names_that_are_not_references(tmp_path: Path) -> None:
    layout, _image, _sig = skopeo_shape(tmp_path / "l")
    before = (layout.root / "index.json").read_bytes()
    for bad in ("Bad:Name:x", "", "has space"):
        done = ocitui("--layout", str(layout.root), "tag", "v1", bad)
        assert done.returncode == 1, (bad, done.stdout)
        assert done.stderr.startswith("ocitui: error: invalid reference"), done.stderr
        assert done.stderr.count("\n") == 1
    assert (layout.root / "index.json").read_bytes() == before


def test_import_of_a_missing_file_leaves_no_layout(tmp_path: Path) -> None:
    new = tmp_path / "new"
    done = ocitui("--layout", str(new), "import", str(tmp_path / "nonexistent.tar"))
    assert done.returncode == 1 and "no such archive" in done.stderr
    assert not new.exists()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    layout, _image, _sig = skopeo_shape(tmp_path / "l")
    push = ocitui("--layout", str(layout.root), "push", "v1")
    assert push.returncode == 2, push.stderr
    export = ocitui("--layout", str(layout.root), "export")
    assert export.returncode == 2
    assert "REF" not in export.stderr.split("error:", 1)[1].split("(")[0], export.stderr


def test_inspect_prints_values_not_python_reprs(demo_copy: Path) -> None:
    done = ocitui("--layout", str(demo_copy), "inspect", "app:1.0", "--platform", "linux/amd64")
    assert done.returncode == 0, done.stderr
    assert "['" not in done.stdout and "{'" not in done.stdout
    assert "  entrypoint: /bin/app" in done.stdout
    assert "    org.opencontainers.image.title: demo-app" in done.stdout


def test_inspect_of_a_short_repository_at_a_digest_names_the_layouts_repository(
    demo_copy: Path,
) -> None:
    """``inspect app@sha256:<platform>`` (README: a short form works anywhere) heads its
    output with the layout's repository, not ``docker.io/library/app``."""
    layout = Layout.open(demo_copy)
    index = layout.get_document(layout.resolve("app:1.0").digest)
    platform = index.manifests[0].digest  # type: ignore[union-attr]
    for given in ("app", "demo/app", "registry.example.com/demo/app"):
        shown = ocitui("--layout", str(demo_copy), "inspect", f"{given}@{platform}", "--json")
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["ref"] == f"registry.example.com/demo/app@{platform}"
    # A repository the layout does not hold is the reference as written, normalised.
    other = ocitui("--layout", str(demo_copy), "inspect", f"alpine@{platform}", "--json")
    assert json.loads(other.stdout)["ref"] == f"docker.io/library/alpine@{platform}"


def test_inspect_platform_names_the_platform_manifest_in_its_repository(
    demo_copy: Path,
) -> None:
    """README example ``ocitui inspect app:1.0 --platform linux/arm64``: the manifest it
    shows is ``REPOSITORY@sha256:<arm64>``, not ``(untagged)``."""
    layout = Layout.open(demo_copy)
    index = layout.get_document(layout.resolve("app:1.0").digest)
    arm = next(m for m in index.manifests if "arm64" in str(m.platform))  # type: ignore[union-attr]
    where = str(demo_copy)
    shown = ocitui("--layout", where, "inspect", "app:1.0", "--platform", "linux/arm64")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0].split() == [
        "Ref:", f"registry.example.com/demo/app@{arm.digest}"
    ]  # fmt: skip
    raw = ocitui("--layout", where, "inspect", "app:1.0", "--platform", "linux/arm64", "--json")
    assert json.loads(raw.stdout)["digest"] == str(arm.digest)

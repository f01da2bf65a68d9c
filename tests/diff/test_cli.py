"""``ocitui diff`` end to end on a temp layout: summary, JSON, exit codes, colour, errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ocitui.cli.main import main
from ocitui.core import media_types as mt
from ocitui.core.diff import diff_refs
from ocitui.core.layout import Layout
from tests.diff.builder import Builder, Layer, M


def make_release(root: Path) -> Path:
    """A realistic pair: app:v1 and app:v2 indexes (plain tar layers: byte-stable digests).

    v2 changes the app layer and an env var on amd64, keeps arm64 as is, adds s390x, and
    only v1 got its signature and SBOM (the SBOM signed too).
    """
    layout = Layout.open(root, create=True)
    build = Builder(layout)
    base = Layer([M("etc/", kind="dir", mode=0o755), M("etc/os-release", b"ID=demo\n")], how="tar")
    app1 = Layer([M("app/", kind="dir", mode=0o755), M("app/server", b"v1", mode=0o755)], how="tar")
    app2 = Layer(
        [
            M("app/", kind="dir", mode=0o755),
            M("app/server", b"v2", mode=0o755),
            M("app/config.yaml", b"port: 8080\n"),
            M("etc/.wh.os-release"),
        ],
        how="tar",
    )
    env1 = ["PATH=/usr/bin", "APP_VERSION=1.0"]
    env2 = ["PATH=/usr/bin", "APP_VERSION=2.0", "APP_PORT=8080"]
    amd1 = build.image([base, app1], env=env1, labels={"version": "1.0"})
    arm = build.image([base, app1], env=env1, labels={"version": "1.0"}, platform="linux/arm64")
    amd2 = build.image([base, app2], env=env2, labels={"version": "2.0"})
    s390 = build.image([base, app2], env=env2, labels={"version": "2.0"}, platform="linux/s390x")
    v1 = build.index([(amd1, "linux/amd64"), (arm, "linux/arm64")], tag="app:v1")
    build.index([(amd2, "linux/amd64"), (arm, "linux/arm64"), (s390, "linux/s390x")], tag="app:v2")
    build.referrer(v1, mt.SIGSTORE_BUNDLE)
    sbom = build.referrer(v1, mt.SPDX_JSON, b'{"spdxVersion": "SPDX-2.3"}')
    build.referrer(sbom, mt.SIGSTORE_BUNDLE, b"sbom-sig")
    return root


@pytest.fixture
def release(tmp_path: Path) -> Path:
    return make_release(tmp_path / "layout")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_summary_golden(release: Path, capsys: pytest.CaptureFixture[str], snapshot) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "--layout", str(release), "diff", "app:v1", "app:v2", "--files")
    assert code == 1 and err == ""
    assert "\033[" not in out
    assert out.encode() == snapshot


def test_json_golden(release: Path, capsys: pytest.CaptureFixture[str], snapshot) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "--layout", str(release), "diff", "app:v1", "app:v2", "--json")
    assert code == 1
    data = json.loads(out)
    assert data["identical"] is False and data["ref_a"] == "app:v1"
    assert data["summary"]["platforms"] == 1 and data["summary"]["referrers"] == 3
    assert out.encode() == snapshot


def test_identical_exits_0(release: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--layout", str(release), "diff", "app:v1", "app:v1", "--files")
    assert code == 0 and "\nidentical\n" in out


def test_mirror_in_another_layout(
    release: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = Layout.open(release)
    mirror = Layout.open(tmp_path / "mirror", create=True)
    # Copy every blob but attach no referrers: "did the signature come along?" No.
    for blob in (release / "blobs" / "sha256").iterdir():
        mirror.put_blob(blob.read_bytes())
    mirror.set_tag("app:v1", source.resolve("app:v1"))
    code, out, _ = run(
        capsys,
        "--layout",
        str(release),
        "diff",
        "app:v1",
        "app:v1",
        "--layout-b",
        str(tmp_path / "mirror"),
    )
    assert code == 1
    assert "  referrers    3\n" in out and "sigstore bundle: A 2, B 0" in out


@pytest.mark.parametrize(
    ("a", "message"),
    [
        ("nope:v9", "not in the layout"),
        # A loopback port nothing listens on: the fetch fails fast, no traffic leaves the host.
        ("docker://127.0.0.1:9/app:v1", "127.0.0.1:9"),
    ],
)
def test_errors_exit_2_with_one_line(
    release: Path, capsys: pytest.CaptureFixture[str], a: str, message: str
) -> None:
    code, out, err = run(capsys, "--layout", str(release), "diff", a, "app:v1")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and err.startswith("ocitui: error:")


def test_broken_layer_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout = Layout.open(tmp_path / "l", create=True)
    build = Builder(layout)
    build.image([Layer([M("a", b"a")])], tag="x:1")
    build.image([Layer(raw=b"\x1f\x8b\x08\x00garbage")], tag="x:2")
    code, _, err = run(capsys, "--layout", str(tmp_path / "l"), "diff", "x:1", "x:2", "--files")
    assert code == 2 and err.count("\n") == 1 and "malformed or truncated" in err


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("no_color", [True, False])
def test_colour_only_on_a_tty_without_no_color(
    release: Path, monkeypatch: pytest.MonkeyPatch, no_color: bool
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    fake = _Tty()
    monkeypatch.setattr("sys.stdout", fake)
    assert main(["--layout", str(release), "diff", "app:v1", "app:v2"]) == 1
    assert ("\033[" in fake.getvalue()) is (not no_color)


def test_demo_layout(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """app:1.0 vs app:1.1 of the generated demo: the release story the layout tells."""
    layout = Layout.open(demo_copy)
    a, b = layout.resolve("demo/app:1.0"), layout.resolve("demo/app:1.1")
    result = diff_refs(layout, a, layout, b, files=True)
    platforms = result.root.platforms
    assert platforms is not None and platforms.count == 0
    assert [p.key for p in platforms.common] == ["linux/amd64", "linux/arm64/v8"]
    for pair in platforms.common:
        node = pair.diff
        assert node.config is not None
        assert [(e.key, e.kind) for e in node.config.env] == [("APP_VERSION", "changed")]
        assert node.layers is not None and len(node.layers.shared) == 1  # the base layer
        assert node.files is not None
        assert [e.path for e in node.files.removed] == ["usr/share/doc/app/NOTICE.legacy"]
        assert "etc/app/features.d/metrics.conf" in [e.path for e in node.files.added]
        assert [c.path for c in node.files.changed] == ["etc/app/app.conf"]
    refs = result.root.referrers
    assert refs is not None
    counts = {t.artifact_type: (t.a, t.b) for t in refs.by_type}
    assert counts[mt.SIGSTORE_BUNDLE][0] >= 1 and counts[mt.SIGSTORE_BUNDLE][1] == 0
    code, out, _ = run(
        capsys, "--layout", str(demo_copy), "diff", "demo/app:1.0", "demo/app:1.1", "--files"
    )
    assert code == 1 and "/usr/share/doc/app/NOTICE.legacy" in out
    code, out, _ = run(
        capsys, "--layout", str(demo_copy), "diff", "demo/app:1.0", "demo/app:1.0", "--files"
    )
    assert code == 0

"""Real clients against ``ocitui serve``: skopeo (and umoci on what it wrote), oras, crane,
and ocitui itself; pushes refused read-only and accepted with ``--read-write``."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.layout.referrers import ReferrerNode
from ocitui.core.models import Index, Manifest
from tests.support.binaries import need
from tests.support.serving import OCITUI, Served, env

APP_10 = "registry.example.com/demo/app:1.0"


def _run(
    *args: str, check: bool = True, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), capture_output=True, text=True, timeout=300, check=check, env=env(), cwd=cwd
    )


def _image_blobs(layout: Layout, digest: Digest) -> set[Digest]:
    """The index/manifest at ``digest`` and every blob under it (no referrers)."""
    seen = {digest}
    doc = layout.get_document(digest)
    if isinstance(doc, Index):
        for child in doc.manifests:
            seen |= _image_blobs(layout, child.digest)
    elif isinstance(doc, Manifest):
        seen |= {d.digest for d in doc.children()}
    return seen


def _tree_digests(nodes: list[ReferrerNode]) -> set[Digest]:
    found: set[Digest] = set()
    for node in nodes:
        found.add(node.descriptor.digest)
        found |= _tree_digests(node.children)
    return found


def test_skopeo_copy_all_is_byte_identical_and_umoci_reads_it(
    demo_copy: Path, served: Callable[..., Served], tmp_path: Path
) -> None:
    skopeo = need("skopeo")
    umoci = need("umoci")
    server = served(demo_copy)
    dest = tmp_path / "copied"
    _run(
        skopeo, "copy", "--all", "--src-tls-verify=false",
        f"docker://{server.host}/demo/app:1.0", f"oci:{dest}:1.0",
    )  # fmt: skip
    demo = Layout.open(demo_copy)
    index = demo.resolve(APP_10)
    copied = Layout.open(dest)
    assert copied.resolve("1.0").digest == index.digest
    files = {Digest("sha256", p.name): p for p in (dest / "blobs" / "sha256").iterdir()}
    assert set(files) == _image_blobs(demo, index.digest)
    for digest, path in files.items():
        assert path.read_bytes() == demo.blob_path(digest).read_bytes()
    listed = _run(umoci, "ls", "--layout", str(dest)).stdout.split()
    assert listed == ["1.0"]


def test_oras_and_crane_read_names_tags_and_the_referrer_tree(
    demo_copy: Path, served: Callable[..., Served]
) -> None:
    oras = need("oras")
    crane = need("crane")
    server = served(demo_copy)
    index = Layout.open(demo_copy).resolve(APP_10)
    ref = f"{server.host}/demo/app:1.0"
    tree = json.loads(_run(oras, "discover", "--plain-http", ref, "--format", "json").stdout)
    assert tree["digest"] == str(index.digest)
    assert len(tree["referrers"]) == 3
    sbom = next(r for r in tree["referrers"] if r["artifactType"] == mt.SPDX_JSON)
    assert [r["artifactType"] for r in sbom["referrers"]] == [mt.SIGSTORE_BUNDLE]
    only = json.loads(
        _run(
            oras, "discover", "--plain-http", ref, "--format", "json",
            "--artifact-type", mt.IN_TOTO,
        ).stdout
    )  # fmt: skip
    assert [r["artifactType"] for r in only["referrers"]] == [mt.IN_TOTO]
    assert _run(crane, "digest", "--insecure", ref).stdout.strip() == str(index.digest)
    tags = _run(crane, "ls", "--insecure", f"{server.host}/demo/app").stdout.split()
    assert {"1.0", "1.1"} <= set(tags)
    catalog = _run(crane, "catalog", "--insecure", server.host).stdout.split()
    assert "demo/app" in catalog and "registry.example.com/demo/bundle" in catalog


def test_ocitui_pull_from_the_served_layout_brings_the_whole_referrer_tree(
    demo_copy: Path, served: Callable[..., Served], tmp_path: Path
) -> None:
    server = served(demo_copy)
    dest = tmp_path / "pulled"
    ref = f"{server.host}/demo/app:1.0"
    _run(*OCITUI, "--layout", str(dest), "pull", ref)
    demo = Layout.open(demo_copy)
    pulled = Layout.open(dest)
    index = demo.resolve(APP_10)
    assert pulled.resolve(ref).digest == index.digest
    want = _tree_digests(demo.referrer_tree(index.digest))
    assert len(want) == 4  # three referrers, and the SBOM's own signature
    assert _tree_digests(pulled.referrer_tree(index.digest)) == want
    assert [kind for kind, _ in pulled.legacy_attachments(index.digest)] == ["sig"]
    fsck = _run(*OCITUI, "--layout", str(dest), "fsck")
    assert fsck.returncode == 0


def test_push_refused_read_only_and_accepted_read_write(
    demo_copy: Path, served: Callable[..., Served], tmp_path: Path
) -> None:
    crane = need("crane")
    oras = need("oras")
    source = served(demo_copy)
    target_root = tmp_path / "target"
    Layout.open(target_root, create=True)
    read_only = served(target_root)
    src = f"{source.host}/demo/app:1.0"
    refused = _run(
        crane, "copy", "--insecure", src, f"{read_only.host}/mirror/app:1.0", check=False
    )
    assert refused.returncode != 0 and "DENIED" in refused.stderr
    read_only.stop()
    writable = served(target_root, "--read-write")
    _run(crane, "copy", "--insecure", src, f"{writable.host}/mirror/app:1.0")
    note = tmp_path / "note.txt"
    note.write_text("reviewed\n")
    _run(
        oras, "attach", "--plain-http", "--artifact-type", "application/vnd.example.note",
        f"{writable.host}/mirror/app:1.0", f"{note.name}:text/plain", cwd=tmp_path,
    )  # fmt: skip
    writable.stop()
    target = Layout.open(target_root)
    entry = target.resolve("localhost/mirror/app:1.0")
    assert entry.digest == Layout.open(demo_copy).resolve(APP_10).digest
    notes = target.referrers(entry.digest, ["application/vnd.example.note"])
    assert len(notes) == 1
    assert _run(*OCITUI, "--layout", str(target_root), "fsck").returncode == 0

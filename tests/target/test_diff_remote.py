"""``diff docker://...`` reads the registry through the Target door: the same result as
the layout's diff, manifests/configs/referrers fetched on demand, layers only for
``--files``, nothing staged in a layout."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ocitui.cli.main import main
from ocitui.core.layout import Layout
from ocitui.core.models import Manifest


def _diff(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    code = main(["diff", *argv, "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == (0 if out["identical"] else 1)
    return {k: v for k, v in out.items() if k not in ("ref_a", "ref_b")}


def _layers(layout: Layout, name: str) -> set[str]:
    found: set[str] = set()
    queue = [layout.resolve(name)]
    while queue:
        desc = queue.pop()
        doc = layout.get_document(desc.digest, desc.media_type)
        if isinstance(doc, Manifest):
            found.update(str(layer.digest) for layer in doc.layers)
        else:
            queue.extend(doc.children())
    return found


def test_registry_sides_diff_like_the_layout_and_fetch_layers_only_for_files(
    demo_copy: Path,
    fake_registry: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    registry = fake_registry()
    remote = f"{registry.host}/mirror/app"
    layout = ["--layout", str(demo_copy)]
    for tag in ("1.0", "1.1"):
        assert main(["push", f"app:{tag}", f"{remote}:{tag}", *layout, "--json"]) == 0
    capsys.readouterr()
    demo = Layout.open(demo_copy)
    layers = _layers(demo, "app:1.0") | _layers(demo, "app:1.1")
    before = sorted(p.name for p in Path(tmp_path).iterdir())

    registry.state.requests.clear()
    local = _diff(capsys, ["app:1.0", "app:1.1", *layout])
    remote_diff = _diff(capsys, [f"docker://{remote}:1.0", f"docker://{remote}:1.1", *layout])
    assert remote_diff == local and local["identical"] is False
    fetched = {
        r.path.rsplit("/", 1)[-1] for r in registry.state.requests_matching("GET", "/blobs/")
    }
    assert fetched and not fetched & layers  # configs only: no layer moved without --files

    local_files = _diff(capsys, ["app:1.0", "app:1.1", *layout, "--files"])
    registry.state.requests.clear()
    remote_files = _diff(
        capsys, [f"docker://{remote}:1.0", f"docker://{remote}:1.1", *layout, "--files"]
    )
    assert remote_files == local_files and local_files["summary"]["files"] > 0
    gets = [r.path for r in registry.state.requests_matching("GET", "/blobs/")]
    assert len(gets) == len(set(gets))  # a layer both sides share is fetched once
    # One side each way round, and the registry against itself.
    assert _diff(capsys, [f"docker://{remote}:1.1", "app:1.0", *layout]) == _diff(
        capsys, ["app:1.1", "app:1.0", *layout]
    )
    assert _diff(capsys, [f"docker://{remote}:1.0", f"docker://{remote}:1.0", *layout])["identical"]
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == before  # nothing staged here

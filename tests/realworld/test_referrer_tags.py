"""Issue 15 item 1: a referrer another tool tagged keeps its name through a push, or the
plan says why not (real skopeo layouts against docker-registry, and the fake registry)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocitui.core.layout import Layout
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import SyncFilter, plan_push
from tests.realworld.cli import ocitui
from tests.realworld.foreign import signature, skopeo_shape
from tests.support.binaries import need
from tests.support.builders import put_image
from tests.support.registries import DockerRegistry


def skopeo(*args: str) -> str:
    done = subprocess.run(
        [need("skopeo"), *args], check=False, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


async def test_a_name_in_another_repository_is_left_behind(
    tmp_path: Path, fake_registry: Callable[..., Any], client: RegistryClient
) -> None:
    layout, image, sig = skopeo_shape(tmp_path / "l")
    layout.set_tag("example.com/team/app:v1", image.descriptor())
    registry = fake_registry(referrers_api=True)
    dest = parse_reference(f"{registry.host}/orl/app:v1")
    plan = await plan_push(layout, client, [("example.com/team/app:v1", dest)], SyncFilter())
    assert [t.name for t in plan.tags] == [str(dest)]
    assert [(i.reason, i.descriptor.digest) for i in plan.left_behind] == [
        ("referrer-tag", sig.digest)
    ]
    assert "'sigx'" in plan.left_behind[0].detail
    assert plan.summary()["leftBehindBytes"] == 0  # The content itself is carried.


def test_skopeo_tagged_signature_keeps_its_tag_on_push(
    tmp_path: Path, docker_registry: DockerRegistry
) -> None:
    """``skopeo copy docker://R/x:sig-x oci:L:sigx`` beside ``oci:L:v1``, then ``push v1``."""
    host = docker_registry.host
    origin = Layout.open(tmp_path / "origin", create=True)
    image = put_image(origin, {"app": b"tagged referrer"}, ref="example.com/src/x:v1")
    sig = signature(origin, image, "sig-x")
    where = ("--layout", str(origin.root))
    for name, dest in (("example.com/src/x:v1", "v1"), (f"x@{sig.digest}", "sig-x")):
        done = ocitui(*where, "push", name, f"{host}/src/x:{dest}")
        assert done.returncode == 0, done.stderr
    local = tmp_path / "skopeo"
    no_tls = "--src-tls-verify=false"
    skopeo("copy", no_tls, f"docker://{host}/src/x:v1", f"oci:{local}:v1")
    skopeo("copy", no_tls, f"docker://{host}/src/x:sig-x", f"oci:{local}:sigx")
    names = {e.ref_name for e in Layout.open(local).entries()}
    assert names == {"v1", "sigx"}  # skopeo's shape: short tags, no ocitui hints.

    planned = ocitui(
        "--layout", str(local), "push", "v1", f"{host}/dst/y:v1", "--dry-run", "--json"
    )
    assert planned.returncode == 0, planned.stderr
    plan = json.loads(planned.stdout.splitlines()[0])["plan"]
    assert sorted(t["name"] for t in plan["tags"]) == [f"{host}/dst/y:sigx", f"{host}/dst/y:v1"]
    pushed = ocitui("--layout", str(local), "push", "v1", f"{host}/dst/y:v1")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    shown = json.loads(
        skopeo("inspect", "--raw", "--tls-verify=false", f"docker://{host}/dst/y:sigx")
    )
    assert shown["subject"]["digest"] == str(image.digest)
    remote = ocitui("referrers", f"{host}/dst/y:v1", "--remote", "--json")
    assert remote.returncode == 0, remote.stderr
    assert [r["digest"] for r in json.loads(remote.stdout)] == [str(sig.digest)]

    # A full name beside the short tag: the short tag cannot follow; the plan says so.
    assert ocitui("--layout", str(local), "tag", "v1", "example.com/named/app:v1").returncode == 0
    planned = ocitui(
        "--layout", str(local), "push", "example.com/named/app:v1", f"{host}/other/z:v1", "--dry-run"
    )  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    assert "referrer-tag" in planned.stdout and "'sigx'" in planned.stdout

"""Issue 15 items 11 and 13: fast failure on refused connections, visible retries, and TLS
on loopback as registries really run it (HTTPS first, certs.d, mutual TLS)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ocitui.core.errors import RegistryError
from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient, RegistryOptions, StaticCredentials
from tests.realworld.certs import PKI, make_pki
from tests.realworld.cli import ocitui
from tests.support.registries import free_port, run_docker_registry
from tests.sync.graph import build_graph, seed_state

APP = "registry.example.com/demo/app:1.0"


run = ocitui


def test_refused_loopback_port_fails_at_once(tmp_path: Path) -> None:
    """It was retried for 8.4 s. Every retry is announced before its wait, so no
    "retrying" line means nothing waited (the waits themselves are counted in-process
    below); how long the process takes is the shared machine's load, not asserted."""
    host = f"127.0.0.1:{free_port()}"
    done = run("--layout", str(tmp_path / "l"), "pull", f"{host}/team/app:v1")
    assert done.returncode == 1, done.stderr
    assert "connection refused" in done.stderr and host in done.stderr
    assert "Traceback" not in done.stderr and "retrying" not in done.stderr


async def test_refused_loopback_port_is_not_waited_on() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    ref = parse_reference(f"127.0.0.1:{free_port()}/team/app:v1")
    options = RegistryOptions(plain_http=True)
    async with RegistryClient(options, credentials=StaticCredentials({}), sleep=sleep) as client:
        with pytest.raises(RegistryError, match="refused"):
            await client.get_manifest(ref)
    assert waits == []


def test_unresolvable_host_is_not_retried(tmp_path: Path) -> None:
    done = run("--layout", str(tmp_path / "l"), "pull", "no-such-host.invalid/team/app:v1")
    assert done.returncode == 1 and "cannot resolve" in done.stderr, done.stderr
    assert "retrying" not in done.stderr


def test_transient_faults_are_retried_visibly(
    tmp_path: Path, fake_registry: Callable[..., Any]
) -> None:
    registry = fake_registry()
    seed_state(registry.state, "team/app", build_graph())
    registry.state.inject(r"/manifests/v1$", "reset", times=2)
    done = run("--layout", str(tmp_path / "l"), "pull", f"{registry.host}/team/app:v1")
    assert done.returncode == 0, done.stderr
    retries = [line for line in done.stderr.splitlines() if "retrying in" in line]
    assert len(retries) == 2, done.stderr
    assert "attempt 2 of 6" in retries[0]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tls_registry(pki: PKI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with run_docker_registry(
        tmp_path_factory.mktemp("tls-registry"), tls=(pki.server_cert, pki.server_key)
    ) as host:
        yield host


@pytest.fixture(scope="module")
def mtls_registry(pki: PKI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with run_docker_registry(
        tmp_path_factory.mktemp("mtls-registry"),
        tls=(pki.server_cert, pki.server_key),
        client_ca=pki.ca,
    ) as host:
        yield host


def test_untrusted_certificate_names_the_problem_and_the_ways_out(
    tls_registry: str, demo_copy: Path
) -> None:
    done = run("--layout", str(demo_copy), "push", APP, f"{tls_registry}/demo/app:1.0")
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("ocitui: error:")]
    assert len(errors) == 1, done.stderr
    assert "TLS certificate" in errors[0] and "not trusted" in errors[0]
    assert "--ca-file" in errors[0] and "--insecure" in errors[0]
    assert "HTTP 400" not in done.stderr and "retrying" not in done.stderr


def test_loopback_tls_registry_with_ca_file(tls_registry: str, pki: PKI, demo_copy: Path) -> None:
    dest = f"{tls_registry}/cafile/app:1.0"
    pushed = run("--layout", str(demo_copy), "push", APP, dest, "--ca-file", str(pki.ca))
    assert pushed.returncode == 0, pushed.stderr
    shown = run("inspect", dest, "--remote", "--insecure")
    assert shown.returncode == 0, shown.stderr


def test_loopback_tls_registry_through_certs_d(
    tls_registry: str, pki: PKI, demo_copy: Path, tmp_path: Path
) -> None:
    certs_d = tmp_path / "certs.d"
    (certs_d / tls_registry).mkdir(parents=True)
    shutil.copy(pki.ca, certs_d / tls_registry / "ca.crt")
    env = {"OCITUI_CERTS_DIRS": f"{tmp_path / 'empty'}{os.pathsep}{certs_d}"}
    done = run("--layout", str(demo_copy), "push", APP, f"{tls_registry}/certsd/app:1.0", env=env)
    assert done.returncode == 0, done.stderr


def test_mutual_tls_client_certificate_from_certs_d(
    mtls_registry: str, pki: PKI, demo_copy: Path, tmp_path: Path
) -> None:
    dest = f"{mtls_registry}/mtls/app:1.0"
    without = run("--layout", str(demo_copy), "push", APP, dest, "--ca-file", str(pki.ca))
    assert without.returncode == 1 and "Traceback" not in without.stderr
    folder = tmp_path / "certs.d" / mtls_registry
    folder.mkdir(parents=True)
    for source, name in ((pki.ca, "ca.crt"), (pki.client_cert, "client.cert")):
        shutil.copy(source, folder / name)
    shutil.copy(pki.client_key, folder / "client.key")
    env = {"OCITUI_CERTS_DIRS": str(tmp_path / "certs.d")}
    done = run("--layout", str(demo_copy), "push", APP, dest, env=env)
    assert done.returncode == 0, done.stderr

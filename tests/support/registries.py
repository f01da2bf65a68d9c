"""Registry fixtures: the in-process fake registry and the real ``docker-registry``.

- ``fake_registry``: a factory; ``fake_registry(auth="bearer", referrers_api=False, ...)``
  starts a :class:`~tests.support.fake_registry.FakeRegistry` that is stopped after the test.
- ``docker_registry`` / ``docker_registry_auth``: session-scoped ``/usr/bin/docker-registry``
  (Debian package ``docker-registry``, the CNCF distribution registry) on a free loopback
  port with a temp storage dir; the ``_auth`` variant uses htpasswd Basic auth. The bcrypt
  hash comes from libcrypt (``libcrypt1``, essential on Debian) through ctypes, else
  ``htpasswd -nbB`` (apache2-utils) if installed. Missing binary: skip, or fail when
  ``OCITUI_REQUIRE_E2E=1``.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_registry import FakeRegistry

DOCKER_REGISTRY = os.environ.get("OCITUI_DOCKER_REGISTRY", "/usr/bin/docker-registry")


@pytest.fixture
def fake_registry() -> Iterator[Callable[..., FakeRegistry]]:
    """Factory: ``fake_registry(**options)`` -> a started FakeRegistry (stopped afterwards)."""
    started: list[FakeRegistry] = []

    def make(**options: Any) -> FakeRegistry:
        registry = FakeRegistry(**options).start()
        started.append(registry)
        return registry

    yield make
    for registry in started:
        registry.stop()


@dataclass(frozen=True)
class DockerRegistry:
    """A running docker-registry: ``host`` is ``127.0.0.1:<port>``."""

    host: str
    storage: Path
    username: str | None = None
    password: str | None = None

    @property
    def url(self) -> str:
        """``http://host``."""
        return f"http://{self.host}"


def free_port() -> int:
    """A currently free loopback TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bcrypt_hash(password: str) -> str:
    """A bcrypt hash distribution's htpasswd accepts, without extra Python packages."""
    name = ctypes.util.find_library("crypt")
    if name:
        lib = ctypes.CDLL(name)
        lib.crypt_gensalt.restype = ctypes.c_char_p
        lib.crypt_gensalt.argtypes = [
            ctypes.c_char_p,
            ctypes.c_ulong,
            ctypes.c_char_p,
            ctypes.c_int,
        ]
        lib.crypt.restype = ctypes.c_char_p
        lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        salt = lib.crypt_gensalt(b"$2b$", 5, None, 0)
        hashed = lib.crypt(password.encode(), salt) if salt else None
        if hashed and hashed.startswith(b"$2"):
            return str(hashed.decode())
    htpasswd = shutil.which("htpasswd")
    if htpasswd:
        out = subprocess.run(
            [htpasswd, "-nbB", "x", password], capture_output=True, check=True, text=True
        ).stdout
        return out.strip().split(":", 1)[1]
    raise RuntimeError("no bcrypt: need libcrypt (libcrypt1) or htpasswd (apache2-utils)")


def _missing(reason: str) -> None:
    if os.environ.get("OCITUI_REQUIRE_E2E") == "1":
        pytest.fail(f"{reason} (OCITUI_REQUIRE_E2E=1)")
    pytest.skip(reason)


def _tls_config(tls: tuple[Path, Path] | None, client_ca: Path | None) -> str:
    if tls is None:
        return ""
    text = f"  tls:\n    certificate: {tls[0]}\n    key: {tls[1]}\n"
    if client_ca is not None:
        text += f"    clientcas:\n      - {client_ca}\n"
    return text


@contextlib.contextmanager
def run_docker_registry(
    root: Path,
    *,
    htpasswd: str | None = None,
    tls: tuple[Path, Path] | None = None,
    client_ca: Path | None = None,
    log_level: str = "error",
) -> Iterator[str]:
    """Start docker-registry with storage under ``root``; yield ``127.0.0.1:<port>``.

    ``tls`` is ``(certificate, key)`` to serve HTTPS only; ``client_ca`` also requires
    client certificates signed by that CA (mutual TLS). ``log_level="info"`` logs one
    ``response completed`` line per request in ``root/registry.log`` (to count them).
    """
    if not os.access(DOCKER_REGISTRY, os.X_OK):
        _missing(f"{DOCKER_REGISTRY} not installed (Debian package docker-registry)")
    port = free_port()
    auth = ""
    if htpasswd is not None:
        (root / "htpasswd").write_text(htpasswd)
        auth = f"auth:\n  htpasswd:\n    realm: ocitui-test\n    path: {root / 'htpasswd'}\n"
    config = root / "config.yml"
    config.write_text(
        "version: 0.1\n"
        f"log:\n  level: {log_level}\n  accesslog:\n    disabled: true\n"
        f"storage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n"
        "  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n  secret: {secrets.token_hex(16)}\n"
        + _tls_config(tls, client_ca)
        + auth
    )
    log = (root / "registry.log").open("wb")
    process = subprocess.Popen(
        [DOCKER_REGISTRY, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    host = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if tls is not None:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break  # Listening; TLS (maybe mutual) is the test's business.
                urllib.request.urlopen(f"http://{host}/v2/", timeout=1).close()
                break
            except urllib.error.HTTPError as exc:
                if exc.code == 401:
                    break
                raise
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    text = (root / "registry.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"docker-registry did not start: {text}") from None
                time.sleep(0.05)
        yield host
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def docker_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerRegistry]:
    """A plain (no auth) docker-registry for the whole session."""
    root = tmp_path_factory.mktemp("docker-registry")
    with run_docker_registry(root) as host:
        yield DockerRegistry(host, root / "data")


@pytest.fixture(scope="session")
def docker_registry_auth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerRegistry]:
    """A docker-registry behind htpasswd Basic auth (user ``ocitui`` / a random password)."""
    root = tmp_path_factory.mktemp("docker-registry-auth")
    password = secrets.token_urlsafe(12)
    with run_docker_registry(root, htpasswd=f"ocitui:{bcrypt_hash(password)}\n") as host:
        yield DockerRegistry(host, root / "data", "ocitui", password)

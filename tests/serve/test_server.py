"""Running the server: addresses, TLS, the text startup line, Ctrl-C, usage errors."""

from __future__ import annotations

import datetime as dt
import ipaddress
import signal
import ssl
import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ocitui.core.errors import OcituiError
from ocitui.core.serve.server import is_loopback, parse_addr
from tests.support.serving import OCITUI, Served, env


def test_addresses() -> None:
    assert parse_addr("127.0.0.1:5000") == ("127.0.0.1", 5000)
    assert parse_addr(":5001") == ("127.0.0.1", 5001)
    assert parse_addr("[::1]:0") == ("::1", 0)
    for bad in ("127.0.0.1", "host:port", "h:70000"):
        with pytest.raises(OcituiError):
            parse_addr(bad)
    assert is_loopback("localhost") and is_loopback("127.0.0.2") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.com")


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ocitui test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_tls(demo_copy: Path, served: Callable[..., Served], tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    server = served(demo_copy, "--tls-cert", str(cert), "--tls-key", str(key))
    assert server.url.startswith("https://") and server.info["tls"] is True
    trust = ssl.create_default_context(cafile=str(cert))
    response = httpx.get(f"{server.url}/v2/demo/app/tags/list", verify=trust)
    assert response.status_code == 200 and "1.0" in response.json()["tags"]
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://{server.host}/v2/", timeout=5)


def test_text_startup_line_and_ctrl_c(demo_copy: Path) -> None:
    process = subprocess.Popen(
        [*OCITUI, "--layout", str(demo_copy), "serve", "--addr", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    assert first.startswith(f"serving {demo_copy} at http://127.0.0.1:")
    assert "read-only" in first and "Ctrl-C stops" in first
    url = first.split(" at ", 1)[1].split(" ", 1)[0]
    assert httpx.get(f"{url}/v2/").status_code == 200
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert out.strip() == "stopped"
    assert '"GET /v2/" 200' in err


def test_usage_errors(demo_copy: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*OCITUI, "--layout", str(demo_copy), "serve", *args],
            capture_output=True,
            text=True,
            env=env(),
            timeout=60,
            check=False,
        )

    bad_addr = run("--addr", "nowhere")
    assert bad_addr.returncode == 2 and "invalid --addr" in bad_addr.stderr
    half_tls = run("--addr", "127.0.0.1:0", "--tls-cert", "x.pem")
    assert half_tls.returncode == 2 and "--tls-cert and --tls-key go together" in half_tls.stderr
    assert len(half_tls.stderr.strip().splitlines()) == 1

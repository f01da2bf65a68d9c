"""``ocitui serve`` on a damaged layout, read by a client that walks what it is offered.

The server runs in a forked child; the client asks for the catalog, every repository's
tags, each tag's manifest and what it references, the referrers of each manifest, and
a few hostile request lines. Every answer must come (no hang) with a status a registry
uses for bad input (never a 500 from an exception), and the server must stop cleanly
on Ctrl-C with nothing but its request log on stderr.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from pathlib import Path
from typing import Any

from tests.hostile import fuzz_runner

ACCEPT = ", ".join(
    (
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    )
)
RAW_REQUESTS = (
    b"GET /v2/\x1b[2J/manifests/x HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /v2/../../../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /v2/demo/app/blobs/sha256:../../../../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /v2/demo/app/manifests/%1b%5b2J HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /v2/_catalog?n=-1&last=%ff HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /v2/demo/app/tags/list?n=99999999999999999999 HTTP/1.1\r\nHost: a\r\n\r\n",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str, problems: list[str]) -> tuple[int, bytes, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept": ACCEPT})
        response = conn.getresponse()
        body = response.read(4 << 20)
        if response.status >= 500 and not _error_body(body):
            problems.append(f"GET {path[:60]}: HTTP {response.status} without an error body")
        return response.status, body, dict(response.getheaders())
    except (OSError, http.client.HTTPException) as exc:
        problems.append(f"GET {path[:60]}: {type(exc).__name__}")
        return 0, b"", {}
    finally:
        conn.close()


def _error_body(body: bytes) -> bool:
    """A distribution-spec error body (``{"errors": [{"code", "message"}]}``)."""
    try:
        errors = json.loads(body).get("errors")
        return isinstance(errors, list) and all("code" in e and "message" in e for e in errors)
    except (ValueError, AttributeError, TypeError):
        return False


def _raw(port: int, request: bytes, problems: list[str]) -> None:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(request)
            answer = sock.recv(65536)
        if answer.startswith(b"HTTP/1.") and answer[9:10] == b"5":
            problems.append(f"raw {request[:40]!r}: {answer[:12]!r}")
    except OSError as exc:
        problems.append(f"raw {request[:40]!r}: {type(exc).__name__}")


def _children(body: bytes) -> list[tuple[str, str]]:
    """(kind, digest) of what a manifest or index references."""
    try:
        doc: Any = json.loads(body)
    except ValueError:
        return []
    found = []
    if isinstance(doc, dict):
        for key, kind in (("manifests", "manifests"), ("layers", "blobs"), ("config", "blobs")):
            value = doc.get(key)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and isinstance(item.get("digest"), str):
                    found.append((kind, item["digest"]))
    return found[:12]


def probe(layout: Path, env: dict[str, str]) -> tuple[fuzz_runner.Outcome, list[str]]:
    """Serve ``layout``, walk it as a client; (the server's outcome, client problems)."""
    port = _free_port()
    server = fuzz_runner.Background(
        ["--layout", str(layout), "serve", "--addr", f"127.0.0.1:{port}"], env=env
    )
    problems: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not server.exited():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        if not server.exited():
            problems.append("serve did not start listening")
        return server.stop(), problems
    _walk(port, problems)
    for request in RAW_REQUESTS:
        _raw(port, request, problems)
    refused = [p for p in problems if "Error" in p.rsplit(":", 1)[-1]]
    settle = time.monotonic() + 3
    while refused and not server.exited() and time.monotonic() < settle:
        time.sleep(0.05)
    if server.exited():
        # It refused the layout after binding (one error line, checked by the caller):
        # the client could not connect, which is no fault of its own.
        problems = [p for p in problems if "Error" not in p.rsplit(":", 1)[-1]]
    outcome = server.stop()
    if server.exited() and outcome.returncode not in (0, 1, 130):
        problems.append(f"serve ended with {outcome.returncode}")
    return outcome, problems


def _walk(port: int, problems: list[str]) -> None:
    _get(port, "/v2/", problems)
    status, body, _ = _get(port, "/v2/_catalog", problems)
    try:
        repos = json.loads(body).get("repositories", []) if status == 200 else []
    except (ValueError, AttributeError):
        problems.append("catalog is not JSON")
        repos = []
    for repo in [r for r in repos if isinstance(r, str)][:4]:
        status, body, _ = _get(port, f"/v2/{repo}/tags/list", problems)
        try:
            tags = json.loads(body).get("tags", []) if status == 200 else []
        except (ValueError, AttributeError):
            problems.append(f"{repo} tags are not JSON")
            tags = []
        for tag in [t for t in tags or [] if isinstance(t, str)][:3]:
            status, body, headers = _get(port, f"/v2/{repo}/manifests/{tag}", problems)
            digest = headers.get("Docker-Content-Digest", "")
            if digest:
                _get(port, f"/v2/{repo}/referrers/{digest}", problems)
            for kind, child in _children(body):
                _get(port, f"/v2/{repo}/{kind}/{child}", problems)

"""State of the fake registry: storage, auth tokens, injected faults and the request log.

Kept apart from the HTTP handling (``fake_registry.py``) so tests can seed and inspect it
directly: ``registry.state.put_blob(...)``, ``registry.state.requests``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any


def sha256(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class Fault:
    """An injected failure: the next ``times`` requests whose path matches fail."""

    pattern: re.Pattern[str]
    kind: str
    times: int
    retry_after: float | None = None
    method: str | None = None
    skip: int = 0


@dataclass
class LoggedRequest:
    """One request as the registry saw it."""

    method: str
    path: str
    headers: dict[str, str]
    status: int = 0


@dataclass
class Repo:
    """One repository: the blobs linked into it, manifests by digest, tags."""

    blobs: set[str] = field(default_factory=set)
    manifests: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Upload:
    """An open upload session."""

    repo: str
    data: bytearray = field(default_factory=bytearray)
    state: str = ""


class RegistryState:
    """Everything the fake registry holds, guarded by one lock."""

    def __init__(self, users: dict[str, str] | None = None) -> None:
        self.lock = threading.RLock()
        self.blobs: dict[str, bytes] = {}
        self.repos: dict[str, Repo] = {}
        self.uploads: dict[str, Upload] = {}
        self.faults: list[Fault] = []
        self.requests: list[LoggedRequest] = []
        self.users = dict(users or {"user": "pass"})
        self.tokens: dict[str, set[str]] = {}
        self.refresh_tokens: dict[str, str] = {}

    # -- seeding and inspection -------------------------------------------------------
    def repo(self, name: str) -> Repo:
        """The repository ``name`` (created on first use)."""
        with self.lock:
            return self.repos.setdefault(name, Repo())

    def put_blob(self, repo: str, data: bytes) -> str:
        """Store a blob in ``repo``; its digest."""
        digest = sha256(data)
        with self.lock:
            self.blobs[digest] = bytes(data)
            self.repo(repo).blobs.add(digest)
        return digest

    def put_manifest(self, repo: str, raw: bytes, media_type: str, tag: str | None = None) -> str:
        """Store a manifest (no checks) and optionally tag it; its digest."""
        digest = sha256(raw)
        with self.lock:
            entry = self.repo(repo)
            entry.manifests[digest] = (bytes(raw), media_type)
            if tag:
                entry.tags[tag] = digest
        return digest

    def inject(
        self,
        path_regex: str,
        kind: str = "500",
        *,
        times: int = 1,
        retry_after: float | None = None,
        method: str | None = None,
        skip: int = 0,
    ) -> None:
        """Fail the next ``times`` matching requests with ``kind``.

        Kinds: ``"429"``, ``"500"``/``"502"``/``"503"`` (status), ``"reset"`` (close the
        connection without answering), ``"truncate"`` (answer, but cut the body in half).
        ``skip`` lets that many matching requests through first.
        """
        with self.lock:
            self.faults.append(
                Fault(re.compile(path_regex), kind, times, retry_after, method, skip)
            )

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The fault that applies to this request, consuming one use of it."""
        with self.lock:
            for fault in self.faults:
                if (
                    fault.times > 0
                    and fault.pattern.search(path)
                    and (fault.method is None or fault.method == method)
                ):
                    if fault.skip > 0:
                        fault.skip -= 1
                        continue
                    fault.times -= 1
                    return fault
        return None

    def log(self, method: str, path: str, headers: dict[str, str]) -> LoggedRequest:
        """Append to the request log."""
        entry = LoggedRequest(method, path, headers)
        with self.lock:
            self.requests.append(entry)
        return entry

    def requests_matching(
        self, method: str | None = None, path_regex: str = ""
    ) -> list[LoggedRequest]:
        """Logged requests with this method (any if None) whose path matches."""
        pattern = re.compile(path_regex)
        with self.lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method) and pattern.search(r.path)
            ]

    def clear_log(self) -> None:
        """Forget logged requests."""
        with self.lock:
            self.requests.clear()

    # -- auth -------------------------------------------------------------------------
    def check_basic(self, header: str | None) -> str | None:
        """The user name when ``header`` carries valid Basic credentials."""
        if not header or not header.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return user if self.users.get(user) == password and user else None

    def issue_token(self, scopes: set[str]) -> str:
        """A new bearer token granting ``scopes``."""
        token = secrets.token_urlsafe(16)
        with self.lock:
            self.tokens[token] = set(scopes)
        return token

    def token_allows(self, header: str | None, needed: list[str]) -> bool:
        """True when a ``Bearer`` header's token grants every needed scope."""
        if not header or not header.startswith("Bearer "):
            return False
        granted = self.tokens.get(header[7:])
        return granted is not None and all(n in granted for n in needed)


def expand_scope(scope: str) -> set[str]:
    """``repository:a:pull,push`` -> {``repository:a:pull``, ``repository:a:push``}."""
    kind, _, rest = scope.partition(":")
    name, _, actions = rest.rpartition(":")
    return {f"{kind}:{name}:{a}" for a in actions.split(",") if a}


def effective_artifact_type(doc: dict[str, Any]) -> str | None:
    """The referrers API's artifactType rule (kept independent of the code under test)."""
    if isinstance(doc.get("artifactType"), str):
        return str(doc["artifactType"])
    config = doc.get("config")
    if "manifests" not in doc and isinstance(config, dict):
        return str(config.get("mediaType"))
    return None


def error_body(code: str, message: str) -> bytes:
    """An OCI error body."""
    return json.dumps({"errors": [{"code": code, "message": message, "detail": {}}]}).encode()

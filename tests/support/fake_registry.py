"""A spec-faithful test registry (distribution-spec 1.1) on a real loopback HTTP server.

Threaded stdlib ``http.server`` on ``127.0.0.1:<free port>``, in-memory storage
(:mod:`tests.support.registry_state`). Implements manifests GET/HEAD/PUT/DELETE with exact
bytes, blobs GET/HEAD with Range/206, uploads (POST, PATCH with ``Content-Range`` and 416,
PUT, status GET, single-POST, mount), tags list and catalog with ``n``/``last``/``Link``,
and the referrers API with ``artifactType`` filtering and ``Link`` pagination. Switches:
``referrers_api``, ``auth`` (None/"basic"/"bearer", with its own token endpoint), page
sizes, ``OCI-Chunk-Min-Length``, absolute upload locations, a ``Warning`` header, fault
injection through :meth:`FakeRegistry.inject`, and malicious behaviours switched on with
``hostile`` (see :data:`HOSTILE_MODES`).
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.support.registry_routes import Routes
from tests.support.registry_state import RegistryState, error_body, expand_scope

JSON = "application/json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"

#: Malicious behaviours :class:`FakeRegistry` can switch on (``hostile=...``).
HOSTILE_MODES = {
    "bad-content-range": "every blob GET answers 206 with a Content-Range starting at byte 1",
    "endless-referrers": "referrers pages are empty and always link to one more page",
    "endless-tags": "tag list pages always link to one more page",
    "drip-blob": "blob bodies arrive one byte every drip_interval seconds",
    "deep-json": "referrers answers are '[' nested 100,000 deep",
    "zstd-bomb": "manifest GETs answer 16 KiB of Content-Encoding: zstd that decode to 512 MiB",
    "gzip-bomb": "manifest GETs answer Content-Encoding: gzip that decodes to 64 MiB of spaces",
    "mislabelled-gzip": "manifest GETs say Content-Encoding: gzip over plain bytes",
    "gzip-blob": "blob GETs say Content-Encoding: gzip over the blob's raw bytes",
    "realm-controls": "every /v2/ request is challenged with a token realm holding ESC[2J",
    "redirect-away": "blob GETs redirect to a closed loopback port, secrets in the Location",
}

#: What ``redirect-away`` puts in its ``Location`` (must never reach any output).
REDIRECT_SECRETS = ("SECRETPW", "SECRETTOKEN", "SECRETSIG")


class FakeRegistry(Routes):
    """The test registry. Use as a context manager or call :meth:`start`/:meth:`stop`."""

    def __init__(
        self,
        *,
        referrers_api: bool = True,
        auth: str | None = None,
        users: dict[str, str] | None = None,
        anonymous_pull: bool = False,
        tag_page_size: int | None = None,
        referrers_page_size: int | None = None,
        chunk_min_length: int | None = None,
        absolute_locations: bool = False,
        warning: str | None = None,
        ignore_range: bool = False,
        max_manifest_size: int = 4 * 1024 * 1024,
        hostile: str | None = None,
        drip_interval: float = 0.5,
    ) -> None:
        assert auth in (None, "basic", "bearer")
        assert hostile is None or hostile in HOSTILE_MODES, hostile
        self.hostile = hostile
        self.drip_interval = drip_interval
        #: Seconds every request waits before it is answered (to make overlap visible).
        self.response_delay = 0.0
        #: Blob GETs wait for this event (set: no waiting); ``blob_waiters`` counts them.
        self.release_blobs = threading.Event()
        self.release_blobs.set()
        self.blob_waiters = 0
        #: Most requests ever being answered at the same time.
        self.peak_in_flight = 0
        self._in_flight = 0
        #: TCP connections accepted so far (keep-alive reuse shows as fewer than requests).
        self.connections = 0
        self.referrers_api = referrers_api
        self.auth = auth
        self.anonymous_pull = anonymous_pull
        self.tag_page_size = tag_page_size
        self.referrers_page_size = referrers_page_size
        self.chunk_min_length = chunk_min_length
        self.absolute_locations = absolute_locations
        self.warning = warning
        self.ignore_range = ignore_range
        self.max_manifest_size = max_manifest_size
        #: Rewrites every response before it is sent (the fuzz harness's hostile answers):
        #: called with the request and the response, returns the response to send.
        self.rewrite: Callable[[ResponseParts], ResponseParts] | None = None
        self.state = RegistryState(users)
        self.service = "fake-registry"
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> FakeRegistry:
        """Bind a free loopback port and serve in a daemon thread."""
        registry = self

        class Handler(_Handler):
            fake = registry

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeRegistry:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def host(self) -> str:
        """``127.0.0.1:<port>``."""
        assert self._server is not None, "registry not started"
        return f"127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self.host}"

    # -- shortcuts to the state ----------------------------------------------------------
    def inject(self, path_regex: str, kind: str = "500", **kwargs: Any) -> None:
        """See :meth:`RegistryState.inject`."""
        self.state.inject(path_regex, kind, **kwargs)

    @property
    def requests(self) -> list[Any]:
        """The request log."""
        return self.state.requests

    # -- malicious behaviours ----------------------------------------------------------
    def misbehave(self, h: _Handler, path: str, query: dict[str, list[str]]) -> bool:
        """Answer as the ``hostile`` mode says; False when the mode does not apply here."""
        mode = self.hostile
        page = int(query.get("page", ["0"])[0] or 0)
        blob = re.fullmatch(r"/v2/.+?/blobs/(sha256:[a-f0-9]{64})", path)
        if blob is not None and h.command == "GET" and blob.group(1) in self.state.blobs:
            data = self.state.blobs[blob.group(1)]
            if mode == "bad-content-range":
                headers = {"Content-Range": f"bytes 1-{len(data) - 1}/{len(data)}"}
                h.reply(206, data[1:], "application/octet-stream", headers)
                return True
            if mode == "drip-blob":
                h.drip(data, self.drip_interval)
                return True
            if mode == "redirect-away":
                h.reply(307, b"", None, {"Location": self.away_location(path)})
                return True
            if mode == "gzip-blob":
                h.reply(200, data, "application/octet-stream", {"Content-Encoding": "gzip"})
                return True
        if mode == "realm-controls" and path.startswith("/v2"):
            challenge = 'Bearer realm="http://127.0.0.1:9/t\x1b[2J",service="\x1b[31mx"'
            h.reply(401, error_body("UNAUTHORIZED", "no"), JSON, {"WWW-Authenticate": challenge})
            return True
        if "/manifests/" in path and h.command == "GET" and mode in _ENCODED_MANIFESTS:
            body, encoding = _ENCODED_MANIFESTS[mode](self, path)
            h.reply(200, body, OCI_INDEX, {"Content-Encoding": encoding})
            return True
        if "/referrers/" in path and mode in ("endless-referrers", "deep-json"):
            if mode == "deep-json":
                h.reply(200, b"[" * 100_000, OCI_INDEX)
                return True
            body = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []})
            link = self.page_link(path, {"page": str(page + 1)})
            h.reply(200, body.encode(), OCI_INDEX, {"Link": link})
            return True
        if path.endswith("/tags/list") and mode == "endless-tags":
            body = json.dumps({"name": "x", "tags": [f"t{page}"]}).encode()
            h.reply(200, body, JSON, {"Link": self.page_link(path, {"page": str(page + 1)})})
            return True
        return False

    @staticmethod
    def away_location(path: str) -> str:
        """A URL on a loopback port nobody listens on, with credentials and signed-URL
        secrets in it (see :data:`REDIRECT_SECRETS`)."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        user, token, signature = REDIRECT_SECRETS
        return f"http://u:{user}@127.0.0.1:{port}{path}?token={token}&X-Amz-Signature={signature}"

    # -- auth ------------------------------------------------------------------------------
    def authorize(self, h: _Handler, needed: list[str]) -> bool:
        """Check auth for ``needed`` scopes; on failure send the 401 and return False."""
        header = h.headers.get("Authorization")
        if self.auth is None:
            return True
        if self.auth == "basic":
            if self.state.check_basic(header):
                return True
            h.reply(
                401,
                error_body("UNAUTHORIZED", "authentication required"),
                JSON,
                {"WWW-Authenticate": 'Basic realm="fake registry"'},
            )
            return False
        if self.state.token_allows(header, needed):
            return True
        if self.anonymous_pull and all(n.endswith(":pull") for n in needed) and not header:
            return True
        scope = " ".join(needed)
        challenge = f'Bearer realm="{self.url}/token",service="{self.service}"'
        if scope:
            challenge += f',scope="{scope}"'
        if header:
            challenge += ',error="insufficient_scope"'
        h.reply(
            401,
            error_body("UNAUTHORIZED", "authentication required"),
            JSON,
            {"WWW-Authenticate": challenge},
        )
        return False

    def token_endpoint(self, h: _Handler, query: dict[str, list[str]]) -> None:
        """GET (service, scope...) with optional Basic, or POST refresh_token grant."""
        if h.command == "POST":
            form = parse_qs(h.body().decode())
            refresh = form.get("refresh_token", [""])[0]
            user = self.state.refresh_tokens.get(refresh)
            if (
                form.get("grant_type") != ["refresh_token"]
                or user is None
                or not form.get("client_id")
            ):
                h.reply(401, error_body("UNAUTHORIZED", "bad refresh token"), JSON)
                return
            scopes = form.get("scope", [""])[0].split()
            token = self.state.issue_token(set().union(*map(expand_scope, scopes)))
            h.reply(200, json.dumps({"access_token": token, "expires_in": 5}).encode(), JSON)
            return
        if query.get("service") != [self.service]:
            h.reply(400, error_body("UNSUPPORTED", "unknown service"), JSON)
            return
        header = h.headers.get("Authorization")
        user = self.state.check_basic(header)
        if header and user is None:
            h.reply(401, error_body("UNAUTHORIZED", "bad credentials"), JSON)
            return
        wanted: set[str] = set().union(*map(expand_scope, query.get("scope", [])))
        if user is None:
            if not self.anonymous_pull:
                h.reply(401, error_body("UNAUTHORIZED", "credentials required"), JSON)
                return
            wanted = {s for s in wanted if s.endswith(":pull")}
        token = self.state.issue_token(wanted)
        h.reply(200, json.dumps({"token": token, "expires_in": 3}).encode(), JSON)

    def location(self, path: str) -> str:
        """An upload location, relative or absolute as configured."""
        return f"{self.url}{path}" if self.absolute_locations else path

    @staticmethod
    def new_state() -> str:
        """A fresh opaque ``_state`` query value (like distribution's)."""
        return secrets.token_urlsafe(8)

    @staticmethod
    def page_link(path: str, params: dict[str, str]) -> str:
        """A relative ``Link`` header for the next page."""
        return f'<{path}?{urlencode(params)}>; rel="next"'


def _bomb(zeros: int, encoding: str) -> bytes:
    """``zeros`` spaces compressed with ``encoding`` (a few KiB on the wire)."""
    chunk, count = b" " * (1 << 20), zeros >> 20
    if encoding == "zstd":
        import zstandard

        out = zstandard.ZstdCompressor(level=3).compressobj()
        return b"".join(out.compress(chunk) for _ in range(count)) + out.flush()
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return b"".join(packer.compress(chunk) for _ in range(count)) + packer.flush()


def _stored_manifest(fake: FakeRegistry, path: str) -> bytes:
    """The stored bytes of the manifest ``path`` names (or b"{}")."""
    match = re.fullmatch(r"/v2/(.+?)/manifests/([^/]+)", path)
    if match is None:
        return b"{}"
    repo = fake.state.repo(match.group(1))
    digest = repo.tags.get(match.group(2), match.group(2))
    return repo.manifests.get(digest, (b"{}", ""))[0]


_ENCODED_MANIFESTS: dict[str, Callable[[FakeRegistry, str], tuple[bytes, str]]] = {
    "zstd-bomb": lambda fake, path: (_bomb(512 << 20, "zstd"), "zstd"),
    "gzip-bomb": lambda fake, path: (_bomb(64 << 20, "gzip"), "gzip"),
    "mislabelled-gzip": lambda fake, path: (_stored_manifest(fake, path), "gzip"),
}

_ROUTES = [
    ("uploads", re.compile(r"/v2/(?P<name>.+?)/blobs/uploads/(?P<uuid>[^/]*)")),
    ("blob", re.compile(r"/v2/(?P<name>.+?)/blobs/(?P<digest>[^/]+)")),
    ("manifest", re.compile(r"/v2/(?P<name>.+?)/manifests/(?P<ref>[^/]+)")),
    ("tags", re.compile(r"/v2/(?P<name>.+?)/tags/list")),
    ("referrers", re.compile(r"/v2/(?P<name>.+?)/referrers/(?P<digest>[^/]+)")),
]


@dataclass
class ResponseParts:
    """A response about to be sent, for :attr:`FakeRegistry.rewrite` to change.

    ``headers`` are (name, value) pairs sent as they are (values are written as
    Latin-1, so ``"\\xff"`` sends the byte 0xff); ``length`` is the Content-Length sent
    (``None``: the body's true length).
    """

    method: str
    path: str
    status: int
    body: bytes
    headers: list[tuple[str, str]]
    length: int | None


class _Handler(BaseHTTPRequestHandler):
    """Parses a request, applies faults, dispatches to :class:`Routes`."""

    protocol_version = "HTTP/1.1"
    fake: FakeRegistry
    _body: bytes | None = None
    _truncate = False

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def setup(self) -> None:
        """Once per accepted connection (one handler serves all its requests)."""
        with self.fake.state.lock:
            self.fake.connections += 1
        super().setup()

    def body(self) -> bytes:
        """The request body (Content-Length or chunked)."""
        if self._body is None:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                data = bytearray()
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        break
                    data += self.rfile.read(size)
                    self.rfile.readline()
                self._body = bytes(data)
            else:
                self._body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        return self._body

    def reply(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
        *,
        length: int | None = None,
    ) -> None:
        """Send a complete response (HEAD gets headers only)."""
        self.body()  # drain, so keep-alive stays in sync
        pairs = [("Content-Type", content_type)] if content_type else []
        pairs.append(("Docker-Distribution-API-Version", "registry/2.0"))
        if self.fake.warning:
            pairs.append(("Warning", f'299 - "{self.fake.warning}"'))
        pairs.extend((headers or {}).items())
        if self.fake.rewrite is not None:
            parts = ResponseParts(self.command, self.path, status, body, pairs, length)
            parts = self.fake.rewrite(parts)
            status, body, pairs, length = parts.status, parts.body, parts.headers, parts.length
        self.entry.status = status
        self.send_response(status)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for key, value in pairs:
            self.send_header(key, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        if self._truncate and body:
            self.wfile.write(body[: max(1, len(body) // 2)])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)
        if length is not None and length != len(body):
            # A Content-Length lie: the rest of this connection cannot be framed.
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    def drip(self, data: bytes, interval: float) -> None:
        """Send ``data`` as a 200 body, one byte per ``interval`` (until the client leaves)."""
        self.body()
        self.entry.status = 200
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            for i in range(len(data)):
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()
                time.sleep(interval)
        except OSError:
            pass
        self.close_connection = True

    def _handle(self) -> None:
        fake = self.fake
        with fake.state.lock:
            fake._in_flight += 1
            fake.peak_in_flight = max(fake.peak_in_flight, fake._in_flight)
        try:
            if fake.response_delay:
                time.sleep(fake.response_delay)
            self._dispatch()
        finally:
            with fake.state.lock:
                fake._in_flight -= 1

    def _dispatch(self) -> None:
        # One handler instance serves every request of a keep-alive connection.
        self._body, self._truncate = None, False
        split = urlsplit(self.path)
        self.entry = self.fake.state.log(self.command, self.path, dict(self.headers.items()))
        fault = self.fake.state.take_fault(self.command, self.path)
        if fault is not None:
            if fault.kind == "reset":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if fault.kind == "truncate":
                self._truncate = True
            else:
                extra = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
                code = "TOOMANYREQUESTS" if fault.kind == "429" else "UNKNOWN"
                self.reply(int(fault.kind), error_body(code, "injected"), JSON, extra)
                return
        query = parse_qs(split.query)
        if "/blobs/sha256:" in split.path and not self.fake.release_blobs.is_set():
            with self.fake.state.lock:
                self.fake.blob_waiters += 1
            self.fake.release_blobs.wait(30)
        if self.fake.hostile and self.fake.misbehave(self, split.path, query):
            return
        if split.path == "/token":
            self.fake.token_endpoint(self, query)
            return
        if split.path in ("/v2/", "/v2"):
            if self.fake.authorize(self, []):
                self.reply(200, b"{}", JSON)
            return
        if split.path == "/v2/_catalog":
            self.fake.catalog(self, query)
            return
        for kind, pattern in _ROUTES:
            match = pattern.fullmatch(split.path)
            if match is not None:
                getattr(self.fake, f"route_{kind}")(self, query, **match.groupdict())
                return
        self.reply(404, b"404 page not found\n", "text/plain")

    # http.server dispatches on these names.
    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = _handle  # noqa: N815

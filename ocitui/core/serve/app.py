"""The OCI distribution API over a layout, as an aiohttp application.

One catch-all route under ``/v2/`` dispatches on the spec's endpoint shapes, so every
answer (unknown endpoint, wrong method, read-only refusal) carries a distribution error
body. Handlers are thin: reads go to :class:`LayoutContent`, writes to
:class:`LayoutWriter`, blob uploads to :class:`Uploads`. Blobs are sent with aiohttp's
``FileResponse`` (``sendfile``, single ``Range`` requests).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from ocitui.core import media_types as mt
from ocitui.core.errors import OcituiError
from ocitui.core.models import MAX_MANIFEST_SIZE
from ocitui.core.serve.content import LayoutContent, Page, check_name, parse_digest
from ocitui.core.serve.errors import DistributionError
from ocitui.core.serve.names import NAME_RE
from ocitui.core.serve.uploads import Upload, Uploads
from ocitui.core.serve.writes import LayoutWriter

Handler = Callable[[web.Request, dict[str, str]], Awaitable[web.StreamResponse]]
API_VERSION = ("Docker-Distribution-API-Version", "registry/2.0")
_NAME = NAME_RE.pattern
_ENDPOINTS: list[tuple[str, re.Pattern[str]]] = [
    ("ping", re.compile(r"")),
    ("catalog", re.compile(r"_catalog")),
    ("tags", re.compile(rf"(?P<name>{_NAME})/tags/list")),
    ("manifest", re.compile(rf"(?P<name>{_NAME})/manifests/(?P<ref>[^/]+)")),
    ("uploads", re.compile(rf"(?P<name>{_NAME})/blobs/uploads/?")),
    ("upload", re.compile(rf"(?P<name>{_NAME})/blobs/uploads/(?P<id>[^/]+)")),
    ("blob", re.compile(rf"(?P<name>{_NAME})/blobs/(?P<digest>[^/]+)")),
    ("referrers", re.compile(rf"(?P<name>{_NAME})/referrers/(?P<digest>[^/]+)")),
]
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class AccessRecord:
    """One served request, for the access log (no headers, so no credentials)."""

    remote: str
    method: str
    path: str
    status: int
    size: int
    seconds: float


OnRequest = Callable[[AccessRecord], None]


class AccessLog(AbstractAccessLogger):
    """Hands each finished request to the ``on_request`` callback it was bound to.

    Bound per server (:meth:`calling`) rather than looked up on the request's
    application: a request aiohttp refuses before routing (a malformed request line,
    raw control bytes in the path) has no application, and is logged too.
    """

    #: The callback (none, or one; a tuple so it never binds as a method).
    callbacks: tuple[OnRequest, ...] = ()

    @classmethod
    def calling(cls, on_request: OnRequest | None) -> type[AccessLog]:
        """This logger class, calling ``on_request`` for every finished request."""
        return type("BoundAccessLog", (cls,), {"callbacks": (on_request,) if on_request else ()})

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Record method, path with query, status, body bytes and duration."""
        for callback in self.callbacks:
            callback(
                AccessRecord(
                    request.remote or "-",
                    request.method,
                    request.path_qs,
                    response.status,
                    response.body_length,
                    time,
                )
            )


class DistributionApp:
    """Request handlers bound to one layout."""

    def __init__(self, content: LayoutContent, writer: LayoutWriter, read_write: bool) -> None:
        self.content = content
        self.writer = writer
        self.read_write = read_write
        self.uploads = Uploads(content.layout)
        self._routes: dict[str, dict[str, Handler]] = {
            "ping": {"GET": self.ping},
            "catalog": {"GET": self.catalog},
            "tags": {"GET": self.tags},
            "manifest": {
                "GET": self.get_manifest,
                "PUT": self.put_manifest,
                "DELETE": self.delete_manifest,
            },
            "uploads": {"POST": self.start_upload},
            "upload": {
                "GET": self.upload_status,
                "PATCH": self.patch_upload,
                "PUT": self.finish_upload,
                "DELETE": self.cancel_upload,
            },
            "blob": {"GET": self.get_blob, "DELETE": self.delete_blob},
            "referrers": {"GET": self.referrers},
        }

    def build(self) -> web.Application:
        """The aiohttp application (its access log: :meth:`AccessLog.calling`)."""
        app = web.Application(middlewares=[_errors])
        app.router.add_route("*", "/v2", self.dispatch)
        app.router.add_route("*", "/v2/{tail:.*}", self.dispatch)
        app.on_cleanup.append(self._cleanup)
        return app

    async def _cleanup(self, _app: web.Application) -> None:
        self.uploads.close_all()

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        """Find the endpoint and method; refuse writes when read-only."""
        tail = request.match_info.get("tail", "")
        for endpoint, pattern in _ENDPOINTS:
            match = pattern.fullmatch(tail)
            if match is None:
                continue
            methods = self._routes[endpoint]
            method = "GET" if request.method == "HEAD" else request.method
            handler = methods.get(method)
            if handler is None:
                raise DistributionError(
                    "UNSUPPORTED", f"{request.method} is not allowed on this endpoint"
                )
            if method in _WRITES and not self.read_write:
                raise DistributionError(
                    "DENIED",
                    "this registry is read-only (ocitui serve --read-write accepts pushes)",
                )
            return await handler(request, match.groupdict())
        raise DistributionError("UNSUPPORTED", "not a distribution API endpoint", status=404)

    # -- pull side ---------------------------------------------------------------------

    async def ping(self, request: web.Request, _: dict[str, str]) -> web.StreamResponse:
        """``/v2/``: this is a registry, no authentication needed."""
        return _json(b"{}")

    async def catalog(self, request: web.Request, _: dict[str, str]) -> web.StreamResponse:
        """``/v2/_catalog`` with ``n``/``last`` pagination."""
        page = self.content.catalog_page(request.query.get("n"), request.query.get("last"))
        body = json.dumps({"repositories": page.items}).encode()
        return _json(body, _link("/v2/_catalog", page, request.query.get("n")))

    async def tags(self, request: web.Request, args: dict[str, str]) -> web.StreamResponse:
        """``/v2/<name>/tags/list`` with ``n``/``last`` pagination."""
        name = args["name"]
        query = request.query
        page = self.content.tag_page(name, query.get("n"), query.get("last"), query.get("ns"))
        body = json.dumps({"name": name, "tags": page.items}).encode()
        return _json(body, _link(f"/v2/{name}/tags/list", page, query.get("n")))

    async def get_manifest(self, request: web.Request, args: dict[str, str]) -> web.StreamResponse:
        """A manifest by tag or digest, with its own media type."""
        hit = self.content.manifest(args["name"], args["ref"], request.query.get("ns"))
        return web.Response(
            body=hit.raw,
            headers={
                "Content-Type": hit.media_type,
                "Docker-Content-Digest": str(hit.digest),
                API_VERSION[0]: API_VERSION[1],
            },
        )

    async def get_blob(self, request: web.Request, args: dict[str, str]) -> web.StreamResponse:
        """A blob (``Range`` honoured), sent from the file with ``sendfile``."""
        digest, path, _ = self.content.blob_path(args["name"], args["digest"])
        response = web.FileResponse(
            path,
            headers={
                "Content-Type": "application/octet-stream",
                "Docker-Content-Digest": str(digest),
                API_VERSION[0]: API_VERSION[1],
            },
        )
        return response

    async def referrers(self, request: web.Request, args: dict[str, str]) -> web.StreamResponse:
        """The referrers index of a subject, filtered by ``artifactType`` when asked."""
        artifact_type = request.query.get("artifactType")
        body = self.content.referrers(args["name"], args["digest"], artifact_type)
        headers = {"Content-Type": mt.OCI_INDEX}
        if artifact_type:
            headers["OCI-Filters-Applied"] = "artifactType"
        return _json(body, headers)

    # -- push side ---------------------------------------------------------------------

    async def put_manifest(self, request: web.Request, args: dict[str, str]) -> web.StreamResponse:
        """Store a manifest; answer with its digest, subject and tags."""
        name = args["name"]
        raw = await _read_limited(request, MAX_MANIFEST_SIZE)
        result = self.writer.put_manifest(
            name,
            args["ref"],
            raw,
            request.headers.get("Content-Type"),
            ns=request.query.get("ns"),
            tag_params=tuple(request.query.getall("tag", [])),
        )
        headers = {
            "Location": f"/v2/{name}/manifests/{result.digest}",
            "Docker-Content-Digest": str(result.digest),
        }
        if result.subject is not None:
            headers["OCI-Subject"] = str(result.subject)
        if request.query.getall("tag", []):
            headers["OCI-Tag"] = ",".join(request.query.getall("tag"))
        return _empty(201, headers)

    async def delete_manifest(
        self, request: web.Request, args: dict[str, str]
    ) -> web.StreamResponse:
        """Delete a tag or a manifest."""
        self.writer.delete_manifest(args["name"], args["ref"], request.query.get("ns"))
        return _empty(202)

    async def delete_blob(self, request: web.Request, args: dict[str, str]) -> web.StreamResponse:
        """Delete a blob nothing references."""
        self.writer.delete_blob(args["name"], args["digest"])
        return _empty(202)

    async def start_upload(self, request: web.Request, args: dict[str, str]) -> web.StreamResponse:
        """POST: mount, monolithic upload (``?digest=``), or a new session."""
        name = args["name"]
        check_name(name)
        mount = request.query.get("mount")
        if mount:
            found = self.writer.mount(mount)
            if found is not None:
                return _blob_created(name, str(found))
        digest_text = request.query.get("digest")
        if digest_text and not mount:
            digest = parse_digest(digest_text)
            upload = self.uploads.start(name)
            try:
                await self.uploads.append(upload, request.content.iter_any())
            except BaseException:
                self.uploads.cancel(upload)
                raise
            await self.uploads.finish(upload, digest)
            return _blob_created(name, str(digest))
        upload = self.uploads.start(name)
        return _empty(202, _session_headers(name, upload))

    async def upload_status(self, request: web.Request, args: dict[str, str]) -> web.StreamResponse:
        """GET on a session: how much it holds."""
        upload = self.uploads.get(args["name"], args["id"])
        return _empty(204, _session_headers(args["name"], upload))

    async def patch_upload(self, request: web.Request, args: dict[str, str]) -> web.StreamResponse:
        """PATCH: append a chunk (``Content-Range`` must continue the session)."""
        name = args["name"]
        upload = self.uploads.get(name, args["id"])
        start = _range_start(request.headers.get("Content-Range"))
        async with upload.lock:
            try:
                await self.uploads.append(upload, request.content.iter_any(), start)
            except DistributionError as exc:
                exc.headers.update(_session_headers(name, upload))
                raise
        return _empty(202, _session_headers(name, upload))

    async def finish_upload(self, request: web.Request, args: dict[str, str]) -> web.StreamResponse:
        """PUT ``?digest=``: the last chunk (if any), then verify and store."""
        name = args["name"]
        upload = self.uploads.get(name, args["id"])
        digest_text = request.query.get("digest")
        if not digest_text:
            raise DistributionError("DIGEST_INVALID", "PUT needs ?digest=")
        digest = parse_digest(digest_text)
        start = _range_start(request.headers.get("Content-Range"))
        async with upload.lock:
            await self.uploads.append(upload, request.content.iter_any(), start)
            await self.uploads.finish(upload, digest)
        return _blob_created(name, str(digest))

    async def cancel_upload(self, request: web.Request, args: dict[str, str]) -> web.StreamResponse:
        """DELETE on a session: drop it."""
        self.uploads.cancel(self.uploads.get(args["name"], args["id"]))
        return _empty(204)


@web.middleware
async def _errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every refusal as a distribution error body."""
    try:
        return await handler(request)
    except DistributionError as exc:
        error = exc
    except OcituiError as exc:
        error = DistributionError("UNKNOWN", str(exc), status=500)
    headers = {"Content-Type": "application/json", API_VERSION[0]: API_VERSION[1]}
    headers.update(error.headers)
    return web.Response(status=error.status, body=error.body(), headers=headers)


def _json(body: bytes, headers: dict[str, str] | None = None) -> web.Response:
    merged = {"Content-Type": "application/json", API_VERSION[0]: API_VERSION[1]}
    merged.update(headers or {})
    return web.Response(body=body, headers=merged)


def _empty(status: int, headers: dict[str, str] | None = None) -> web.Response:
    merged = {API_VERSION[0]: API_VERSION[1]}
    merged.update(headers or {})
    return web.Response(status=status, headers=merged)


def _blob_created(name: str, digest: str) -> web.Response:
    return _empty(201, {"Location": f"/v2/{name}/blobs/{digest}", "Docker-Content-Digest": digest})


def _session_headers(name: str, upload: Upload) -> dict[str, str]:
    return {
        "Location": f"/v2/{name}/blobs/uploads/{upload.id}",
        "Range": f"0-{max(upload.offset - 1, 0)}",
        "Docker-Upload-UUID": upload.id,
    }


def _link(path: str, page: Page, n: str | None) -> dict[str, str]:
    if page.next_last is None:
        return {}
    query = f"n={n}&last={page.next_last}" if n else f"last={page.next_last}"
    return {"Link": f'<{path}?{query}>; rel="next"'}


def _range_start(header: str | None) -> int | None:
    """The first byte of a ``Content-Range: <start>-<end>`` (``bytes `` prefix tolerated)."""
    if not header:
        return None
    text = header.strip().removeprefix("bytes").strip().split("/", 1)[0]
    start, sep, _ = text.partition("-")
    if not sep or not start.isdigit():
        raise DistributionError("BLOB_UPLOAD_INVALID", f"bad Content-Range {header[:40]!r}")
    return int(start)


async def _read_limited(request: web.Request, limit: int) -> bytes:
    parts: list[bytes] = []
    held = 0
    async for chunk in request.content.iter_any():
        held += len(chunk)
        if held > limit:
            raise DistributionError("SIZE_INVALID", f"manifest over {limit} bytes", status=413)
        parts.append(chunk)
    return b"".join(parts)

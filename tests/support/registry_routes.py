"""Endpoint handlers of the fake registry (distribution-spec 1.1 behaviour).

A mixin of :class:`tests.support.fake_registry.FakeRegistry`; ``h`` is the request
handler (``h.reply``, ``h.body()``, ``h.headers``, ``h.command``).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import TYPE_CHECKING, Any

from tests.support.registry_state import (
    RegistryState,
    Upload,
    effective_artifact_type,
    error_body,
    sha256,
)

if TYPE_CHECKING:
    from tests.support.fake_registry import _Handler

JSON = "application/json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
_DIGEST = re.compile(r"sha256:[a-f0-9]{64}")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
Query = dict[str, list[str]]


class Routes:
    """Handlers; relies on the attributes FakeRegistry defines."""

    state: RegistryState
    referrers_api: bool
    tag_page_size: int | None
    referrers_page_size: int | None
    chunk_min_length: int | None
    ignore_range: bool
    max_manifest_size: int

    def authorize(self, h: _Handler, needed: list[str]) -> bool: ...
    def location(self, path: str) -> str: ...
    def new_state(self) -> str: ...
    def page_link(self, path: str, params: dict[str, str]) -> str: ...

    @staticmethod
    def _scope(name: str, method: str) -> list[str]:
        action = {"GET": "pull", "HEAD": "pull", "DELETE": "delete"}.get(method, "push")
        needed = [f"repository:{name}:pull"] if action == "push" else []
        return [*needed, f"repository:{name}:{action}"]

    # -- manifests ---------------------------------------------------------------------
    def route_manifest(self, h: _Handler, query: Query, name: str, ref: str) -> None:
        if not self.authorize(h, self._scope(name, h.command)):
            return
        repo = self.state.repo(name)
        if h.command == "PUT":
            self._put_manifest(h, name, ref)
            return
        digest = ref if _DIGEST.fullmatch(ref) else repo.tags.get(ref)
        if digest is None or digest not in repo.manifests:
            h.reply(404, error_body("MANIFEST_UNKNOWN", f"manifest unknown: {ref}"), JSON)
            return
        if h.command == "DELETE":
            with self.state.lock:
                if _DIGEST.fullmatch(ref):
                    del repo.manifests[digest]
                    for tag in [t for t, d in repo.tags.items() if d == digest]:
                        del repo.tags[tag]
                else:
                    del repo.tags[ref]
            h.reply(202)
            return
        raw, media_type = repo.manifests[digest]
        h.reply(200, raw, media_type, {"Docker-Content-Digest": digest})

    def _put_manifest(self, h: _Handler, name: str, ref: str) -> None:
        raw = h.body()
        if len(raw) > self.max_manifest_size:
            h.reply(413, error_body("SIZE_INVALID", "manifest too big"), JSON)
            return
        media_type = (h.headers.get("Content-Type") or "").split(";")[0].strip()
        try:
            doc = json.loads(raw)
        except ValueError:
            h.reply(400, error_body("MANIFEST_INVALID", "not json"), JSON)
            return
        if doc.get("mediaType") not in (None, media_type):
            h.reply(400, error_body("MANIFEST_INVALID", "mediaType mismatch"), JSON)
            return
        digest = sha256(raw)
        if _DIGEST.fullmatch(ref) and ref != digest:
            h.reply(400, error_body("DIGEST_INVALID", "digest mismatch"), JSON)
            return
        if not _DIGEST.fullmatch(ref) and not _TAG.fullmatch(ref):
            h.reply(400, error_body("TAG_INVALID", "bad tag"), JSON)
            return
        repo = self.state.repo(name)
        blobs = [doc.get("config") or {}, *(doc.get("layers") or [])] if "config" in doc else []
        for desc in blobs:
            if desc.get("digest") not in repo.blobs:
                h.reply(400, error_body("MANIFEST_BLOB_UNKNOWN", "blob unknown"), JSON)
                return
        for desc in doc.get("manifests") or []:
            if desc.get("digest") not in repo.manifests:
                h.reply(400, error_body("MANIFEST_BLOB_UNKNOWN", "manifest unknown"), JSON)
                return
        self.state.put_manifest(name, raw, media_type, None if _DIGEST.fullmatch(ref) else ref)
        headers = {"Docker-Content-Digest": digest, "Location": f"/v2/{name}/manifests/{digest}"}
        subject = doc.get("subject")
        if self.referrers_api and isinstance(subject, dict) and subject.get("digest"):
            headers["OCI-Subject"] = str(subject["digest"])
        h.reply(201, b"", None, headers)

    # -- blobs -------------------------------------------------------------------------
    def route_blob(self, h: _Handler, query: Query, name: str, digest: str) -> None:
        if not self.authorize(h, self._scope(name, h.command)):
            return
        repo = self.state.repo(name)
        if digest not in repo.blobs:
            h.reply(404, error_body("BLOB_UNKNOWN", "blob unknown"), JSON)
            return
        if h.command == "DELETE":
            repo.blobs.discard(digest)
            h.reply(202)
            return
        data = self.state.blobs[digest]
        headers = {"Docker-Content-Digest": digest, "Accept-Ranges": "bytes"}
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", h.headers.get("Range") or "")
        if match and not self.ignore_range:
            start = int(match.group(1))
            end = int(match.group(2)) if match.group(2) else len(data) - 1
            if start >= len(data):
                h.reply(416, b"", None, {"Content-Range": f"bytes */{len(data)}"})
                return
            end = min(end, len(data) - 1)
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            h.reply(206, data[start : end + 1], "application/octet-stream", headers)
            return
        h.reply(200, data, "application/octet-stream", headers)

    # -- uploads -----------------------------------------------------------------------
    def route_uploads(self, h: _Handler, query: Query, name: str, uuid: str) -> None:
        needed = self._scope(name, "PUT")
        mount_from = query.get("from", [""])[0]
        if mount_from:
            needed.append(f"repository:{mount_from}:pull")
        if not self.authorize(h, needed):
            return
        if h.command == "POST" and not uuid:
            self._start_upload(h, query, name, mount_from)
            return
        upload = self.state.uploads.get(uuid)
        if upload is None or upload.repo != name:
            h.reply(404, error_body("BLOB_UPLOAD_UNKNOWN", "upload unknown"), JSON)
            return
        if query.get("_state", [""])[0] != upload.state:
            h.reply(400, error_body("BLOB_UPLOAD_INVALID", "bad _state"), JSON)
            return
        if h.command == "GET":
            self._upload_answer(h, 204, name, uuid, upload)
        elif h.command == "PATCH":
            if self._append(h, upload):
                self._upload_answer(h, 202, name, uuid, upload)
        elif h.command == "PUT":
            if not self._append(h, upload):
                return
            digest = query.get("digest", [""])[0]
            if sha256(bytes(upload.data)) != digest:
                h.reply(400, error_body("DIGEST_INVALID", "digest mismatch"), JSON)
                return
            self.state.put_blob(name, bytes(upload.data))
            del self.state.uploads[uuid]
            h.reply(
                201,
                b"",
                None,
                {"Location": f"/v2/{name}/blobs/{digest}", "Docker-Content-Digest": digest},
            )
        elif h.command == "DELETE":
            del self.state.uploads[uuid]
            h.reply(204)
        else:
            h.reply(405)

    def _start_upload(self, h: _Handler, query: Query, name: str, mount_from: str) -> None:
        mount = query.get("mount", [""])[0]
        if mount and mount_from and mount in self.state.repo(mount_from).blobs:
            self.state.repo(name).blobs.add(mount)
            h.reply(
                201,
                b"",
                None,
                {"Location": f"/v2/{name}/blobs/{mount}", "Docker-Content-Digest": mount},
            )
            return
        digest = query.get("digest", [""])[0]
        body = h.body()
        if digest and not mount:
            if sha256(body) != digest:
                h.reply(400, error_body("DIGEST_INVALID", "digest mismatch"), JSON)
                return
            self.state.put_blob(name, body)
            h.reply(
                201,
                b"",
                None,
                {"Location": f"/v2/{name}/blobs/{digest}", "Docker-Content-Digest": digest},
            )
            return
        upload_id = str(uuid.uuid4())
        upload = Upload(name)
        self.state.uploads[upload_id] = upload
        self._upload_answer(h, 202, name, upload_id, upload)

    def _append(self, h: _Handler, upload: Upload) -> bool:
        data = h.body()
        content_range = h.headers.get("Content-Range")
        if content_range:
            match = re.fullmatch(r"(?:bytes[ =])?(\d+)-(\d+)(?:/\S+)?", content_range.strip())
            if (
                match is None
                or int(match.group(1)) != len(upload.data)
                or int(match.group(2)) - int(match.group(1)) + 1 != len(data)
            ):
                h.reply(
                    416,
                    error_body("BLOB_UPLOAD_INVALID", "bad range"),
                    JSON,
                    {"Range": f"0-{max(len(upload.data) - 1, 0)}"},
                )
                return False
        upload.data += data
        return True

    def _upload_answer(
        self, h: _Handler, status: int, name: str, upload_id: str, upload: Upload
    ) -> None:
        upload.state = self.new_state()
        headers = {
            "Location": self.location(
                f"/v2/{name}/blobs/uploads/{upload_id}?_state={upload.state}"
            ),
            "Range": f"0-{max(len(upload.data) - 1, 0)}",
            "Docker-Upload-UUID": upload_id,
        }
        if self.chunk_min_length:
            headers["OCI-Chunk-Min-Length"] = str(self.chunk_min_length)
        h.reply(status, b"", None, headers)

    # -- listing -----------------------------------------------------------------------
    def _paged(
        self,
        h: _Handler,
        query: Query,
        *,
        path: str,
        key: str,
        items: list[str],
        extra: dict[str, Any],
        default_page: int | None,
    ) -> None:
        last = query.get("last", [""])[0]
        n_text = query.get("n", [""])[0]
        n = int(n_text) if n_text.isdigit() else default_page
        items = sorted(items)
        if last:
            items = [i for i in items if i > last]
        headers = {}
        if n is not None and len(items) > n:
            items = items[:n]
            headers["Link"] = self.page_link(path, {"n": str(n), "last": items[-1]})
        elif n == 0:
            items = []
        h.reply(200, json.dumps({**extra, key: items}).encode(), JSON, headers)

    def route_tags(self, h: _Handler, query: Query, name: str) -> None:
        if not self.authorize(h, self._scope(name, "GET")):
            return
        if name not in self.state.repos:
            h.reply(404, error_body("NAME_UNKNOWN", "repository name not known"), JSON)
            return
        tags = list(self.state.repos[name].tags)
        self._paged(
            h,
            query,
            path=f"/v2/{name}/tags/list",
            key="tags",
            items=tags,
            extra={"name": name},
            default_page=self.tag_page_size,
        )

    def catalog(self, h: _Handler, query: Query) -> None:
        if not self.authorize(h, ["registry:catalog:*"]):
            return
        names = [n for n, r in self.state.repos.items() if r.manifests or r.blobs]
        self._paged(
            h,
            query,
            path="/v2/_catalog",
            key="repositories",
            items=names,
            extra={},
            default_page=self.tag_page_size,
        )

    # -- referrers ---------------------------------------------------------------------
    def route_referrers(self, h: _Handler, query: Query, name: str, digest: str) -> None:
        if not self.referrers_api:
            h.reply(404, b"404 page not found\n", "text/plain")
            return
        if not self.authorize(h, self._scope(name, "GET")):
            return
        if not _DIGEST.fullmatch(digest):
            h.reply(400, error_body("DIGEST_INVALID", "bad digest"), JSON)
            return
        wanted = query.get("artifactType", [])
        found = []
        for manifest_digest, (raw, media_type) in sorted(self.state.repo(name).manifests.items()):
            doc = json.loads(raw)
            subject = doc.get("subject") or {}
            if subject.get("digest") != digest:
                continue
            desc: dict[str, Any] = {
                "mediaType": media_type,
                "digest": manifest_digest,
                "size": len(raw),
            }
            artifact_type = effective_artifact_type(doc)
            if artifact_type:
                desc["artifactType"] = artifact_type
            if doc.get("annotations"):
                desc["annotations"] = doc["annotations"]
            if not wanted or artifact_type in wanted:
                found.append(desc)
        headers = {"OCI-Filters-Applied": "artifactType"} if wanted else {}
        page = int(query.get("page", ["0"])[0])
        size = self.referrers_page_size
        if size:
            chunk = found[page * size : (page + 1) * size]
            if (page + 1) * size < len(found):
                params = {"page": str(page + 1)}
                if wanted:
                    params["artifactType"] = wanted[0]
                headers["Link"] = self.page_link(f"/v2/{name}/referrers/{digest}", params)
            found = chunk
        body = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": found}
        h.reply(200, json.dumps(body).encode(), OCI_INDEX, headers)

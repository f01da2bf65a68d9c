"""``ocitui serve`` over HTTP: the pull side on the demo layout, refusals, and pushes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import httpx

from ocitui.core import media_types as mt
from ocitui.core.layout import Layout
from tests.support.serving import Served

APP_10 = "registry.example.com/demo/app:1.0"


def _errors(response: httpx.Response) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


def test_pull_side_on_the_demo(demo_copy: Path, served: Callable[..., Served]) -> None:
    server = served(demo_copy)
    layout = Layout.open(demo_copy)
    index = layout.resolve(APP_10)
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/v2/").status_code == 200
        catalog = client.get("/v2/_catalog").json()["repositories"]
        assert "demo/app" in catalog and "registry.example.com/demo/app" in catalog
        tags = client.get("/v2/demo/app/tags/list").json()
        assert tags["name"] == "demo/app" and "1.0" in tags["tags"]
        first = client.get("/v2/demo/app/tags/list", params={"n": 1})
        assert first.json()["tags"] == sorted(tags["tags"])[:1]
        assert first.headers["Link"].startswith("</v2/demo/app/tags/list?n=1&last=")
        rest = client.get("/v2/demo/app/tags/list", params={"last": first.json()["tags"][0]})
        assert rest.json()["tags"] == sorted(tags["tags"])[1:]

        manifest = client.get("/v2/demo/app/manifests/1.0")
        assert manifest.status_code == 200
        assert manifest.content == layout.read_blob(index.digest)
        assert manifest.headers["Content-Type"] == mt.OCI_INDEX
        assert manifest.headers["Docker-Content-Digest"] == str(index.digest)
        head = client.head(f"/v2/registry.example.com/demo/app/manifests/{index.digest}")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["Content-Length"] == str(index.size)

        child = json.loads(manifest.content)["manifests"][0]
        config = json.loads(layout.read_blob(layout.resolve(child["digest"]).digest))["config"]
        blob = client.get(f"/v2/demo/app/blobs/{config['digest']}")
        assert hashlib.sha256(blob.content).hexdigest() == config["digest"].split(":")[1]
        assert blob.headers["Docker-Content-Digest"] == config["digest"]
        part = client.get(f"/v2/demo/app/blobs/{config['digest']}", headers={"Range": "bytes=1-4"})
        assert part.status_code == 206 and part.content == blob.content[1:5]

        referrers = client.get(f"/v2/demo/app/referrers/{index.digest}")
        assert referrers.headers["Content-Type"] == mt.OCI_INDEX
        listed = referrers.json()["manifests"]
        assert len(listed) == 3
        assert all("dev.ocitui.referrer.subject" not in d.get("annotations", {}) for d in listed)
        spdx = client.get(
            f"/v2/demo/app/referrers/{index.digest}", params={"artifactType": mt.SPDX_JSON}
        )
        assert spdx.headers["OCI-Filters-Applied"] == "artifactType"
        assert [d["artifactType"] for d in spdx.json()["manifests"]] == [mt.SPDX_JSON]

        mirrored = client.head("/v2/demo/app/manifests/1.0?ns=registry.example.com")
        assert mirrored.headers["Docker-Content-Digest"] == str(index.digest)
        other = client.get("/v2/demo/app/manifests/1.0?ns=docker.io")
        assert other.status_code == 404 and _errors(other) == ["MANIFEST_UNKNOWN"]
        missing = client.get("/v2/demo/app/manifests/nope")
        assert missing.status_code == 404 and _errors(missing) == ["MANIFEST_UNKNOWN"]
        unknown = client.get("/v2/no/such/tags/list")
        assert unknown.status_code == 404 and _errors(unknown) == ["NAME_UNKNOWN"]
        bad = client.get("/v2/demo/app/blobs/sha256:nothex")
        assert bad.status_code == 400 and _errors(bad) == ["DIGEST_INVALID"]
        refused = client.post("/v2/demo/app/blobs/uploads/")
        assert refused.status_code == 403 and _errors(refused) == ["DENIED"]
        deleted = client.delete(f"/v2/demo/app/manifests/{index.digest}")
        assert deleted.status_code == 403 and _errors(deleted) == ["DENIED"]
    rest_of_stdout = server.stop()
    assert json.loads(rest_of_stdout.splitlines()[-1]) == {"event": "stopped"}
    log = server.log()
    assert '"path": "/v2/demo/app/manifests/1.0"' in log and '"status": 403' in log
    assert layout.resolve(APP_10).digest == index.digest  # Nothing moved.


def test_chunked_push_and_referrer_manifest_with_read_write(
    demo_copy: Path, served: Callable[..., Served]
) -> None:
    server = served(demo_copy, "--read-write")
    layout = Layout.open(demo_copy)
    subject = layout.resolve(APP_10)
    payload = b"hello referrer\n" * 1000
    digest = "sha256:" + hashlib.sha256(payload).hexdigest()
    with httpx.Client(base_url=server.url) as client:
        start = client.post("/v2/demo/app/blobs/uploads/")
        assert start.status_code == 202
        location = start.headers["Location"]
        first = client.patch(location, content=payload[:5000], headers={"Content-Range": "0-4999"})
        assert first.status_code == 202 and first.headers["Range"] == "0-4999"
        wrong = client.patch(
            first.headers["Location"], content=b"x", headers={"Content-Range": "9000-9000"}
        )
        assert wrong.status_code == 416 and wrong.headers["Range"] == "0-4999"
        done = client.put(
            first.headers["Location"], params={"digest": digest}, content=payload[5000:]
        )
        assert done.status_code == 201 and done.headers["Docker-Content-Digest"] == digest
        empty = client.post(
            "/v2/demo/app/blobs/uploads/", params={"digest": mt.EMPTY_DIGEST}, content=b"{}"
        )
        assert empty.status_code == 201
        bad = client.post(
            "/v2/demo/app/blobs/uploads/", params={"digest": mt.EMPTY_DIGEST}, content=b"[]"
        )
        assert bad.status_code == 400 and _errors(bad) == ["DIGEST_INVALID"]
        manifest = {
            "schemaVersion": 2,
            "mediaType": mt.OCI_MANIFEST,
            "artifactType": "application/vnd.example.report.v1",
            "config": {"mediaType": mt.OCI_EMPTY, "digest": mt.EMPTY_DIGEST, "size": 2},
            "layers": [{"mediaType": "text/plain", "digest": digest, "size": len(payload)}],
            "subject": {
                "mediaType": subject.media_type,
                "digest": str(subject.digest),
                "size": subject.size,
            },
        }
        raw = json.dumps(manifest).encode()
        put = client.put(
            "/v2/demo/app/manifests/report",
            content=raw,
            headers={"Content-Type": mt.OCI_MANIFEST},
        )
        assert put.status_code == 201, put.text
        assert put.headers["OCI-Subject"] == str(subject.digest)
        listed = client.get(f"/v2/demo/app/referrers/{subject.digest}").json()["manifests"]
        assert len(listed) == 4
        missing_blob = dict(
            manifest, layers=[dict(manifest["layers"][0], digest="sha256:" + "0" * 64)]
        )
        refused = client.put(
            "/v2/demo/app/manifests/broken",
            content=json.dumps(missing_blob).encode(),
            headers={"Content-Type": mt.OCI_MANIFEST},
        )
        assert refused.status_code == 400 and _errors(refused) == ["MANIFEST_BLOB_UNKNOWN"]
    server.stop()
    layout = Layout.open(demo_copy)
    report = layout.resolve("registry.example.com/demo/app:report")
    assert (
        report.digest
        == layout.referrers(subject.digest, ["application/vnd.example.report.v1"])[0].digest
    )
    assert layout.read_blob(report.digest) == raw
    assert not list((demo_copy / "ingest").glob("upload-*"))

"""The OCI distribution-spec conformance suite against ``ocitui serve``.

``conformance.test`` is built by ``.ci/peers.sh`` (pinned distribution-spec commit).
Read-only: the preloaded demo image, its tags, a blob and its referrers, in the suite's
read-only mode (``OCI_FILTER_TEST`` keeps it to that branch: with push disabled the
suite's blob-API branch is skipped in a way that makes its own results.yaml writer
crash after the verdict is printed). Read-write: every workflow on an empty layout,
push, pull, referrers, tag parameters, upload cancel, deletes, sha512 content.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from ocitui.core.layout import Layout
from tests.support.binaries import need
from tests.support.serving import Served

PASS_LINE = "OCI Conformance Test: Pass"


def _run_suite(server: Served, workdir: Path, **settings: str) -> None:
    binary = need("conformance.test")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCI_")}
    env.update(
        {
            "OCI_REGISTRY": server.host,
            "OCI_TLS": "disabled",
            "OCI_RESULTS_DIR": str(workdir / "results"),
            "OCI_LOG": "warn",
            **settings,
        }
    )
    result = subprocess.run(
        [binary], check=False, cwd=workdir, env=env, capture_output=True, text=True, timeout=600
    )
    failures = [line for line in result.stdout.splitlines() if ": Fail" in line]
    assert result.returncode == 0, "\n".join(failures) + result.stderr[-3000:]
    assert PASS_LINE in result.stdout
    assert not failures


def test_conformance_read_only_on_the_demo(
    demo_copy: Path, served: Callable[..., Served], tmp_path: Path
) -> None:
    layout = Layout.open(demo_copy)
    index = layout.resolve("registry.example.com/demo/app:1.0")
    child = json.loads(layout.read_blob(index.digest))["manifests"][0]["digest"]
    config = json.loads(layout.read_blob(layout.resolve(child).digest))["config"]["digest"]
    server = served(demo_copy)
    _run_suite(
        server,
        tmp_path,
        OCI_REPO1="demo/app",
        OCI_REPO2="demo/bundle",
        OCI_API_PUSH="false",
        OCI_API_BLOBS_DELETE="false",
        OCI_API_MANIFESTS_DELETE="false",
        OCI_API_TAGS_DELETE="false",
        OCI_RO_DATA_TAGS="1.0 1.1",
        OCI_RO_DATA_MANIFESTS=f"{index.digest} {child}",
        OCI_RO_DATA_BLOBS=config,
        OCI_RO_DATA_REFERRERS=str(index.digest),
        OCI_FILTER_TEST="OCI Conformance Test/read-only",
    )


def test_conformance_read_write_every_workflow(
    tmp_path: Path, served: Callable[..., Served]
) -> None:
    root = tmp_path / "layout"
    server = served(root, "--read-write")
    _run_suite(
        server,
        tmp_path,
        OCI_REPO1="conformance/repo1",
        OCI_REPO2="conformance/repo2",
        OCI_API_BLOBS_UPLOAD_CANCEL="true",
        OCI_API_MANIFESTS_TAG_PARAM="true",
    )
    log = server.log()
    assert '"method": "PATCH"' in log and '"method": "DELETE"' in log
    server.stop()
    assert not list((root / "ingest").glob("upload-*"))

"""The layout's ingest writer as the BlobSink of downloads (real resume across attempts)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ocitui.core.errors import RegistryError
from ocitui.core.layout import Layout
from ocitui.core.registry import BlobSink, RegistryClient, RegistryOptions, StaticCredentials
from tests.registry.helpers import blob_desc, ref
from tests.support.fake_registry import FakeRegistry


async def _no_sleep(_: float) -> None:
    return None


async def test_interrupted_download_resumes_into_layout(
    fake_registry: Callable[..., FakeRegistry], tmp_path: Path
) -> None:
    reg = fake_registry()
    data = bytes(range(256)) * 2000
    desc = blob_desc(data)
    reg.state.put_blob("app", data)
    layout = Layout.open(tmp_path / "layout", create=True)
    # First attempt: every try is cut off and retries are exhausted; bytes stay in ingest/.
    reg.inject(r"/blobs/sha256:", "truncate", times=2)
    options = RegistryOptions(retries=1)
    async with RegistryClient(options, credentials=StaticCredentials(), sleep=_no_sleep) as c:
        with layout.ingest(desc.digest, desc.size) as writer:
            sink: BlobSink = writer
            with pytest.raises(RegistryError, match="breaking off"):
                await c.fetch_blob(ref(reg.host, "app"), desc, sink)
            held = writer.offset
    assert 0 < held < desc.size and not layout.has_blob(desc.digest)
    # Second attempt, new writer: resumes from the partial file with a Range request.
    reg.state.clear_log()
    async with RegistryClient(credentials=StaticCredentials(), sleep=_no_sleep) as c:
        with layout.ingest(desc.digest, desc.size) as writer:
            assert writer.offset == held
            await c.fetch_blob(ref(reg.host, "app"), desc, writer)
            writer.commit()
    assert layout.read_blob(desc.digest) == data
    gets = reg.state.requests_matching("GET", r"/blobs/")
    assert len(gets) == 1 and gets[0].headers["Range"] == f"bytes={held}-"

"""Issue 15 item 15: a push moves tags last.

Every blob, manifest, referrer and referrers fallback index reaches the registry before
any tag that users (and admission controllers) resolve, so a tag never points at an image
whose signatures are not there yet. Observed through the fake registry's request log.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from ocitui.core.reference import parse_reference
from ocitui.core.registry import RegistryClient
from ocitui.core.sync import pull, push
from tests.sync.graph import build_graph, seed_state

_DIGEST_PUT = re.compile(r"/manifests/sha256:[a-f0-9]{64}$")


@pytest.mark.parametrize("referrers_api", [True, False])
async def test_tags_are_written_after_everything_else(
    fake_registry: Callable[..., Any], client: RegistryClient, new_layout, referrers_api: bool
) -> None:
    source = fake_registry()
    graph = build_graph()
    seed_state(source.state, "team/app", graph)
    layout = new_layout()
    assert (await pull(client, layout, [f"{source.host}/team/app:v1"])).ok
    dest = fake_registry(referrers_api=referrers_api)
    report = await push(
        layout, client, [(f"{source.host}/team/app:v1", parse_reference(f"{dest.host}/m/app:v1"))]
    )
    assert report.ok, report.to_json()
    writes = [
        r.path
        for r in dest.state.requests
        if r.method in ("PUT", "POST", "PATCH") and r.status < 400
    ]
    user_tag = [i for i, p in enumerate(writes) if p.endswith("/manifests/v1")]
    legacy = [i for i, p in enumerate(writes) if p.endswith(".sig")]
    fallback = [i for i, p in enumerate(writes) if re.search(r"/manifests/sha256-[a-f0-9]{64}$", p)]
    content = [
        i for i, p in enumerate(writes) if "/blobs/" in p or _DIGEST_PUT.search(p) or i in fallback
    ]
    assert len(user_tag) == 1 and len(legacy) == 1
    assert referrers_api or fallback, "the fallback index must be written without the API"
    # The user's tag is the very last write; the legacy tag comes after all content.
    assert user_tag[0] == len(writes) - 1, writes[-3:]
    assert max(content) < legacy[0] < user_tag[0]


async def test_bundle_tag_is_written_after_its_images_and_records(
    fake_registry: Callable[..., Any], client: RegistryClient, demo_copy
) -> None:
    """A relocated bundle's tag comes after every ``.imgpkg`` tag and the locations record."""
    from ocitui.core.layout import Layout
    from ocitui.core.sync.bundles import BundleOptions

    demo = Layout.open(demo_copy)
    dest = fake_registry(referrers_api=False)
    report = await push(
        demo,
        client,
        [("registry.example.com/demo/bundle:1.0", parse_reference(f"{dest.host}/r/bundle:1.0"))],
        bundle_options=BundleOptions(imgpkg_compat=True),
    )
    assert report.ok, report.to_json()
    tags = [
        r.path.rsplit("/", 1)[1]
        for r in dest.state.requests
        if r.method == "PUT" and "/manifests/" in r.path and r.status < 400
    ]
    tags = [t for t in tags if not t.startswith("sha256:")]
    assert any(t.endswith(".imgpkg") for t in tags)
    assert tags[-1] == "1.0", tags

"""Fixtures of the mirror tests: run a mirror file in-process against loopback registries."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from ocitui.core.layout import Layout
from ocitui.core.mirror import Connections, MirrorReport, load_mirror_file, mirror
from ocitui.core.registry import (
    CredentialProvider,
    RegistryClient,
    RegistryOptions,
    StaticCredentials,
)

Runner = Callable[..., Awaitable[MirrorReport]]


async def _no_sleep(_seconds: float) -> None:
    return None


def make_client(options: RegistryOptions, credentials: CredentialProvider) -> RegistryClient:
    """A client that does not wait between retries."""
    return RegistryClient(options, credentials=credentials, sleep=_no_sleep)


@pytest.fixture
def run_mirror(tmp_path: Path) -> Runner:
    """``await run_mirror(yaml_text, layout, **mirror_options)``: the report."""

    async def run(text: str, layout: Layout, **options: object) -> MirrorReport:
        path = tmp_path / "mirror.yaml"
        path.write_text(text)
        config = load_mirror_file(path)
        connections = Connections(config, RegistryOptions(), StaticCredentials(), make_client)
        try:
            if options.pop("push", False):
                async with make_client(RegistryOptions(), StaticCredentials()) as pusher:
                    return await mirror(
                        config,
                        layout,
                        connections,
                        push_client=pusher,
                        **options,  # type: ignore[arg-type]
                    )
            return await mirror(config, layout, connections, **options)  # type: ignore[arg-type]
        finally:
            await connections.aclose()

    return run


def tree_hashes(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its sha256 (to prove nothing changed)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }

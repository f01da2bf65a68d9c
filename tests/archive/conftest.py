"""Fixtures for archive tests: a small built layout with every kind of attachment."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor
from tests.archive import builders


@dataclass
class Built:
    """A small source layout and the descriptors worth asserting on."""

    layout: Layout
    app: Descriptor
    other: Descriptor
    sbom: Descriptor
    sbom_sig: Descriptor
    sig_tag: Descriptor


@pytest.fixture
def built(tmp_path: Path) -> Built:
    """app:1 (an index of two images) with an SBOM, a signature of the SBOM and a legacy
    cosign tag; other:1 unrelated."""
    layout = Layout.open(tmp_path / "src", create=True)
    # Incompressible layers, so split zstd archives have several parts too.
    amd = builders.image(layout, None, payload=random.Random(1).randbytes(100_000))
    arm = builders.image(layout, None, payload=random.Random(2).randbytes(100_000))
    app = builders.index(layout, "registry.example.com/demo/app:1", [amd, arm])
    sbom = builders.referrer(layout, app, "application/spdx+json", b'{"spdx": 1}')
    sbom_sig = builders.referrer(
        layout, sbom, "application/vnd.dev.sigstore.bundle.v0.3+json", b'{"sig": 1}'
    )
    sig_tag = builders.legacy_sig(layout, "registry.example.com/demo/app", app)
    other = builders.image(layout, "registry.example.com/demo/other:1", payload=b"other" * 50)
    return Built(layout, app, other, sbom, sbom_sig, sig_tag)


@pytest.fixture
def target(tmp_path: Path) -> Layout:
    """An empty destination layout."""
    return Layout.open(tmp_path / "dst", create=True)

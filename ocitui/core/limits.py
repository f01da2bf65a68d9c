"""Bounds on everything untrusted input could make unbounded, with documented defaults.

Each bound has a default and an environment variable that overrides it (read at call
time, so tests and scripts can lower them). A malformed or non-positive value falls back
to the default rather than disabling the bound. The README's "Reliability" section lists
them all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Bound:
    """One configurable limit: its environment variable, default and meaning."""

    env: str
    default: float
    doc: str

    def value(self) -> float:
        """The effective value (the environment's when valid and positive)."""
        text = os.environ.get(self.env, "").strip()
        if text:
            try:
                number = float(text)
            except ValueError:
                return self.default
            if number > 0:
                return number
        return self.default

    def int_value(self) -> int:
        """The effective value as a whole number (at least 1)."""
        return max(1, int(self.value()))


BLOB_ATTEMPTS = Bound(
    "OCITUI_MAX_BLOB_ATTEMPTS",
    12,
    "requests per blob download, restarts after a wrong Content-Range included",
)
LISTING_PAGES = Bound(
    "OCITUI_MAX_PAGES", 1000, "pages followed per tag, catalog or referrers listing"
)
REQUEST_DEADLINE = Bound(
    "OCITUI_REQUEST_DEADLINE",
    3600,
    "seconds one response body may take in total (a drip-fed body is cut off)",
)
SYNC_DEADLINE = Bound(
    "OCITUI_SYNC_DEADLINE", 6 * 3600, "seconds one registry session (a pull, push, copy) may last"
)
JSON_DEPTH = Bound(
    "OCITUI_MAX_JSON_DEPTH", 64, "nesting depth of any JSON read from a layout, archive or registry"
)
GRAPH_DEPTH = Bound(
    "OCITUI_MAX_GRAPH_DEPTH",
    64,
    "levels of a referrer tree shown by referrers --tree and inspect",
)
REFERRER_FANOUT = Bound(
    "OCITUI_MAX_REFERRERS", 100_000, "referrers accepted for one subject from a registry"
)
REFERRER_CONCURRENCY = Bound(
    "OCITUI_REFERRER_CONCURRENCY", 8, "referrer manifests fetched at once by referrers --remote"
)
TAG_LIST_PAGES = Bound(
    "OCITUI_PULL_TAG_PAGES",
    10,
    "pages of the one tag listing a big pull makes instead of probing each manifest for "
    "cosign .sig/.att/.sbom and fallback referrer tags (a longer list: it keeps probing)",
)

ARCHIVE_EXPANSION = Bound(
    "OCITUI_MAX_ARCHIVE_EXPANSION",
    100,
    "times its size on disk (plus 64 MiB) an archive may write of blobs no descriptor "
    "has described yet (a zstd bomb is refused before its bytes are written)",
)

#: Every bound, for documentation and ``--help`` texts.
ALL_BOUNDS: tuple[Bound, ...] = (
    BLOB_ATTEMPTS,
    LISTING_PAGES,
    REQUEST_DEADLINE,
    SYNC_DEADLINE,
    JSON_DEPTH,
    GRAPH_DEPTH,
    REFERRER_FANOUT,
    REFERRER_CONCURRENCY,
    TAG_LIST_PAGES,
    ARCHIVE_EXPANSION,
)

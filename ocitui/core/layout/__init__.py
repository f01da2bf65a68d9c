"""The embedded OCI image layout store: blobs, index.json, names, referrers."""

from ocitui.core.layout.ingest import BlobWriter
from ocitui.core.layout.referrers import SUBJECT_HINT, ReferrerNode
from ocitui.core.layout.store import Layout

__all__ = ["SUBJECT_HINT", "BlobWriter", "Layout", "ReferrerNode"]

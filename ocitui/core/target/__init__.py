"""One door to content: the async :class:`Target` protocol and its three implementations.

- :class:`LayoutTarget`: an OCI image layout directory (read and write);
- :class:`RegistryTarget`: the repositories of registries one client reaches;
- :class:`ArchiveTarget`: an ``export`` tar / ``.tar.zst`` / split archive, read in place.

Nothing above this package asks which kind it holds; it reads :class:`Capabilities`.
"""

from ocitui.core.target.archive import ArchiveLayout, ArchiveTarget, sole_tag, split_archive_ref
from ocitui.core.target.base import (
    BlobSource,
    BytesSource,
    Capabilities,
    Progress,
    SpoolSink,
    TagWrite,
    Target,
    is_manifest_type,
    plain,
)
from ocitui.core.target.layout import LayoutTarget
from ocitui.core.target.registry import RegistryTarget

__all__ = [
    "ArchiveLayout",
    "ArchiveTarget",
    "BlobSource",
    "BytesSource",
    "Capabilities",
    "LayoutTarget",
    "Progress",
    "RegistryTarget",
    "SpoolSink",
    "TagWrite",
    "Target",
    "is_manifest_type",
    "plain",
    "sole_tag",
    "split_archive_ref",
]

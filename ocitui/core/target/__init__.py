"""One door to content: the async :class:`Target` protocol and its three implementations.

- :class:`LayoutTarget`: an OCI image layout directory (read and write);
- :class:`RegistryTarget`: the repositories of registries one client reaches;
- :class:`ArchiveTarget`: an ``export`` tar / ``.tar.zst`` / split archive, read in place.

Nothing above this package asks which kind it holds; it reads :class:`Capabilities`.
"""

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from ocitui.core.target.archive import (
        ArchiveLayout,
        ArchiveTarget,
        sole_tag,
        split_archive_ref,
    )

#: Imported on first use: the archive reader pulls in tar, zstd and the importer, which a
#: pull or push never needs (a tenth of their start-up).
_ARCHIVE = frozenset({"ArchiveLayout", "ArchiveTarget", "sole_tag", "split_archive_ref"})


def __getattr__(name: str) -> Any:
    if name in _ARCHIVE:
        from ocitui.core.target import archive

        return getattr(archive, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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

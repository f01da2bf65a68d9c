"""Air-gap archives: ``export`` a layout (or some refs) to a tar that is itself an OCI
layout, optionally zstd-compressed and split into parts; ``import`` it back, verified."""

from ocitui.core.archive.events import (
    ArchiveEvent,
    ArchiveFinished,
    ArchiveStarted,
    BlobDone,
    BlobProgress,
    BlobStarted,
    EventConsumer,
    PartDone,
)
from ocitui.core.archive.export import ExportReport, export_archive, wants_zstd
from ocitui.core.archive.importer import ImportReport, import_archives
from ocitui.core.archive.sizes import parse_size

__all__ = [
    "ArchiveEvent",
    "ArchiveFinished",
    "ArchiveStarted",
    "BlobDone",
    "BlobProgress",
    "BlobStarted",
    "EventConsumer",
    "ExportReport",
    "ImportReport",
    "PartDone",
    "export_archive",
    "import_archives",
    "parse_size",
    "wants_zstd",
]

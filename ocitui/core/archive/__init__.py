"""Air-gap archives: ``export`` a layout (or some refs) to a tar that is itself an OCI
layout, optionally zstd-compressed and split into parts; ``import`` it back, verified."""

from ocitui.core.archive.export import ExportReport, export_archive, wants_zstd
from ocitui.core.archive.importer import ImportReport, import_archives
from ocitui.core.archive.sizes import parse_size
from ocitui.core.events import (
    ArchiveFinished,
    ArchiveStarted,
    BlobDone,
    BlobProgress,
    BlobStarted,
    Event,
    EventSink,
    PartDone,
)

__all__ = [
    "ArchiveFinished",
    "ArchiveStarted",
    "BlobDone",
    "BlobProgress",
    "BlobStarted",
    "Event",
    "EventSink",
    "ExportReport",
    "ImportReport",
    "PartDone",
    "export_archive",
    "import_archives",
    "parse_size",
    "wants_zstd",
]

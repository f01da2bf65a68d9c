"""Diffs of manifests, indexes, configs, layers, files and referrers, as data.

Call :func:`diff_refs` with two (store, descriptor) sides; render the :class:`DiffResult`
(or its ``to_json()``) however the face likes. No rendering happens here.
"""

from ocitui.core.diff.config import ConfigDiff, HistoryChange, SetChange, ValueChange
from ocitui.core.diff.data import AnnotationChange, JsonChange, KeyedChange, json_changes
from ocitui.core.diff.engine import SECTIONS, DiffResult, DocRef, NodeDiff, diff_refs
from ocitui.core.diff.events import DiffCancelled
from ocitui.core.diff.filesystem import FileChange, FilesDiff
from ocitui.core.diff.layers import LayerPair, LayerRef, LayersDiff
from ocitui.core.diff.platforms import PlatformEntry, PlatformPair, PlatformsDiff
from ocitui.core.diff.referrers import ReferrerRef, ReferrersDiff, TypeCount
from ocitui.core.diff.store import ContentStore
from ocitui.core.diff.tarstream import FileEntry

__all__ = [
    "SECTIONS",
    "AnnotationChange",
    "ConfigDiff",
    "ContentStore",
    "DiffCancelled",
    "DiffResult",
    "DocRef",
    "FileChange",
    "FileEntry",
    "FilesDiff",
    "HistoryChange",
    "JsonChange",
    "KeyedChange",
    "LayerPair",
    "LayerRef",
    "LayersDiff",
    "NodeDiff",
    "PlatformEntry",
    "PlatformPair",
    "PlatformsDiff",
    "ReferrerRef",
    "ReferrersDiff",
    "SetChange",
    "TypeCount",
    "ValueChange",
    "diff_refs",
    "json_changes",
]

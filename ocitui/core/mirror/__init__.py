"""Mirror files: stage every image a file selects, with everything attached, and push it on.

Reads skopeo sync's YAML as it is (:mod:`~ocitui.core.mirror.skopeo_yaml`) and ocitui's
superset (:mod:`~ocitui.core.mirror.own_format`); plans the whole file first
(:mod:`~ocitui.core.mirror.planner`), then runs it through the sync engine
(:mod:`~ocitui.core.mirror.run`) and reports per image (:mod:`~ocitui.core.mirror.report`).
"""

from ocitui.core.mirror.config import (
    Credentials,
    MirrorConfig,
    MirrorEntry,
    RegistrySettings,
    TagSelection,
)
from ocitui.core.mirror.connect import Connections
from ocitui.core.mirror.load import load_mirror_file
from ocitui.core.mirror.plan import ImagePlan, MirrorPlan, TagChoice
from ocitui.core.mirror.planner import plan_mirror
from ocitui.core.mirror.report import (
    ImageReport,
    MirrorFinished,
    MirrorPlanReady,
    MirrorReport,
)
from ocitui.core.mirror.run import destination_of, mirror
from ocitui.core.mirror.yamlread import MirrorFileError

__all__ = [
    "Connections",
    "Credentials",
    "ImagePlan",
    "ImageReport",
    "MirrorConfig",
    "MirrorEntry",
    "MirrorFileError",
    "MirrorFinished",
    "MirrorPlan",
    "MirrorPlanReady",
    "MirrorReport",
    "RegistrySettings",
    "TagChoice",
    "TagSelection",
    "destination_of",
    "load_mirror_file",
    "mirror",
    "plan_mirror",
]

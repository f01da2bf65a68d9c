"""Open a mirror file: ocitui's format when it says ``ocitui-mirror:``, else skopeo sync's."""

from __future__ import annotations

from pathlib import Path

from ocitui.core.mirror.config import MirrorConfig
from ocitui.core.mirror.own_format import MARKER, parse_own
from ocitui.core.mirror.skopeo_yaml import parse_skopeo
from ocitui.core.mirror.yamlread import MirrorFileError, as_map, load_yaml


def load_mirror_file(path: str | Path) -> MirrorConfig:
    """Read and check ``path``; :class:`MirrorFileError` names the first problem."""
    file = Path(path)
    doc = as_map(load_yaml(file), str(file))
    if MARKER in doc:
        entries, warnings = parse_own(doc, str(file))
        kind = "ocitui"
    else:
        entries, warnings = parse_skopeo(doc, str(file))
        kind = "skopeo"
    if not entries:
        raise MirrorFileError(f"{file}: no images to mirror")
    return MirrorConfig(str(file), kind, tuple(entries), tuple(warnings))


__all__ = ["load_mirror_file"]

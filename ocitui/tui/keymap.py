"""The user's keymap file: binding id -> keys, in TOML or JSON.

Example ``keymap.toml``::

    "browse.refresh" = "ctrl+r"
    "app.quit" = "q,ctrl+q"

or with a ``[keymap]`` table. The path is resolved by the caller (platformdirs at call
time), so tests never read a real config directory.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from ocitui.core.errors import OcituiError

NAMES = ("keymap.toml", "keymap.json")


class KeymapError(OcituiError):
    """The keymap file could not be read or has the wrong shape."""


def default_keymap_path() -> Path | None:
    """The first existing keymap file in the user config dir, or ``None``."""
    import platformdirs

    base = Path(platformdirs.user_config_dir("ocitui"))
    for name in NAMES:
        if (base / name).is_file():
            return base / name
    return None


def load_keymap(path: Path) -> dict[str, str]:
    """Read ``path`` (TOML or JSON by suffix) into ``{binding id: "key1,key2"}``."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KeymapError(f"{path}: cannot read keymap: {exc.strerror}") from None
    try:
        data = json.loads(raw) if path.suffix == ".json" else tomllib.loads(raw.decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise KeymapError(f"{path}: malformed keymap: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("keymap"), dict):
        data = data["keymap"]
    if not isinstance(data, dict):
        raise KeymapError(f"{path}: keymap must map binding ids to keys")
    keymap: dict[str, str] = {}
    for key, raw_value in data.items():
        value = raw_value
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ",".join(value)
        if not isinstance(value, str) or not value.strip():
            raise KeymapError(f"{path}: {key!r} must name a key such as 'ctrl+r'")
        keymap[str(key)] = value.strip()
    return keymap

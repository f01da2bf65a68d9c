"""Saving and erasing credentials (``login``/``logout``), the way docker does.

A registry with a credential helper (``credHelpers[key]``, else ``credsStore``) stores
through it; otherwise the credentials go into the config file's ``auths`` as base64
``user:password`` (plaintext!), written through a temp file created with mode 0600 and
renamed into place, other keys preserved.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ocitui.core.errors import AuthError
from ocitui.core.registry.credentials import config_key, docker_config_dir, load_config
from ocitui.core.registry.credhelper import helper_erase, helper_store


@dataclass(frozen=True)
class StoredIn:
    """Where credentials went: a helper name, or a file (then they are plaintext)."""

    helper: str | None = None
    path: Path | None = None

    @property
    def plaintext(self) -> bool:
        """True when the secret sits base64-encoded in a file."""
        return self.helper is None


def config_path(
    registry_config: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """The file login writes: the explicit ocitui config, else docker's ``config.json``."""
    environ = os.environ if env is None else env
    explicit = registry_config or environ.get("OCITUI_REGISTRY_CONFIG")
    if explicit:
        return Path(explicit)
    return docker_config_dir(environ) / "config.json"


def _helper_for(config: Mapping[str, Any], key: str) -> str | None:
    helpers = config.get("credHelpers")
    if isinstance(helpers, dict) and isinstance(helpers.get(key), str) and helpers[key]:
        return str(helpers[key])
    store = config.get("credsStore")
    return store if isinstance(store, str) and store else None


def write_config(path: Path, config: Mapping[str, Any]) -> None:
    """Write ``config`` atomically, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(config, handle, indent="\t")
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise AuthError(f"cannot write {path}: {exc.strerror}") from None


def store_credentials(registry: str, username: str, secret: str, path: Path) -> StoredIn:
    """Save credentials for ``registry`` (helper if configured, else ``path``)."""
    if not username or ":" in username:
        raise AuthError("username must be non-empty and must not contain ':'")
    key = config_key(registry)
    config = load_config(path)
    helper = _helper_for(config, key)
    if helper is not None:
        helper_store(helper, key, username, secret)
        return StoredIn(helper=helper)
    auths = config.get("auths")
    auths = dict(auths) if isinstance(auths, dict) else {}
    token = base64.b64encode(f"{username}:{secret}".encode()).decode()
    auths[key] = {"auth": token}
    write_config(path, {**config, "auths": auths})
    return StoredIn(path=path)


def erase_credentials(registry: str, path: Path) -> bool:
    """Forget ``registry``'s credentials (helper and file); False when there were none."""
    key = config_key(registry)
    config = load_config(path)
    removed = False
    helper = _helper_for(config, key)
    if helper is not None:
        removed = helper_erase(helper, key)
    auths = config.get("auths")
    if isinstance(auths, dict) and key in auths:
        remaining = {k: v for k, v in auths.items() if k != key}
        write_config(path, {**config, "auths": remaining})
        removed = True
    return removed

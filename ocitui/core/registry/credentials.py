"""Registry credentials: docker ``config.json``, credential helpers, ``DOCKER_AUTH_CONFIG``.

Lookup order for a registry: an explicit ocitui registry config (``--registry-config`` or
``$OCITUI_REGISTRY_CONFIG``, same JSON shape as docker's), then ``$DOCKER_AUTH_CONFIG`` (for
SSH sessions where no helper can run), then docker's own ``config.json`` (its
``credHelpers``, then ``credsStore``, then ``auths``). A :class:`Credential` never shows its
secrets in ``repr``/``str``, so it cannot leak through a log line or an exception.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from ocitui.core import jsonsafe
from ocitui.core.errors import AuthError
from ocitui.core.reference import DOCKER_HUB
from ocitui.core.registry.credhelper import helper_get

#: docker's key for Docker Hub credentials.
DOCKER_HUB_KEY = "https://index.docker.io/v1/"
_HUB_NAMES = {DOCKER_HUB, "index.docker.io", "registry-1.docker.io"}


@dataclass(frozen=True)
class Credential:
    """Username + password, or an identity (refresh) token, or a registry bearer token."""

    username: str = ""
    password: str = field(default="", repr=False)
    identity_token: str = field(default="", repr=False)
    registry_token: str = field(default="", repr=False)

    def __repr__(self) -> str:
        kinds = [k for k in ("password", "identity_token", "registry_token") if getattr(self, k)]
        return f"Credential(username={self.username!r}, has={'+'.join(kinds) or 'nothing'})"

    __str__ = __repr__

    @property
    def has_basic(self) -> bool:
        """True when Basic auth (username + password) is possible."""
        return bool(self.username and self.password)


class CredentialProvider(Protocol):
    """Anything that can answer "which credentials for this registry host?"."""

    def get(self, registry: str) -> Credential | None:
        """Credentials for ``registry`` (``host[:port]``, ``docker.io`` for Hub), or None."""
        ...


class StaticCredentials:
    """A fixed map ``registry -> Credential`` (tests, ``login`` verification)."""

    def __init__(self, entries: Mapping[str, Credential] | None = None) -> None:
        self._entries = dict(entries or {})

    def get(self, registry: str) -> Credential | None:
        """The configured credential for ``registry``."""
        return self._entries.get(registry)

    def __repr__(self) -> str:
        return f"StaticCredentials({sorted(self._entries)})"


def config_key(registry: str) -> str:
    """The key docker uses in ``auths`` and with helpers for ``registry``."""
    return DOCKER_HUB_KEY if registry in _HUB_NAMES else registry


def _host_part(key: str) -> str:
    """``https://registry.example.com/v1/`` -> ``registry.example.com`` (port kept)."""
    text = key if "://" in key else "//" + key
    return urlsplit(text).netloc or key


def docker_config_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$DOCKER_CONFIG``, else ``~/.docker`` (resolved at call time)."""
    environ = os.environ if env is None else env
    if environ.get("DOCKER_CONFIG"):
        return Path(environ["DOCKER_CONFIG"])
    return Path(environ.get("HOME") or Path.home()) / ".docker"


def load_config(path: Path) -> dict[str, Any]:
    """Read a docker-shaped JSON config; a missing file is an empty config."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise AuthError(f"cannot read registry config {path}: {exc.strerror}") from None
    try:
        doc = jsonsafe.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise AuthError(f"registry config {path} is not valid JSON") from None
    if not isinstance(doc, dict):
        raise AuthError(f"registry config {path} must be a JSON object")
    return doc


def decode_entry(entry: object) -> Credential | None:
    """One ``auths`` entry -> :class:`Credential` (``auth`` wins over username/password)."""
    if not isinstance(entry, dict):
        return None
    username, password = entry.get("username") or "", entry.get("password") or ""
    auth = entry.get("auth")
    if isinstance(auth, str) and auth:
        try:
            decoded = base64.b64decode(auth, validate=False).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            decoded = ""
        user, sep, secret = decoded.partition(":")
        if sep and user:
            username, password = user, secret.rstrip("\x00")
    identity = entry.get("identitytoken") or ""
    token = entry.get("registrytoken") or ""
    if not all(isinstance(v, str) for v in (username, password, identity, token)):
        return None
    cred = Credential(str(username), str(password), str(identity), str(token))
    if cred.has_basic or cred.identity_token or cred.registry_token:
        return cred
    return None


def lookup_in_config(
    config: Mapping[str, Any], registry: str, *, allow_helpers: bool = True
) -> Credential | None:
    """Credentials for ``registry`` from one docker-shaped config (helpers, then ``auths``)."""
    key = config_key(registry)
    if allow_helpers:
        helpers = config.get("credHelpers")
        helper = helpers.get(key) or helpers.get(registry) if isinstance(helpers, dict) else None
        helper = helper or config.get("credsStore")
        if isinstance(helper, str) and helper:
            found = helper_get(helper, key)
            if found is not None:
                return found
            if isinstance(helpers, dict) and (helpers.get(key) or helpers.get(registry)):
                return None  # a registry-specific helper is authoritative
    auths = config.get("auths")
    if not isinstance(auths, dict):
        return None
    if key in auths:
        return decode_entry(auths[key])
    wanted = _host_part(key) if key != DOCKER_HUB_KEY else "index.docker.io"
    for name, entry in auths.items():
        if isinstance(name, str) and _host_part(name) == wanted:
            return decode_entry(entry)
    return None


class DockerCredentials:
    """The default provider: explicit config, ``DOCKER_AUTH_CONFIG``, docker's config."""

    def __init__(
        self,
        *,
        registry_config: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._env = dict(os.environ if env is None else env)
        explicit = registry_config or self._env.get("OCITUI_REGISTRY_CONFIG")
        self._explicit = Path(explicit) if explicit else None

    def get(self, registry: str) -> Credential | None:
        """Credentials for ``registry``, the first source that has some."""
        if self._explicit is not None:
            found = lookup_in_config(load_config(self._explicit), registry)
            if found is not None:
                return found
        inline = self._env.get("DOCKER_AUTH_CONFIG")
        if inline:
            try:
                doc = jsonsafe.loads(inline)
            except ValueError:
                raise AuthError("DOCKER_AUTH_CONFIG is not valid JSON") from None
            if isinstance(doc, dict):
                auths = doc.get("auths")
                # Only ``auth`` is allowed there (the docker CLI rule).
                only_auth = {
                    k: {"auth": v.get("auth")}
                    for k, v in (auths.items() if isinstance(auths, dict) else [])
                    if isinstance(v, dict)
                }
                found = lookup_in_config({"auths": only_auth}, registry, allow_helpers=False)
                if found is not None:
                    return found
        config = load_config(docker_config_dir(self._env) / "config.json")
        return lookup_in_config(config, registry)

    def __repr__(self) -> str:
        return f"DockerCredentials(explicit={str(self._explicit) if self._explicit else None})"

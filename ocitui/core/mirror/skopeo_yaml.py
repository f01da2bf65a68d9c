"""skopeo sync's YAML source file, read as skopeo reads it.

::

    registry.example.com:          # a registry (it may carry a path: host/team)
      images:                      # repository -> tags or digests; [] means every tag
        busybox: []
        redis: ["1.0", "sha256:<hex>"]
      images-by-tag-regex:         # repository -> RE2 pattern, unanchored (MatchString)
        nginx: ^1\\.13\\.[12]-alpine-perl$
      images-by-semver:            # repository -> Masterminds constraint (skopeo >= 1.14)
        alpine: ">= 3.12.0"
      tls-verify: false            # default: verify
      cert-dir: /etc/containers/certs.d/registry.example.com
      credentials: {username: john, password: secret}

Repository names are ``<registry key>/<name>`` normalised as docker does
(``docker.io/busybox`` is ``docker.io/library/busybox``). Each of the three maps adds its
own entry, so a repository named under two of them gets the union of their tags. Where
skopeo logs an error and skips (a bad repository name, a regex or constraint that does not
compile), ocitui refuses the file instead: a mirror that silently stages less than asked is
worse than one that stops. Unknown keys are ignored, as yaml.v3 ignores them for skopeo,
and reported as warnings.
"""

from __future__ import annotations

from typing import Any

from ocitui.core.errors import InvalidReference, OcituiError
from ocitui.core.mirror.config import Credentials, MirrorEntry, RegistrySettings, TagSelection
from ocitui.core.mirror.yamlread import MirrorFileError, as_bool, as_list, as_map, as_str, is_null
from ocitui.core.reference import Reference, parse_reference

_KNOWN = {
    "images",
    "images-by-tag-regex",
    "images-by-semver",
    "credentials",
    "tls-verify",
    "cert-dir",
}


def repository_of(text: str, where: str) -> Reference:
    """``text`` as a repository (no tag, no digest), docker-normalised."""
    try:
        ref = parse_reference(text, default_tag=None)
    except InvalidReference as exc:
        raise MirrorFileError(f"{where}: {exc}") from None
    if ref.tag is not None or ref.digest is not None:
        raise MirrorFileError(f"{where}: {text} names an image, not a repository")
    return ref


def registry_settings(key: str, body: dict[str, Any]) -> RegistrySettings:
    """The connection settings of one registry key."""
    tls = body.get("tls-verify")
    cert_dir = body.get("cert-dir")
    creds = as_map(body.get("credentials"), f"{key}.credentials")
    credentials = None
    if creds:
        credentials = Credentials(
            username=as_str(creds.get("username", ""), f"{key}.credentials.username"),
            password=as_str(creds.get("password", ""), f"{key}.credentials.password"),
            identity_token=as_str(
                creds.get("identitytoken", ""), f"{key}.credentials.identitytoken"
            ),
        )
    return RegistrySettings(
        key,
        tls_verify=None if is_null(tls) else as_bool(tls, f"{key}.tls-verify"),
        cert_dir=None if is_null(cert_dir) else as_str(cert_dir, f"{key}.cert-dir"),
        credentials=credentials,
    )


def _selection(kind: str, value: Any, where: str) -> TagSelection:
    try:
        if kind == "images":
            return TagSelection(tags=tuple(as_list(value, where)))
        if kind == "images-by-tag-regex":
            return TagSelection(regex=as_str(value, where))
        return TagSelection(semver=as_str(value, where))
    except MirrorFileError:
        raise
    except OcituiError as exc:
        raise MirrorFileError(f"{where}: {exc}") from None


def parse_skopeo(doc: Any, path: str) -> tuple[list[MirrorEntry], list[str]]:
    """The entries and warnings of a skopeo sync YAML document."""
    warnings: list[str] = []
    entries: list[MirrorEntry] = []
    for key, body in as_map(doc, path).items():
        registry = as_map(body, key)
        settings = registry_settings(key, registry)
        unknown = sorted(set(registry) - _KNOWN)
        if unknown:
            warnings.append(f"{key}: ignored unknown keys {', '.join(unknown)} (as skopeo does)")
        found = False
        for kind in ("images", "images-by-tag-regex", "images-by-semver"):
            for name, value in as_map(registry.get(kind), f"{key}.{kind}").items():
                where = f"{key}.{kind}.{name}"
                source = repository_of(f"{key}/{name}", where)
                entries.append(
                    MirrorEntry(source, _selection(kind, value, where), settings, origin=where)
                )
                found = True
        if not found:
            warnings.append(f"{key}: no images specified for this registry")
    return entries, warnings


__all__ = ["parse_skopeo", "registry_settings", "repository_of"]

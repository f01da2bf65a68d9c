"""ocitui's own mirror format: skopeo's selections per entry, plus what ocitui can do.

::

    ocitui-mirror: v1                      # marks the format
    destination: mirror.internal:5000/m    # default push target: <this>/<repository path>
    registries:                            # connection settings, skopeo's keys
      registry.example.com: {tls-verify: true, credentials: {username: u, password: p}}
    defaults: {platforms: [linux/amd64]}   # any entry key below, for every entry
    images:
      - source: registry.example.com/team/app
        tags: ["1.0"]                      # explicit tags or digests
        tags-regex: '^1\\.'                # RE2, unanchored as in skopeo
        semver: ">=1.0 <2"                 # Masterminds constraint
        newest: 3                          # the 3 highest versions among the matches
        platforms: [linux/amd64, linux/arm64]
        referrers: true                    # false: leave every referrer behind
        artifact-types: [application/spdx+json]        # only these referrers
        exclude-artifact-types: [application/vnd.in-toto+json]
        legacy-tags: true                  # cosign .sig/.att/.sbom tags
        destination: mirror.internal:5000/team/app     # push target of this entry
        verify: policy.yaml                # names only what satisfies this policy

Unknown keys are errors here (a typo must not widen or narrow a mirror silently).
"""

from __future__ import annotations

from typing import Any

from ocitui.core.errors import OcituiError
from ocitui.core.mirror.config import MirrorEntry, RegistrySettings, TagSelection
from ocitui.core.mirror.skopeo_yaml import registry_settings, repository_of
from ocitui.core.mirror.yamlread import MirrorFileError, as_bool, as_list, as_map, as_str, is_null
from ocitui.core.reference import Reference
from ocitui.core.sync import SyncFilter

MARKER = "ocitui-mirror"
_TOP = {MARKER, "destination", "registries", "defaults", "images"}
_ENTRY = {
    "source",
    "tags",
    "tags-regex",
    "semver",
    "newest",
    "platforms",
    "referrers",
    "artifact-types",
    "exclude-artifact-types",
    "legacy-tags",
    "destination",
    "verify",
}


def settings_for(source: Reference, registries: dict[str, RegistrySettings]) -> RegistrySettings:
    """The settings of the longest registry key that ``source`` lives under."""
    best: RegistrySettings | None = None
    for key, settings in registries.items():
        if source.name == key or source.name.startswith(key.rstrip("/") + "/"):
            if best is None or len(key) > len(best.key):
                best = settings
        elif source.registry == key and best is None:
            best = settings
    return best or RegistrySettings(source.registry)


def _entry(
    body: dict[str, Any],
    where: str,
    registries: dict[str, RegistrySettings],
    default_destination: str | None,
) -> MirrorEntry:
    unknown = sorted(set(body) - _ENTRY)
    if unknown:
        raise MirrorFileError(f"{where}: unknown keys {', '.join(unknown)}")
    if is_null(body.get("source")):
        raise MirrorFileError(f"{where}: 'source' (a repository) is required")
    source = repository_of(as_str(body["source"], f"{where}.source"), f"{where}.source")
    newest: int | None = None
    if not is_null(body.get("newest")):
        text = as_str(body["newest"], f"{where}.newest")
        if not text.isdigit() or int(text) < 1:
            raise MirrorFileError(f"{where}.newest: expected a positive number, got {text!r}")
        newest = int(text)
    try:
        selection = TagSelection(
            tags=tuple(as_list(body.get("tags"), f"{where}.tags")),
            regex=None if is_null(body.get("tags-regex")) else as_str(body["tags-regex"], where),
            semver=None if is_null(body.get("semver")) else as_str(body["semver"], where),
            newest=newest,
        )
        sync_filter = SyncFilter.build(
            as_list(body.get("platforms"), f"{where}.platforms"),
            as_list(body.get("artifact-types"), f"{where}.artifact-types"),
            as_list(body.get("exclude-artifact-types"), f"{where}.exclude-artifact-types"),
            referrers=_flag(body, "referrers", where),
        )
    except MirrorFileError:
        raise
    except OcituiError as exc:
        raise MirrorFileError(f"{where}: {exc}") from None
    destination = None
    if not is_null(body.get("destination")):
        destination = repository_of(as_str(body["destination"], where), f"{where}.destination")
    elif default_destination is not None:
        destination = repository_of(
            f"{default_destination.rstrip('/')}/{source.repository}", f"{where}.destination"
        )
    verify = None if is_null(body.get("verify")) else as_str(body["verify"], f"{where}.verify")
    return MirrorEntry(
        source,
        selection,
        settings_for(source, registries),
        sync_filter,
        legacy_tags=_flag(body, "legacy-tags", where),
        destination=destination,
        verify_policy=verify,
        origin=where,
    )


def _flag(body: dict[str, Any], key: str, where: str) -> bool:
    value = body.get(key)
    return True if is_null(value) else as_bool(value, f"{where}.{key}")


def parse_own(doc: dict[str, Any], path: str) -> tuple[list[MirrorEntry], list[str]]:
    """The entries of an ocitui mirror document (warnings: none, unknown keys are errors)."""
    version = doc.get(MARKER)
    if version != "v1":
        raise MirrorFileError(f"{path}: unsupported {MARKER} version {version!r} (expected v1)")
    unknown = sorted(set(doc) - _TOP)
    if unknown:
        raise MirrorFileError(f"{path}: unknown keys {', '.join(unknown)}")
    registries = {
        key: registry_settings(key, as_map(body, f"registries.{key}"))
        for key, body in as_map(doc.get("registries"), "registries").items()
    }
    defaults = as_map(doc.get("defaults"), "defaults")
    if "source" in defaults:
        raise MirrorFileError(f"{path}: defaults cannot name a source")
    destination = doc.get("destination")
    default_destination = None if is_null(destination) else as_str(destination, "destination")
    images = doc.get("images")
    if not isinstance(images, list) or not images:
        raise MirrorFileError(f"{path}: 'images' must be a non-empty list of entries")
    entries = []
    for i, body in enumerate(images):
        where = f"images[{i}]"
        merged = {**defaults, **as_map(body, where)}
        entries.append(_entry(merged, where, registries, default_destination))
    return entries, []


__all__ = ["MARKER", "parse_own", "settings_for"]

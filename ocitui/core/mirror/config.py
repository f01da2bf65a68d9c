"""A mirror file as typed values: which repositories, which tags, what comes along, where to.

Both formats (skopeo sync's YAML, :mod:`~ocitui.core.mirror.skopeo_yaml`, and ocitui's
superset, :mod:`~ocitui.core.mirror.own_format`) load into a :class:`MirrorConfig`: a list of
:class:`MirrorEntry` (one source repository and its :class:`TagSelection`) plus the
per-registry connection settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ocitui.core.mirror.goregex import compile_tag_regex
from ocitui.core.mirror.semver import parse_constraint, try_version
from ocitui.core.reference import Reference
from ocitui.core.sync import SyncFilter


@dataclass(frozen=True)
class Credentials:
    """A username and password (or identity token) from the file; never shown."""

    username: str = ""
    password: str = field(default="", repr=False)
    identity_token: str = field(default="", repr=False)

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r})"


@dataclass(frozen=True)
class RegistrySettings:
    """How to reach one registry key of the file (``tls-verify``, ``cert-dir``, credentials)."""

    key: str
    #: None when the file does not say (verification stays on, as in skopeo).
    tls_verify: bool | None = None
    cert_dir: str | None = None
    credentials: Credentials | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        """JSON form (credentials reduced to whether there are any)."""
        return {
            "registry": self.key,
            "tlsVerify": self.tls_verify,
            "certDir": self.cert_dir,
            "credentials": self.credentials is not None,
        }


@dataclass(frozen=True)
class TagSelection:
    """Which tags of a repository: explicit names, and/or a filter over the listed tags.

    ``tags`` are taken as they are (tags or ``sha256:`` digests, not checked against a
    listing). When ``regex``, ``semver`` or ``newest`` is set, or no ``tags`` are given,
    the repository's tags are listed and kept when they match the regex (unanchored, as
    skopeo) *and* the semver constraint; ``newest`` then keeps the N highest versions
    among them. The result is the union of both parts.
    """

    tags: tuple[str, ...] = ()
    regex: str | None = None
    semver: str | None = None
    newest: int | None = None

    def __post_init__(self) -> None:
        if self.regex is not None:
            compile_tag_regex(self.regex)  # Fail while loading, not halfway through a run.
        if self.semver is not None:
            parse_constraint(self.semver)

    @property
    def needs_listing(self) -> bool:
        """True when the repository's tag list must be fetched."""
        return bool(self.regex or self.semver or self.newest) or not self.tags

    def select(self, listed: Iterable[str]) -> list[str]:
        """The selected tags, given the repository's listed tags (explicit ones first)."""
        chosen = list(dict.fromkeys(self.tags))
        if not self.needs_listing:
            return chosen
        pattern: re.Pattern[str] | None = (
            compile_tag_regex(self.regex) if self.regex is not None else None
        )
        constraint = parse_constraint(self.semver) if self.semver is not None else None
        matched = [
            tag
            for tag in listed
            if (pattern is None or pattern.search(tag))
            and (constraint is None or constraint.check_tag(tag))
        ]
        if self.newest is not None:
            versions = [(v, tag) for tag in matched if (v := try_version(tag)) is not None]
            versions.sort(key=lambda item: (item[0], item[1]), reverse=True)
            matched = [tag for _, tag in versions[: self.newest]]
        return chosen + [tag for tag in matched if tag not in chosen]

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {}
        if self.tags:
            out["tags"] = list(self.tags)
        for key, value in (("regex", self.regex), ("semver", self.semver)):
            if value is not None:
                out[key] = value
        if self.newest is not None:
            out["newest"] = self.newest
        if not out:
            out["all"] = True
        return out


@dataclass(frozen=True)
class MirrorEntry:
    """One source repository, the tags to take, what comes along, and where it may go."""

    source: Reference
    selection: TagSelection
    settings: RegistrySettings
    filter: SyncFilter = field(default_factory=SyncFilter)
    #: cosign ``.sig/.att/.sbom`` tags of the selected images.
    legacy_tags: bool = True
    #: The repository a ``--push`` delivers to (tags keep their names).
    destination: Reference | None = None
    #: A verification policy file (``ocitui verify``).
    verify_policy: str | None = None
    #: Where the entry comes from in the file (for messages): ``images``, ``images[2]`` ...
    origin: str = ""

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {
            "source": self.source.name,
            "origin": self.origin,
            "selection": self.selection.to_json(),
            "filter": self.filter.to_json(),
            "legacyTags": self.legacy_tags,
        }
        if self.destination is not None:
            out["destination"] = self.destination.name
        if self.verify_policy is not None:
            out["verify"] = self.verify_policy
        return out


@dataclass(frozen=True)
class MirrorConfig:
    """A whole mirror file."""

    path: str
    #: ``skopeo`` (skopeo sync's YAML) or ``ocitui`` (the superset).
    format: str
    entries: tuple[MirrorEntry, ...]
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "path": self.path,
            "format": self.format,
            "entries": [entry.to_json() for entry in self.entries],
            "warnings": list(self.warnings),
        }


__all__ = ["Credentials", "MirrorConfig", "MirrorEntry", "RegistrySettings", "TagSelection"]

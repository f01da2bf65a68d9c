"""Image references: the distribution grammar and docker-compatible normalisation.

``alpine`` becomes ``docker.io/library/alpine:latest``; ``localhost:5000/x`` stays on
``localhost:5000``; ``name:tag@digest`` keeps the tag for display while the digest wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ocitui.core.digest import Digest
from ocitui.core.errors import InvalidDigest, InvalidReference

_COMP = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REMOTE = _COMP + r"(?:/" + _COMP + r")*"
_DC = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = r"(?:" + _DC + r"(?:\." + _DC + r")*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(
    r"((?:" + _DOMAIN + r"/)?" + _REMOTE + r")(?::(" + _TAG + r"))?(?:@(" + _DIGEST + r"))?",
    re.ASCII,
)
_DOMAIN_RE = re.compile(_DOMAIN, re.ASCII)
_REMOTE_RE = re.compile(_REMOTE, re.ASCII)
TAG_RE = re.compile(_TAG, re.ASCII)
_ANCHORED_HEX64 = re.compile(r"[a-f0-9]{64}", re.ASCII)

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
_LEGACY_HUB = {"index.docker.io", "registry-1.docker.io"}


@dataclass(frozen=True)
class Reference:
    """A normalised image reference: registry, repository, and a tag and/or digest."""

    registry: str
    repository: str
    tag: str | None = None
    digest: Digest | None = None

    @property
    def name(self) -> str:
        """``registry/repository``."""
        return f"{self.registry}/{self.repository}"

    @property
    def api_host(self) -> str:
        """The host to talk to (Docker Hub's API lives on another name)."""
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def identifier(self) -> str:
        """What goes after ``/manifests/``: the digest if any, else the tag."""
        if self.digest is not None:
            return str(self.digest)
        return self.tag or "latest"

    def with_tag(self, tag: str | None) -> Reference:
        """This reference with another tag (and no digest)."""
        return replace(self, tag=tag, digest=None)

    def with_digest(self, digest: Digest | None) -> Reference:
        """This reference pinned to ``digest`` (the tag is kept for display)."""
        return replace(self, digest=digest)

    def __str__(self) -> str:
        text = self.name
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


def _split_domain(name: str) -> tuple[str, str]:
    first, sep, rest = name.partition("/")
    if sep and (first == "localhost" or "." in first or ":" in first or first != first.lower()):
        domain, path = first, rest
    else:
        domain, path = DOCKER_HUB, name
    if domain in _LEGACY_HUB:
        domain = DOCKER_HUB
    if domain == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    return domain, path


def parse_reference(text: str, *, default_tag: str | None = "latest") -> Reference:
    """Parse ``text`` into a normalised :class:`Reference`.

    ``default_tag`` is applied when neither tag nor digest is given (pass ``None`` to keep
    a bare repository name, e.g. for a push destination).
    """
    value = text.strip()
    if value.startswith("docker://"):
        value = value[len("docker://") :]
    match = _REFERENCE.fullmatch(value)
    if match is None:
        raise InvalidReference(f"invalid reference {text!r}: {_why(value)}")
    name, tag, digest_text = match.group(1), match.group(2), match.group(3)
    domain, path = _split_domain(name)
    if not _REMOTE_RE.fullmatch(path):
        raise InvalidReference(f"invalid reference {text!r}: repository must be lowercase")
    if _ANCHORED_HEX64.fullmatch(path.removeprefix("library/")) and domain == DOCKER_HUB:
        raise InvalidReference(
            f"invalid reference {text!r}: a 64-hex name looks like an image ID, not a repository"
        )
    if len(path) > 255:
        raise InvalidReference(f"invalid reference {text!r}: repository name over 255 characters")
    digest = None
    if digest_text is not None:
        try:
            digest = Digest.parse(digest_text)
        except InvalidDigest as exc:
            raise InvalidReference(f"invalid reference {text!r}: {exc}") from None
    if tag is None and digest is None:
        tag = default_tag
    return Reference(domain, path, tag, digest)


def _why(value: str) -> str:
    if not value:
        return "empty"
    if value != value.lower() and "/" not in value:
        return "repository names must be lowercase"
    if "@" in value:
        return "the part after @ must be a digest (algorithm:hex)"
    return "expected [registry/]repository[:tag][@digest]"


def is_valid_tag(tag: str) -> bool:
    """True for a tag the distribution spec allows."""
    return TAG_RE.fullmatch(tag) is not None


def is_valid_registry(host: str) -> bool:
    """True for a ``host[:port]`` the reference grammar allows."""
    return _DOMAIN_RE.fullmatch(host) is not None

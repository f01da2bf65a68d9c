"""``WWW-Authenticate`` parsing (RFC 7235) and token scopes (distribution's auth/scope.md).

A header may carry several challenges (``Bearer realm="..",service="..", Basic realm=".."``),
quoted strings may hold commas, and scopes may name a repository on a host with a port.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_PARAM = re.compile(rf"\s*({_TOKEN})\s*=\s*({_QUOTED}|{_TOKEN})\s*(?:,|$)")
_SCHEME = re.compile(rf"\s*({_TOKEN})(?:\s+|\s*,|\s*$)")
_TOKEN68 = re.compile(r"\s*([A-Za-z0-9._~+/-]+=*)\s*(?:,|$)")
_SEPARATOR = re.compile(r"[\s,]*")


@dataclass(frozen=True)
class Challenge:
    """One authentication challenge: its scheme (lower case) and its parameters."""

    scheme: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def realm(self) -> str | None:
        """The ``realm`` parameter."""
        return self.params.get("realm")

    @property
    def service(self) -> str | None:
        """The ``service`` parameter (Bearer)."""
        return self.params.get("service")

    @property
    def scopes(self) -> tuple[str, ...]:
        """The space-separated ``scope`` parameter, split."""
        return tuple(self.params.get("scope", "").split())


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_challenges(header: str | Iterable[str] | None) -> list[Challenge]:
    """Every challenge in one or more ``WWW-Authenticate`` header values."""
    if header is None:
        return []
    values = [header] if isinstance(header, str) else list(header)
    out: list[Challenge] = []
    for value in values:
        pos = _SEPARATOR.match(value, 0)
        i = pos.end() if pos else 0
        current: Challenge | None = None
        while i < len(value):
            param = _PARAM.match(value, i)
            if param is not None and current is not None:
                current.params[param.group(1).lower()] = _unquote(param.group(2))
                i = param.end()
            else:
                scheme = _SCHEME.match(value, i)
                if scheme is None:
                    break  # garbage: keep what we have
                current = Challenge(scheme.group(1).lower())
                out.append(current)
                i = scheme.end()
                token68 = _TOKEN68.match(value, i)
                if token68 is not None and _PARAM.match(value, i) is None:
                    current.params["token68"] = token68.group(1)
                    i = token68.end()
            sep = _SEPARATOR.match(value, i)
            i = sep.end() if sep else i
    return out


def pick(challenges: list[Challenge]) -> Challenge | None:
    """The challenge we answer: Bearer (with a realm) over Basic; nothing else is supported."""
    for wanted in ("bearer", "basic"):
        for challenge in challenges:
            if challenge.scheme == wanted and (wanted == "basic" or challenge.realm):
                return challenge
    return None


def repository_scope(repository: str, actions: Iterable[str]) -> str:
    """``repository:<name>:<a,b>`` with actions de-duplicated in a stable order."""
    ordered = sorted(
        set(actions),
        key=lambda a: ("pull", "push", "delete").index(a) if a in ("pull", "push", "delete") else 9,
    )
    return f"repository:{repository}:{','.join(ordered)}"


def split_scope(scope: str) -> tuple[str, str, tuple[str, ...]] | None:
    """``(type, name, actions)`` of one resource scope; the name may hold ``host:port``."""
    resource_type, sep, rest = scope.partition(":")
    if not sep or not rest:
        return None
    name, sep, actions = rest.rpartition(":")
    if not sep or not name:
        return None
    return resource_type, name, tuple(a for a in actions.split(",") if a)


def merge_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    """Union of scopes, actions merged per resource, sorted (a stable cache key)."""
    merged: dict[tuple[str, str], set[str]] = {}
    for scope in scopes:
        parts = split_scope(scope)
        if parts is None:
            continue
        merged.setdefault((parts[0], parts[1]), set()).update(parts[2])
    out = []
    for (resource_type, name), actions in sorted(merged.items()):
        if resource_type == "repository":
            out.append(repository_scope(name, actions))
        else:
            out.append(f"{resource_type}:{name}:{','.join(sorted(actions))}")
    return tuple(out)

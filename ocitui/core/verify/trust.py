"""What to trust: keys, certificate identities, a Sigstore trusted root, and the
attestations an image must carry, per repository pattern (:class:`Policy`).

``ocitui verify --key ... --certificate-identity ...`` builds a one-rule policy that
matches every image; ``--policy FILE`` loads many rules (:mod:`ocitui.core.verify.policy`).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ocitui.core.errors import InvalidReference, VerifyError
from ocitui.core.reference import parse_reference
from ocitui.core.verify.keys import TrustedKey

if TYPE_CHECKING:
    from ocitui.core.verify.roots import TrustedRoot


def _compile(pattern: str | None, what: str) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise VerifyError(f"{what} {pattern!r} is not a valid regular expression: {exc}") from None


@dataclass(frozen=True)
class Identity:
    """A keyless signer: certificate subject (email/URI) and OIDC issuer, exact or regexp."""

    subject: str | None = None
    subject_regexp: str | None = None
    issuer: str | None = None
    issuer_regexp: str | None = None

    def __post_init__(self) -> None:
        if self.subject is None and self.subject_regexp is None:
            raise VerifyError("a certificate identity (or identity regexp) is required")
        if self.issuer is None and self.issuer_regexp is None:
            raise VerifyError("a certificate OIDC issuer (or issuer regexp) is required")
        _compile(self.subject_regexp, "identity regexp")
        _compile(self.issuer_regexp, "issuer regexp")

    def matches(self, subject: str, issuer: str | None) -> bool:
        """True when a certificate's subject and issuer satisfy this identity."""
        return _match(self.subject, self.subject_regexp, subject) and (
            issuer is not None and _match(self.issuer, self.issuer_regexp, issuer)
        )

    def __str__(self) -> str:
        subject = self.subject or f"/{self.subject_regexp}/"
        issuer = self.issuer or f"/{self.issuer_regexp}/"
        return f"{subject} ({issuer})"


def _match(exact: str | None, regexp: str | None, value: str) -> bool:
    if exact is not None:
        return value == exact
    compiled = _compile(regexp, "regexp")
    return compiled is not None and compiled.fullmatch(value) is not None


@dataclass(frozen=True)
class Requirement:
    """What one image must have to pass."""

    keys: tuple[TrustedKey, ...] = ()
    identities: tuple[Identity, ...] = ()
    trusted_root: TrustedRoot | None = None
    #: in-toto predicate types that must each have a verified attestation.
    attestations: tuple[str, ...] = ()
    #: True when no signature is required (a policy rule saying so explicitly).
    unsigned: bool = False

    def describe(self) -> str:
        """One line for messages: what is required."""
        parts = []
        if self.keys:
            parts.append(f"{len(self.keys)} key(s)")
        if self.identities:
            parts.append(", ".join(str(i) for i in self.identities))
        if self.attestations:
            parts.append("attestations " + ", ".join(self.attestations))
        return "; ".join(parts) or "nothing (unsigned allowed)"


@dataclass(frozen=True)
class Rule:
    """A requirement for the images whose ``registry/repository`` matches ``pattern``."""

    pattern: str
    requirement: Requirement

    def matches(self, repository: str) -> bool:
        """fnmatch-style: ``*`` spans ``/`` too (``registry.example.com/*`` is a whole registry)."""
        return fnmatch.fnmatchcase(repository, self.pattern)


@dataclass(frozen=True)
class Policy:
    """Rules in order; the first whose pattern matches an image's repository applies."""

    rules: tuple[Rule, ...] = field(default_factory=tuple)

    @classmethod
    def everything(cls, requirement: Requirement) -> Policy:
        """One rule for every image (what the command-line flags make)."""
        return cls((Rule("*", requirement),))

    def requirement(self, name: str) -> Requirement | None:
        """The requirement for the image named ``name``; ``None`` when no rule matches."""
        repository = repository_of(name)
        for rule in self.rules:
            if rule.matches(repository):
                return rule.requirement
        return None


def repository_of(name: str) -> str:
    """``registry/repository`` of a reference (the name itself when it is not one)."""
    try:
        ref = parse_reference(name, default_tag=None)
    except InvalidReference:
        return name
    return f"{ref.registry}/{ref.repository}"

"""Typed results of verification: one :class:`SignatureCheck` per signature found, one
:class:`ImageVerdict` per image, one :class:`VerifyReport` per run.

The CLI's text, ``--json`` and the TUI badge are renderings of these values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ocitui.core.digest import Digest


class Verdict(StrEnum):
    """The outcome of checking one signature."""

    PASS = "pass"
    FAIL = "fail"


class Badge(StrEnum):
    """A one-word summary of an image, for lists: signed, unsigned or invalid."""

    SIGNED = "signed"
    UNSIGNED = "unsigned"
    INVALID = "invalid"


#: Kinds of what was found: a signature of the image, or an attestation about it.
SIGNATURE = "signature"
ATTESTATION = "attestation"


@dataclass(frozen=True)
class SignatureCheck:
    """One signature or attestation found for an image, and what checking it said."""

    #: The manifest that carries it (a referrer or a legacy ``.sig``/``.att`` image).
    source: Digest
    #: ``signature`` or ``attestation``.
    kind: str
    #: How it is packaged, e.g. ``cosign simple signing``, ``sigstore bundle (DSSE)``.
    form: str
    verdict: Verdict
    #: Why it failed, or what it proved when it passed.
    reason: str
    #: Key fingerprint (``SHA256:...``) or ``identity (issuer)``; ``None`` when unknown.
    signer: str | None = None
    #: RFC 3339 time of signing, when known.
    time: str | None = None
    #: True when ``time`` comes from a verified transparency-log entry.
    time_verified: bool = False
    #: in-toto predicate type of an attestation (or of a DSSE signature bundle).
    predicate_type: str | None = None

    @property
    def passed(self) -> bool:
        """True when the signature verified and binds to the image."""
        return self.verdict is Verdict.PASS

    def to_json(self) -> dict[str, Any]:
        """The JSON form used by ``ocitui verify --json``."""
        return {
            "source": str(self.source),
            "kind": self.kind,
            "form": self.form,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "signer": self.signer,
            "time": self.time,
            "timeVerified": self.time_verified,
            "predicateType": self.predicate_type,
        }


@dataclass(frozen=True)
class ImageVerdict:
    """Whether one image satisfies what was required, with every signature found."""

    #: The name verified (a layout ref, or the locking reference for bundle images).
    ref: str
    digest: Digest | None
    satisfied: bool
    #: One line: what satisfied the requirement, or what is missing.
    reason: str
    checks: tuple[SignatureCheck, ...] = ()
    #: ``os/arch[/variant]`` when one platform of an index was verified.
    platform: str | None = None
    #: The bundle that locks this image, for images verified through an imgpkg bundle.
    locked_by: str | None = None

    @property
    def badge(self) -> Badge:
        """signed (a check passed), invalid (checks exist, none passed), or unsigned."""
        if any(c.passed for c in self.checks):
            return Badge.SIGNED
        return Badge.INVALID if self.checks else Badge.UNSIGNED

    def to_json(self) -> dict[str, Any]:
        """The JSON form used by ``ocitui verify --json``."""
        return {
            "ref": self.ref,
            "digest": str(self.digest) if self.digest else None,
            "platform": self.platform,
            "lockedBy": self.locked_by,
            "satisfied": self.satisfied,
            "reason": self.reason,
            "badge": self.badge.value,
            "signatures": [c.to_json() for c in self.checks],
        }


@dataclass(frozen=True)
class VerifyReport:
    """Every image verified in one run."""

    images: tuple[ImageVerdict, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when every image satisfied the requirement (and there was at least one)."""
        return bool(self.images) and all(i.satisfied for i in self.images)

    def failures(self) -> list[ImageVerdict]:
        """The images that did not satisfy the requirement."""
        return [i for i in self.images if not i.satisfied]

    def summary(self) -> str:
        """One line: how many images satisfied, and the first failure's reason."""
        if not self.images:
            return "nothing to verify"
        bad = self.failures()
        if not bad:
            return f"{len(self.images)} image(s) verified"
        first = bad[0]
        return f"{len(bad)} of {len(self.images)} image(s) failed verification: {first.ref}: {first.reason}"

    def to_json(self) -> dict[str, Any]:
        """The JSON form used by ``ocitui verify --json``."""
        return {"ok": self.ok, "images": [i.to_json() for i in self.images]}

"""Verification as a gate: content that does not satisfy a policy never gets a name.

:class:`VerifyGate` is called with the layout and the entries a pull or an import is
about to add; it verifies the named images in an :class:`Overlay` (the layout as it
would be, in memory, read-only) and raises :class:`VerificationRefused` when any fails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ocitui.core.errors import LayoutError, OcituiError
from ocitui.core.layout import Layout
from ocitui.core.layout.referrers import fallback_tag_subject, legacy_tag_subject
from ocitui.core.models import Descriptor, Platform
from ocitui.core.verify.engine import verify_refs
from ocitui.core.verify.model import VerifyReport
from ocitui.core.verify.trust import Policy


class VerificationRefused(OcituiError):
    """Images failed the policy; ``report`` holds every verdict."""

    def __init__(self, report: VerifyReport) -> None:
        super().__init__(f"refused by the verification policy: {report.summary()}")
        self.report = report


class Overlay(Layout):
    """``layout`` plus pending entries, in memory; writing to it is refused."""

    def __init__(self, base: Layout, pending: Sequence[Descriptor]) -> None:
        super().__init__(base.root)
        self._pending = list(pending)

    def entries(self) -> list[Descriptor]:
        """The layout's entries, names the pending entries take moved to them."""
        names = {e.ref_name for e in self._pending if e.ref_name}
        kept = [e for e in super().entries() if not (e.ref_name and e.ref_name in names)]
        known = {(e.digest, e.ref_name) for e in kept}
        return kept + [e for e in self._pending if (e.digest, e.ref_name) not in known]

    def update_index(self, fn: Callable[[list[Descriptor]], list[Descriptor]]) -> None:
        """An overlay is read-only."""
        raise LayoutError("verification never writes to the layout")


def verifiable(name: str) -> bool:
    """True for names people resolve (not signature, fallback or imgpkg machine tags)."""
    return not (legacy_tag_subject(name) or fallback_tag_subject(name) or name.endswith(".imgpkg"))


class VerifyGate:
    """An index gate (see :mod:`ocitui.core.sync.gate`) that enforces ``policy``."""

    def __init__(self, policy: Policy, platforms: Sequence[Platform] = ()) -> None:
        self.policy = policy
        self.platforms = tuple(platforms)
        #: The last verification's verdicts (``None`` before the gate ran).
        self.report: VerifyReport | None = None

    def __call__(self, layout: Layout, pending: list[Descriptor]) -> None:
        """Verify every named image of ``pending``; raise when one fails."""
        names = sorted({e.ref_name for e in pending if e.ref_name and verifiable(e.ref_name)})
        self.report = verify_refs(
            Overlay(layout, pending), names, self.policy, platforms=self.platforms
        )
        if names and not self.report.ok:
            raise VerificationRefused(self.report)

    def check_names(self, layout: Layout, names: Sequence[str]) -> VerifyReport:
        """Verify names already in the layout (push, export); raise when one fails."""
        self.report = verify_refs(layout, names, self.policy, platforms=self.platforms)
        if not self.report.ok:
            raise VerificationRefused(self.report)
        return self.report

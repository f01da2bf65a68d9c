"""Verdicts for lists (the TUI's Browse and Referrers): per image, cached by digest.

The key is the image digest *and* the digests of what is attached to it, so a new
signature (a pull, an attach) invalidates the entry without any bookkeeping.
"""

from __future__ import annotations

from ocitui.core.digest import Digest
from ocitui.core.layout import Layout
from ocitui.core.verify.engine import verify_image
from ocitui.core.verify.model import ImageVerdict, SignatureCheck
from ocitui.core.verify.trust import Policy, repository_of


class VerdictCache:
    """Verify images under one policy, remembering each verdict."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._verdicts: dict[tuple[Digest, str, frozenset[Digest]], ImageVerdict] = {}

    def verdict(self, layout: Layout, digest: Digest, name: str) -> ImageVerdict:
        """The verdict for the image ``digest`` named ``name`` (cached)."""
        holders = frozenset(d.digest for d in layout.referrers(digest)) | frozenset(
            d.digest for _, d in layout.legacy_attachments(digest)
        )
        # The policy chooses by repository: the same digest may be judged twice.
        key = (digest, repository_of(name), holders)
        cached = self._verdicts.get(key)
        if cached is None:
            cached = verify_image(layout, digest, name, self.policy)
            self._verdicts[key] = cached
        return cached

    def checks_of(
        self, layout: Layout, subject: Digest, name: str, holder: Digest
    ) -> list[SignatureCheck]:
        """The checks of the signatures ``holder`` (a referrer or .sig image) carries."""
        verdict = self.verdict(layout, subject, name)
        return [c for c in verdict.checks if c.source == holder]

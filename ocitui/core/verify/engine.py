"""Verify images in a layout: per REF (or per platform of an index, or per image an
imgpkg bundle locks), every attached signature checked, and one verdict per image.

Read-only: nothing here writes to the layout, and nothing touches the network.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ocitui.core import media_types as mt
from ocitui.core.bundles import is_bundle, read_bundle
from ocitui.core.digest import Digest
from ocitui.core.errors import OcituiError
from ocitui.core.layout import Layout
from ocitui.core.models import MAX_MANIFEST_SIZE, Descriptor, Index, Platform
from ocitui.core.verify.check import check
from ocitui.core.verify.found import attached
from ocitui.core.verify.model import (
    ATTESTATION,
    SIGNATURE,
    ImageVerdict,
    SignatureCheck,
    VerifyReport,
)
from ocitui.core.verify.trust import Policy, Requirement


def verify_refs(
    layout: Layout,
    refs: Iterable[str],
    policy: Policy,
    *,
    platforms: Sequence[Platform] = (),
) -> VerifyReport:
    """One :class:`ImageVerdict` per image named by ``refs`` (bundles: and their images)."""
    out: list[ImageVerdict] = []
    for text in refs:
        try:
            desc = layout.resolve(text)
        except OcituiError as exc:
            out.append(ImageVerdict(text, None, False, str(exc)))
            continue
        out.extend(_verify_entry(layout, desc, desc.ref_name or text, policy, platforms))
    return VerifyReport(tuple(out))


def signable_refs(layout: Layout) -> list[str]:
    """The tagged names ``--all`` verifies: not signature, fallback or imgpkg tags."""
    from ocitui.core.verify.gate import verifiable

    return sorted({e.ref_name for e in layout.tagged() if e.ref_name and verifiable(e.ref_name)})


def _verify_entry(
    layout: Layout,
    desc: Descriptor,
    name: str,
    policy: Policy,
    platforms: Sequence[Platform],
    *,
    locked_by: str | None = None,
) -> list[ImageVerdict]:
    out: list[ImageVerdict] = []
    if platforms and mt.is_index(desc.media_type):
        out.extend(_per_platform(layout, desc, name, policy, platforms, locked_by=locked_by))
    else:
        out.append(verify_image(layout, desc.digest, name, policy, locked_by=locked_by))
    if locked_by is None and _bundle(layout, desc):
        out.extend(_bundle_images(layout, desc, name, policy, platforms))
    return out


def _bundle(layout: Layout, desc: Descriptor) -> bool:
    try:
        return mt.is_manifest(desc.media_type) and is_bundle(layout, desc)
    except OcituiError:
        return False


def _bundle_images(
    layout: Layout,
    desc: Descriptor,
    name: str,
    policy: Policy,
    platforms: Sequence[Platform],
) -> list[ImageVerdict]:
    try:
        bundle = read_bundle(layout, desc)
    except OcituiError as exc:
        return [ImageVerdict(name, desc.digest, False, f"bundle unreadable: {exc}")]
    out: list[ImageVerdict] = []
    for image in bundle.locked_images():
        if not image.present:
            reason = "locked image is not in the layout"
            out.append(ImageVerdict(image.image, image.digest, False, reason, locked_by=name))
            continue
        child = _descriptor(layout, image.digest)
        out.extend(_verify_entry(layout, child, image.image, policy, platforms, locked_by=name))
    return out


def _descriptor(layout: Layout, digest: Digest) -> Descriptor:
    return layout.get_document(digest).descriptor()


def _per_platform(
    layout: Layout,
    desc: Descriptor,
    name: str,
    policy: Policy,
    platforms: Sequence[Platform],
    *,
    locked_by: str | None,
) -> list[ImageVerdict]:
    try:
        index = layout.get_document(desc.digest, desc.media_type)
    except OcituiError as exc:
        return [ImageVerdict(name, desc.digest, False, str(exc), locked_by=locked_by)]
    assert isinstance(index, Index)
    out = []
    for wanted in platforms:
        children = [c for c in index.manifests if c.platform and c.platform.matches(wanted)]
        if not children:
            out.append(
                ImageVerdict(
                    name,
                    desc.digest,
                    False,
                    f"the index has no {wanted} image",
                    platform=str(wanted),
                    locked_by=locked_by,
                )
            )
        for child in children:
            verdict = verify_image(
                layout,
                child.digest,
                name,
                policy,
                platform=str(child.platform),
                locked_by=locked_by,
            )
            if not verdict.checks and attached(layout, desc.digest):
                verdict = _hint_index_signed(verdict)
            out.append(verdict)
    return out


def _hint_index_signed(verdict: ImageVerdict) -> ImageVerdict:
    reason = f"{verdict.reason} (the index is signed; verify without --platform)"
    return ImageVerdict(
        verdict.ref,
        verdict.digest,
        verdict.satisfied,
        reason,
        verdict.checks,
        verdict.platform,
        verdict.locked_by,
    )


def verify_image(
    layout: Layout,
    digest: Digest,
    name: str,
    policy: Policy,
    *,
    platform: str | None = None,
    locked_by: str | None = None,
) -> ImageVerdict:
    """Check every signature attached to ``digest`` and decide under ``policy``."""
    requirement = policy.requirement(name)
    try:
        raw = layout.read_blob(digest, max_size=MAX_MANIFEST_SIZE)
    except OcituiError as exc:
        return ImageVerdict(name, digest, False, str(exc), (), platform, locked_by)
    if requirement is None:
        checks = tuple(check(f, digest, raw, Requirement()) for f in attached(layout, digest))
        reason = f"no policy rule matches {name}"
        return ImageVerdict(name, digest, False, reason, checks, platform, locked_by)
    checks = tuple(check(f, digest, raw, requirement) for f in attached(layout, digest))
    satisfied, reason = decide(checks, requirement)
    return ImageVerdict(name, digest, satisfied, reason, checks, platform, locked_by)


def decide(checks: Sequence[SignatureCheck], req: Requirement) -> tuple[bool, str]:
    """Whether ``checks`` satisfy ``req``, and the one-line reason."""
    passed = [c for c in checks if c.passed and c.kind == SIGNATURE]
    if not req.unsigned and not passed:
        signatures = [c for c in checks if c.kind == SIGNATURE]
        if not signatures:
            return False, "unsigned: no signature found"
        return False, f"no valid signature ({len(signatures)} found; {signatures[0].reason})"
    for wanted in req.attestations:
        if not any(
            c.passed and c.kind == ATTESTATION and c.predicate_type == wanted for c in checks
        ):
            found = [c for c in checks if c.kind == ATTESTATION and c.predicate_type == wanted]
            why = f"; {found[0].reason}" if found else ""
            return False, f"no valid {wanted} attestation{why}"
    if passed:
        signers = ", ".join(dict.fromkeys(c.signer or "?" for c in passed))
        return True, f"signed by {signers}"
    return True, "no signature required"

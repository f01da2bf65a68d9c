"""``ocitui verify``: check signatures and attestations of images in the layout, offline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ocitui.cli.common import add_json, open_layout, print_json
from ocitui.core.errors import OcituiError

if TYPE_CHECKING:
    from ocitui.core.verify import Policy, VerifyReport

NAME = "verify"
ORDER = 45
HELP = "verify signatures and attestations in the layout, offline"
DESCRIPTION = (
    "Check every signature attached to each REF (cosign .sig tags, sigstore bundles,\n"
    "DSSE attestations) with the given public keys, or keyless against a Sigstore\n"
    "trusted_root.json with a certificate identity and issuer. Each signature must sign\n"
    "the image's own digest. An imgpkg bundle is verified with every image it locks.\n"
    "Never touches the network, never writes to the layout.\n"
    "Exit 0 when every image satisfies the requirement, 1 otherwise, 2 on usage errors."
)
EPILOG = """examples:
  ocitui verify app:1.0 --key cosign.pub
  ocitui verify --all --key a.pub --key b.pub --json
  ocitui verify app:1.0 --trusted-root trusted_root.json \\
      --certificate-identity ci@example.com --certificate-oidc-issuer https://oidc.example.com
  ocitui verify app:1.0 --key cosign.pub --type https://slsa.dev/provenance/v1
  ocitui verify bundle:1.0 --policy policy.yaml"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``verify`` arguments."""
    parser.add_argument("refs", nargs="*", metavar="REF", help="images to verify")
    parser.add_argument("--all", action="store_true", help="every tagged image in the layout")
    parser.add_argument(
        "--key", action="append", default=[], metavar="FILE", help="trusted PEM public key"
    )
    parser.add_argument("--certificate-identity", metavar="ID", help="keyless: exact SAN")
    parser.add_argument("--certificate-identity-regexp", metavar="RE", help="keyless: SAN regexp")
    parser.add_argument("--certificate-oidc-issuer", metavar="URL", help="keyless: exact issuer")
    parser.add_argument(
        "--certificate-oidc-issuer-regexp", metavar="RE", help="keyless: issuer regexp"
    )
    parser.add_argument("--trusted-root", metavar="FILE", help="Sigstore trusted_root.json")
    parser.add_argument(
        "--type",
        action="append",
        default=[],
        metavar="PREDICATE",
        help="require a verified attestation of this in-toto predicate type (repeatable)",
    )
    parser.add_argument("--policy", metavar="FILE", help="YAML policy (instead of the flags)")
    parser.add_argument(
        "--platform",
        action="append",
        default=[],
        metavar="OS/ARCH[/VARIANT]",
        help="for an index: verify this platform's image instead of the index",
    )
    add_json(parser)


def _usage(message: str) -> int:
    print(f"ocitui verify: error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Verify."""
    from ocitui.core.models import Platform
    from ocitui.core.verify import signable_refs, verify_refs

    if not args.refs and not args.all:
        return _usage("name at least one REF, or --all")
    try:
        policy = build_policy(args)
        platforms = [Platform.parse(p) for p in args.platform]
    except (OcituiError, _Usage) as exc:
        return _usage(str(exc))
    layout = open_layout(args)
    refs = [*args.refs, *(signable_refs(layout) if args.all else [])]
    report = verify_refs(layout, refs, policy, platforms=platforms)
    if args.json:
        print_json(report.to_json())
    else:
        print_report(report)
    return 0 if report.ok else 1


def _clean(text: str) -> str:
    """Signature material is untrusted: no control characters reach the terminal."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def print_report(report: VerifyReport) -> None:
    """Per image a verdict line, then one line per signature found."""
    for image in report.images:
        digest = image.digest.short if image.digest else "-"
        where = f" [{image.platform}]" if image.platform else ""
        via = f" (locked by {image.locked_by})" if image.locked_by else ""
        state = "PASS" if image.satisfied else "FAIL"
        print(_clean(f"{state}  {image.ref}{where}  {digest}{via}: {image.reason}"))
        for c in image.checks:
            mark = "pass" if c.passed else "fail"
            when = c.time or "-"
            if c.time and not c.time_verified:
                when += " (unverified)"
            line = f"  {mark}  {c.kind}  {c.form}  {c.signer or '-'}  {when}  {c.reason}"
            print(_clean(f"{line}  [{c.source.short}]"))
    print(report.summary(), file=sys.stderr)


class _Usage(Exception):
    """Flags that do not make sense together."""


def build_policy(args: argparse.Namespace) -> Policy:
    """The :class:`Policy` the flags (or ``--policy``) describe."""
    from ocitui.core.verify import Identity, Policy, Requirement, load_key_file
    from ocitui.core.verify.policy import load_policy
    from ocitui.core.verify.roots import load_trusted_root

    identity_flags = (
        args.certificate_identity,
        args.certificate_identity_regexp,
        args.certificate_oidc_issuer,
        args.certificate_oidc_issuer_regexp,
    )
    if args.policy:
        if args.key or any(identity_flags) or args.trusted_root or args.type:
            raise _Usage("--policy replaces --key, --certificate-*, --trusted-root and --type")
        return load_policy(Path(args.policy))
    keys = tuple(load_key_file(Path(p)) for p in args.key)
    identities: tuple[Identity, ...] = ()
    if any(identity_flags):
        identities = (Identity(*identity_flags),)
        if not args.trusted_root:
            raise _Usage("keyless verification needs --trusted-root FILE")
    if not keys and not identities:
        raise _Usage("give --key FILE, a --certificate-identity, or --policy FILE")
    root = load_trusted_root(Path(args.trusted_root)) if args.trusted_root else None
    return Policy.everything(Requirement(keys, identities, root, tuple(args.type)))

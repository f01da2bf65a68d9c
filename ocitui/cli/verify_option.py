"""``--verify POLICY`` for pull, import, push and export: refuse content that fails.

pull and import verify what they are about to name (a gate in front of ``index.json``:
nothing lands when it fails); push and export verify the layout names they send.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocitui.core.layout import Layout
    from ocitui.core.verify.gate import VerifyGate


def add_verify_option(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--verify POLICY``."""
    parser.add_argument(
        "--verify",
        metavar="POLICY",
        help=f"{what} only images that satisfy this verification policy (YAML; see 'verify')",
    )


def gate_of(args: argparse.Namespace) -> VerifyGate | None:
    """The gate ``--verify`` asks for (the policy is read now, so errors come first)."""
    if not getattr(args, "verify", None):
        return None
    from ocitui.core.verify.gate import VerifyGate
    from ocitui.core.verify.policy import load_policy

    return VerifyGate(load_policy(Path(args.verify)))


def explain(gate: VerifyGate | None) -> None:
    """On stderr: each image the gate refused, and why."""
    if gate is None or gate.report is None:
        return
    for image in gate.report.failures():
        print(f"ocitui: refused {image.ref}: {image.reason}", file=sys.stderr)


def check_names(args: argparse.Namespace, layout: Layout, names: Sequence[str]) -> None:
    """push/export: raise (one line, exit 1) when a name fails the ``--verify`` policy."""
    gate = gate_of(args)
    if gate is None:
        return
    from ocitui.core.verify.gate import VerificationRefused

    try:
        gate.check_names(layout, names)
    except VerificationRefused:
        explain(gate)
        raise

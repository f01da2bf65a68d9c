"""Verification policy files (YAML): per registry/repository pattern, the keys or keyless
identities that must have signed, and the attestations that must be there.

.. code-block:: yaml

    trustedRoot: trusted_root.json          # optional; paths are relative to this file
    rules:                                  # first match wins; no match = refused
      - match: registry.example.com/demo/*  # fnmatch on registry/repository
        keys: [keys/release.pub]
        identities:
          - issuer: https://token.actions.githubusercontent.com
            subjectRegExp: ^https://github\\.com/example/.*$
        attestations: [https://slsa.dev/provenance/v1]
      - match: docker.io/library/*
        unsigned: true                      # explicitly: no signature required

A rule needs keys, identities, or ``unsigned: true``; anything else in the file is an
error, so a typo never silently weakens a policy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ocitui.core.errors import VerifyError
from ocitui.core.verify.keys import load_key_file
from ocitui.core.verify.roots import TrustedRoot, load_trusted_root
from ocitui.core.verify.trust import Identity, Policy, Requirement, Rule

_MAX_POLICY = 1024 * 1024
_TOP_KEYS = {"trustedRoot", "rules"}
_RULE_KEYS = {"match", "keys", "identities", "attestations", "unsigned"}
_IDENTITY_KEYS = {"subject", "subjectRegExp", "issuer", "issuerRegExp"}


def load_policy(path: Path) -> Policy:
    """Read a policy file; :class:`VerifyError` with the file name on any problem."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(_MAX_POLICY + 1)
    except OSError as exc:
        raise VerifyError(f"{path}: cannot read policy: {exc.strerror}") from None
    if len(raw) > _MAX_POLICY:
        raise VerifyError(f"{path}: policy is over {_MAX_POLICY} bytes")
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise VerifyError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    try:
        return parse_policy(data, path.parent)
    except VerifyError as exc:
        raise VerifyError(f"{path}: {exc}") from None


def parse_policy(data: Any, base: Path) -> Policy:
    """A :class:`Policy` from parsed YAML; relative paths resolve against ``base``."""
    obj = _mapping(data, "policy", _TOP_KEYS)
    root: TrustedRoot | None = None
    if obj.get("trustedRoot") is not None:
        root = load_trusted_root(base / _string(obj["trustedRoot"], "trustedRoot"))
    rules = obj.get("rules")
    if not isinstance(rules, list) or not rules:
        raise VerifyError("policy has no rules (a list under 'rules')")
    return Policy(tuple(_rule(r, i, base, root) for i, r in enumerate(rules, 1)))


def _mapping(data: Any, what: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise VerifyError(f"{what} is not a mapping")
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise VerifyError(f"{what}: unknown key(s) {', '.join(unknown)}")
    return data


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise VerifyError(f"{what} must be a non-empty string")
    return value


def _strings(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise VerifyError(f"{what} must be a list")
    return [_string(v, what) for v in value]


def _rule(data: Any, number: int, base: Path, root: TrustedRoot | None) -> Rule:
    where = f"rule {number}"
    obj = _mapping(data, where, _RULE_KEYS)
    pattern = _string(obj.get("match"), f"{where} match")
    keys = tuple(load_key_file(base / p) for p in _strings(obj.get("keys"), f"{where} keys"))
    identities = []
    for item in obj.get("identities") or []:
        ident = _mapping(item, f"{where} identity", _IDENTITY_KEYS)
        identities.append(
            Identity(
                ident.get("subject"),
                ident.get("subjectRegExp"),
                ident.get("issuer"),
                ident.get("issuerRegExp"),
            )
        )
    if identities and root is None:
        raise VerifyError(f"{where} names identities but the policy has no trustedRoot")
    unsigned = obj.get("unsigned", False)
    if not isinstance(unsigned, bool):
        raise VerifyError(f"{where} unsigned must be true or false")
    if not keys and not identities and not unsigned:
        raise VerifyError(f"{where} ({pattern}) needs keys, identities or 'unsigned: true'")
    attestations = tuple(_strings(obj.get("attestations"), f"{where} attestations"))
    requirement = Requirement(keys, tuple(identities), root, attestations, unsigned)
    return Rule(pattern, requirement)

"""Semantic versions and range constraints with the semantics skopeo sync uses.

skopeo's ``images-by-semver`` checks each tag with Go's Masterminds semver v3: a tag is a
version when ``NewVersion`` accepts it (lenient: ``v`` prefix, ``1`` and ``1.2`` are
``1.0.0`` and ``1.2.0``, no leading zeros in numeric pre-release parts), and a constraint
string is ``||``-separated groups of ``,``/space-separated comparisons (``=``, ``!=``,
``>``, ``<``, ``>=``, ``=>``, ``<=``, ``=<``, ``~``, ``~>``, ``^``, none), ``x``/``X``/``*``
wildcards, and ``A - B`` hyphen ranges. A pre-release version only matches a group in
which some comparison names a pre-release. No PyPI package follows these rules (npm-style
packages reject ``1.2`` and treat wildcards and pre-releases differently), so they are
written here from the library's documented behaviour, with tests per operator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

from ocitui.core.errors import OcituiError

_NUM = r"[0-9]"
_IDENT = r"[0-9A-Za-z-]+"
_LOOSE = re.compile(
    rf"v?({_NUM}+)(?:\.({_NUM}+))?(?:\.({_NUM}+))?"
    rf"(?:-({_IDENT}(?:\.{_IDENT})*))?(?:\+({_IDENT}(?:\.{_IDENT})*))?"
)
_MAX = 2**64 - 1

_XNUM = r"[0-9xX*|]+"  # Masterminds' class also admits "|" in a wildcard part.
_CV = rf"v?{_XNUM}(?:\.{_XNUM})?(?:\.{_XNUM})?(?:-{_IDENT}(?:\.{_IDENT})*)?(?:\+{_IDENT}(?:\.{_IDENT})*)?"
_OPS = r"=|!=|>|<|>=|=>|<=|=<|~|~>|\^"
_OP_ORDER = ("!=", ">=", "=>", "<=", "=<", "~>", "=", ">", "<", "~", "^")
_ONE = re.compile(rf"\s*({_OPS})?\s*({_CV})\s*")
_ONE_PARTS = re.compile(
    rf"v?({_XNUM})(\.{_XNUM})?(\.{_XNUM})?(-{_IDENT}(?:\.{_IDENT})*)?(\+{_IDENT}(?:\.{_IDENT})*)?"
)
_GROUP = re.compile(rf"\s*(?:{_OPS})?\s*{_CV}\s*(?:(?:\s+|,\s*)(?:{_OPS})?\s*{_CV}\s*)*")
_FIND = re.compile(rf"((?:!=|>=|=>|<=|=<|~>|=|>|<|~|\^)?)\s*({_CV})")
_RANGE = re.compile(rf"\s*({_CV})\s+-\s+({_CV})\s*")


class SemverError(OcituiError):
    """A version or constraint string that cannot be parsed."""


@total_ordering
@dataclass(frozen=True)
class Version:
    """``major.minor.patch[-pre][+meta]``; build metadata does not take part in ordering."""

    major: int
    minor: int
    patch: int
    pre: str = ""
    meta: str = ""

    def _key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self.compare(other) == 0

    def __hash__(self) -> int:
        return hash((self._key(), self.pre))

    def __lt__(self, other: Version) -> bool:
        return self.compare(other) < 0

    def compare(self, other: Version) -> int:
        """-1, 0 or 1 by semver precedence (a release sorts after its pre-releases)."""
        if self._key() != other._key():
            return -1 if self._key() < other._key() else 1
        if self.pre == other.pre:
            return 0
        if not self.pre:
            return 1
        if not other.pre:
            return -1
        return _compare_pre(self.pre, other.pre)

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            text += f"-{self.pre}"
        return text + (f"+{self.meta}" if self.meta else "")


def _compare_pre(a: str, b: str) -> int:
    left, right = a.split("."), b.split(".")
    for i in range(max(len(left), len(right))):
        x = left[i] if i < len(left) else ""
        y = right[i] if i < len(right) else ""
        if x == y:
            continue
        if not x or not y:
            return -1 if not x else 1  # The shorter list of identifiers sorts first.
        x_num, y_num = _numeric(x), _numeric(y)
        if x_num and y_num:
            return -1 if int(x) < int(y) else 1
        if x_num != y_num:
            return -1 if x_num else 1  # Numeric identifiers sort before alphanumeric ones.
        return -1 if x < y else 1
    return 0


def _numeric(part: str) -> bool:
    """Numeric as Go's ParseUint sees it (a number past 2**64-1 compares as text)."""
    return part.isdigit() and int(part) <= _MAX


def _valid_pre(pre: str) -> bool:
    for part in pre.split("."):
        if not part or (part.isdigit() and len(part) > 1 and part[0] == "0"):
            return False
    return True


def parse_version(text: str) -> Version:
    """A version as Masterminds' lenient ``NewVersion`` reads it; :class:`SemverError` if not."""
    match = _LOOSE.fullmatch(text)
    if match is None:
        raise SemverError(f"{text!r} is not a semantic version")
    major, minor, patch, pre, meta = match.groups()
    numbers = [int(major), int(minor or 0), int(patch or 0)]
    if any(n > _MAX for n in numbers):
        raise SemverError(f"{text!r}: a version number is out of range")
    if pre and not _valid_pre(pre):
        raise SemverError(f"{text!r}: invalid pre-release {pre!r}")
    return Version(numbers[0], numbers[1], numbers[2], pre or "", meta or "")


def try_version(text: str) -> Version | None:
    """:func:`parse_version`, or None for a tag that is not a version."""
    try:
        return parse_version(text)
    except SemverError:
        return None


def _is_x(part: str) -> bool:
    return part in ("x", "X", "*")


@dataclass(frozen=True)
class Comparison:
    """One comparison (``>=1.2``, ``~1.x``, ``!=2``).

    A version written with a missing or ``x`` part is *dirty*: ``*`` becomes ``0.0.0``
    (dirty), ``1.x`` becomes ``1.0.0`` (dirty, minor dirty), ``1.2.x`` becomes ``1.2.0``
    (dirty, patch dirty); each operator reads these flags as Masterminds does.
    """

    op: str
    version: Version
    dirty: bool
    minor_dirty: bool
    patch_dirty: bool
    text: str

    def matches(self, v: Version) -> bool:
        """True when ``v`` satisfies this comparison (pre-release gating is done by the group)."""
        c = self.version
        if self.op in ("", "="):
            return self._tilde(v) if self.dirty else v.compare(c) == 0
        if self.op == "!=":
            return self._not_equal(v)
        if self.op == ">":
            return self._greater(v)
        if self.op == "<":
            return v.compare(c) < 0
        if self.op in (">=", "=>"):
            return v.compare(c) >= 0
        if self.op in ("<=", "=<"):
            return self._less_equal(v)
        if self.op in ("~", "~>"):
            return self._tilde(v)
        return self._caret(v)

    def _not_equal(self, v: Version) -> bool:
        c = self.version
        if self.dirty:
            if c.major != v.major:
                return True
            if c.minor != v.minor and not self.minor_dirty:
                return True
            if self.minor_dirty:
                return False
            if c.patch != v.patch and not self.patch_dirty:
                return True
            if self.patch_dirty:
                if v.pre or c.pre:
                    return _compare_pre(v.pre, c.pre) != 0
                return False
        return v.compare(c) != 0

    def _greater(self, v: Version) -> bool:
        c = self.version
        if not self.dirty:
            return v.compare(c) > 0
        if v.major != c.major:
            return v.major > c.major
        if self.minor_dirty:
            return False  # ">1" needs 2.0.0 or more.
        if self.patch_dirty:
            return v.minor > c.minor  # ">1.2" needs 1.3.0 or more.
        return v.compare(c) > 0

    def _less_equal(self, v: Version) -> bool:
        c = self.version
        if not self.dirty:
            return v.compare(c) <= 0
        if v.major > c.major:
            return False
        return not (v.major == c.major and v.minor > c.minor and not self.minor_dirty)

    def _tilde(self, v: Version) -> bool:
        c = self.version
        if v.compare(c) < 0:
            return False
        if (c.major, c.minor, c.patch) == (0, 0, 0) and not (self.minor_dirty or self.patch_dirty):
            return True  # "~0.0.0" and "~*" take anything.
        if v.major != c.major:
            return False
        return v.minor == c.minor or self.minor_dirty

    def _caret(self, v: Version) -> bool:
        c = self.version
        if v.compare(c) < 0:
            return False
        if c.major > 0 or self.minor_dirty:
            return v.major == c.major
        if v.major > 0:
            return False
        if c.minor > 0 or self.patch_dirty:
            return v.minor == c.minor
        if v.minor > 0:
            return False
        return v.patch == c.patch


def _comparison(op: str, text: str) -> Comparison:
    match = _ONE_PARTS.fullmatch(text)
    if match is None:
        raise SemverError(f"improper constraint: {op}{text!r}")
    major, minor, patch, pre, meta = match.groups()
    minor = (minor or "").removeprefix(".")
    patch = (patch or "").removeprefix(".")
    tail = (pre or "") + (meta or "")
    dirty = minor_dirty = patch_dirty = False
    if _is_x(major):
        dirty, base = True, "0.0.0" + tail
    elif not minor or _is_x(minor):
        dirty = minor_dirty = True
        base = f"{major}.0.0{tail}"
    elif not patch or _is_x(patch):
        dirty = patch_dirty = True
        base = f"{major}.{minor}.0{tail}"
    else:
        base = text
    try:
        version = parse_version(base)
    except SemverError:
        raise SemverError(f"improper constraint: {op}{text}") from None
    return Comparison(op, version, dirty, minor_dirty, patch_dirty, f"{op}{text}")


@dataclass(frozen=True)
class Constraint:
    """``||`` groups of comparisons that all must hold; see the module docstring."""

    groups: tuple[tuple[Comparison, ...], ...]
    text: str

    def check(self, version: Version) -> bool:
        """True when some group accepts ``version``."""
        for group in self.groups:
            if version.pre and not any(c.version.pre for c in group):
                continue  # Pre-releases only match groups that ask for one.
            if all(c.matches(version) for c in group):
                return True
        return False

    def check_tag(self, tag: str) -> bool:
        """True when ``tag`` is a version accepted by the constraint."""
        version = try_version(tag)
        return version is not None and self.check(version)

    def __str__(self) -> str:
        return self.text


def _rewrite_ranges(text: str) -> str:
    return _RANGE.sub(lambda m: f">= {m.group(1)}, <= {m.group(2)} ", text)


def parse_constraint(text: str) -> Constraint:
    """Parse a Masterminds constraint string; :class:`SemverError` when it is not one."""
    groups = []
    for segment in _rewrite_ranges(text).split("||"):
        if _GROUP.fullmatch(segment) is None:
            raise SemverError(f"improper constraint: {segment!r}")
        found = _FIND.findall(segment)
        groups.append(tuple(_comparison(op, version) for op, version in found))
    return Constraint(tuple(groups), text)


__all__ = [
    "Comparison",
    "Constraint",
    "SemverError",
    "Version",
    "parse_constraint",
    "parse_version",
    "try_version",
]

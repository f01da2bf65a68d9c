"""Tag regular expressions as skopeo sync reads them (Go's RE2 syntax, unanchored search).

skopeo keeps a tag when ``regexp.MatchString`` finds the pattern *anywhere* in it, so
``1\\.2`` selects ``v1.2-alpine`` too; anchor with ``^...$`` to select whole tags. Python's
``re`` reads most RE2 the same way; this module translates the few spellings that differ
(``\\z``, ``\\Q...\\E``, ``[[:alpha:]]`` classes, ``\\pN``) and refuses what RE2 itself
rejects (look-around, back-references, possessive quantifiers), so a pattern selects
the same tags here as in skopeo or fails loudly. ``\\d``, ``\\w``, ``\\s`` and ``\\b`` are
ASCII in RE2, hence ``re.ASCII``.
"""

from __future__ import annotations

import re

from ocitui.core.errors import OcituiError

_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_UNICODE = {"N": "0-9", "Nd": "0-9", "L": "A-Za-z", "Lu": "A-Z", "Ll": "a-z"}
_REFUSED = (
    (re.compile(r"\(\?<?[=!]"), "look-around"),
    (re.compile(r"\\[1-9]"), "back-references"),
    (re.compile(r"\(\?P=|\(\?\(|\(\?>"), "Python-only groups"),
    (re.compile(r"[*+?}]\+"), "possessive quantifiers"),
)


class TagRegexError(OcituiError):
    """A tag pattern that RE2 (and so skopeo) would not accept, or that is invalid."""


def _translate(pattern: str) -> str:
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("\\Q", i):
            end = pattern.find("\\E", i + 2)
            literal = pattern[i + 2 :] if end < 0 else pattern[i + 2 : end]
            out.append(re.escape(literal))
            i = len(pattern) if end < 0 else end + 2
            continue
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt == "z":
                out.append("\\Z")  # RE2's end of text; Python's \Z is the same thing.
            elif nxt == "Z":
                raise TagRegexError(f"tag pattern {pattern!r}: \\Z is not RE2 syntax")
            elif nxt in "pP":
                name, length = _unicode_class(pattern, i + 2)
                body = _UNICODE.get(name)
                if body is None:
                    raise TagRegexError(
                        f"tag pattern {pattern!r}: Unicode class \\{nxt}{{{name}}} is not "
                        "supported here (tags are ASCII)"
                    )
                out.append(f"[{'^' if nxt == 'P' else ''}{body}]")
                i += 2 + length
                continue
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class and pattern.startswith("[:", i):
            end = pattern.find(":]", i + 2)
            name = pattern[i + 2 : end] if end > 0 else ""
            negate = name.startswith("^")
            body = _POSIX.get(name.lstrip("^"))
            if body is None or negate:
                raise TagRegexError(f"tag pattern {pattern!r}: unknown class [:{name}:]")
            out.append(body)
            i = end + 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            i += 1
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
            if pattern.startswith("]", i):
                out.append("\\]")  # A leading "]" is a literal in RE2 as in Python.
                i += 1
            continue
        if ch == "]" and in_class:
            in_class = False
        elif ch == "[" and in_class:
            ch = "\\["  # RE2 reads a bare "[" in a class as a literal.
        out.append(ch)
        i += 1
    return "".join(out)


def _unicode_class(pattern: str, at: int) -> tuple[str, int]:
    if pattern.startswith("{", at):
        end = pattern.find("}", at)
        if end < 0:
            raise TagRegexError(f"tag pattern {pattern!r}: unterminated \\p{{...}}")
        return pattern[at + 1 : end], end - at + 1
    return pattern[at : at + 1], 1


def compile_tag_regex(pattern: str) -> re.Pattern[str]:
    """The Python pattern that selects what RE2's ``MatchString`` selects (use ``search``)."""
    for check, what in _REFUSED:
        if check.search(pattern):
            raise TagRegexError(f"tag pattern {pattern!r}: {what} are not RE2 syntax")
    try:
        return re.compile(_translate(pattern), re.ASCII)
    except re.error as exc:
        raise TagRegexError(f"tag pattern {pattern!r} is invalid: {exc}") from None


__all__ = ["TagRegexError", "compile_tag_regex"]

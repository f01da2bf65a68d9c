"""Names in a layout: tags are full normalised references in ``ref.name``.

Lookups accept the full reference, a unique short form (``app:v1``, ``alpine``), a bare
tag written by skopeo/umoci (``v1``), ``name@digest``, or a digest.

**Short tags.** skopeo, umoci, oras and regclient write ``ref.name`` as the tag alone
(``1.0``). ocitui never writes such a name (it stores full references), so a ``ref.name``
that is a bare tag is another tool's *short tag*: it keeps its tag when pushed
(``push 1.0 R/app`` pushes ``R/app:1.0``), it is never read as a repository
(``docker.io/library/1.0``), and it is given a repository with ``--repository NAME`` on
``import`` or ``fsck --repair``, which renames ``1.0`` to ``NAME:1.0``.

Until it is named, text output (``ls``, ``inspect``, ``referrers``, the TUI tree) shows a
short tag as ``(local)/LAYOUT:TAG`` (:func:`display_name`: ``LAYOUT`` is the layout
directory's name, as ``oci:LAYOUT:TAG`` addresses it), so it never looks like a name on
Docker Hub; lookups accept that form, the bare tag, or the digest; ``--json`` keeps the
exact ``ref.name``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ocitui.core.digest import Digest
from ocitui.core.errors import (
    AmbiguousReference,
    InvalidDigest,
    InvalidReference,
    ManifestError,
    NotFound,
)
from ocitui.core.models import REF_NAME, Descriptor
from ocitui.core.reference import TAG_RE, Reference, parse_reference

if TYPE_CHECKING:
    from ocitui.core.layout.store import Layout


def is_short_tag(name: str | None) -> bool:
    """True for a ``ref.name`` that is a bare tag (``1.0``), as other tools write it."""
    return bool(name) and TAG_RE.fullmatch(name or "") is not None


def tag_of(name: str | None) -> str | None:
    """The tag a layout name carries: a short tag itself, else the reference's tag."""
    if not name:
        return None
    if is_short_tag(name):
        return name
    try:
        return parse_reference(name).tag
    except InvalidReference:
        return None


#: The pseudo registry short tags are shown under until they are given a repository.
LOCAL = "(local)"


def local_repository(root: Path) -> str:
    """The repository name short tags of the layout at ``root`` are shown under."""
    return root.resolve().name or "layout"


def display_name(name: str | None, root: Path) -> str | None:
    """``name`` as text output shows it: ``(local)/LAYOUT:TAG`` for a short tag."""
    if name and is_short_tag(name):
        return f"{LOCAL}/{local_repository(root)}:{name}"
    return name


def _short_tag_of_display(text: str) -> str | None:
    """The short tag a ``(local)/LAYOUT:TAG`` text names, else None."""
    if not text.startswith(f"{LOCAL}/"):
        return None
    tag = text.rsplit(":", 1)[-1] if ":" in text else ""
    return tag if is_short_tag(tag) else None


def with_repository(name: str, repository: str) -> str:
    """``REPO:TAG`` for the short tag ``name`` (``repository`` is validated)."""
    repo = parse_reference(repository, default_tag=None)
    if repo.tag is not None or repo.digest is not None:
        raise InvalidReference(f"--repository {repository!r}: give a repository, without a tag")
    return str(Reference(repo.registry, repo.repository, name))


def valid_name(text: str) -> str:
    """The full reference to store for ``text``; refuses what is not a reference."""
    return str(parse_reference(text))


def normalise_name(text: str) -> str:
    """The ``ref.name`` we store for ``text``: the full normalised reference.

    Names that are not image references (a bare tag such as ``v1`` written by other
    tools) are kept as they are.
    """
    try:
        return str(parse_reference(text))
    except InvalidReference:
        return text


def _candidates(named: list[tuple[str, int]], text: str) -> list[int]:
    """The entries (``(ref.name, position)`` pairs) that ``text`` names."""
    text = _short_tag_of_display(text) or text
    exact = [i for name, i in named if name == text]
    if exact:
        return exact
    full = normalise_name(text)
    exact = [i for name, i in named if name == full]
    if exact:
        return exact
    # Short forms: "app:v1" matches ".../app:v1"; "app" matches ".../app:latest".
    short = text if (":" in text.rsplit("/", 1)[-1] or "@" in text) else f"{text}:latest"
    return [i for name, i in named if name.endswith("/" + short)]


def resolve(layout: Layout, text: str) -> Descriptor:
    """Find one descriptor for ``text``; :class:`NotFound` / :class:`AmbiguousReference`.

    On a plain layout only the matching entries are validated (an invalid one that
    matches raises the error validating all of ``index.json`` raises).
    """
    text = text.strip()
    if not text:
        raise NotFound("empty reference")
    few = layout._few()
    pick: Callable[[int], Descriptor]
    if few is None:
        entries = layout.entries()
        named = [(e.ref_name, i) for i, e in enumerate(entries) if e.ref_name]
        pick = entries.__getitem__
    else:
        named = few.names()
        pick = few.entry
    if ":" in text and "/" not in text and text.split(":", 1)[0] in ("sha256", "sha512"):
        return _by_digest(layout, text)
    matches = [pick(i) for i in _candidates(named, text)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        names = sorted({m.ref_name or "" for m in matches})
        raise AmbiguousReference(
            f"{text!r} matches {len(names)} entries: {', '.join(names)}; use the full reference"
        )
    if "@" in text:
        return _by_digest(layout, text.rsplit("@", 1)[1])
    raise NotFound(f"{text!r} is not in the layout (try 'ocitui ls')")


def pinned_name(layout: Layout, text: str) -> str | None:
    """``REPO@sha256:...`` as given, with ``REPO`` expanded as a short form is: to the one
    repository of the layout's names it is the tail of (``app`` -> ``r.io/demo/app``),
    else normalised (``docker.io/library/app`` only when nothing in the layout is
    ``.../app``). None when ``text`` pins nothing."""
    repo_text, at, digest_text = text.rpartition("@")
    if not at or not repo_text:
        return None
    try:
        pinned = parse_reference(text)
    except InvalidReference:
        return None
    repositories = {
        name.rsplit("@", 1)[0].rsplit(":", 1)[0]
        for name in (e.ref_name for e in layout.entries())
        if name and "/" in name
    }
    full = f"{pinned.registry}/{pinned.repository}"
    if full in repositories:
        return str(pinned)
    tails = sorted(r for r in repositories if r.endswith("/" + repo_text))
    return f"{tails[0]}@{digest_text}" if len(tails) == 1 else str(pinned)


def _by_digest(layout: Layout, text: str) -> Descriptor:
    try:
        digest = Digest.parse(text)
    except InvalidDigest as exc:
        raise NotFound(str(exc)) from None
    few = layout._few()
    if few is None:
        for entry in layout.entries():
            if entry.digest == digest:
                return entry
    else:
        # The text of a valid digest is canonical: equal text, equal digest.
        found = few.find_digest(str(digest))
        if found is not None:
            return few.entry(found)
    # A child (platform manifest) or a referrer known only from blobs.
    if layout.has_blob(digest):
        try:
            doc = layout.get_document(digest)
        except ManifestError:
            raise NotFound(f"{digest} is a blob, not a manifest or index") from None
        return doc.descriptor()
    raise NotFound(f"{digest} is not in the layout")


def named(ref: str, descriptor: Descriptor) -> Descriptor:
    """``descriptor`` as the index entry named ``ref`` (validated and normalised)."""
    name = valid_name(ref)
    return descriptor.with_changes(annotations={**descriptor.annotations, REF_NAME: name})


def remove(layout: Layout, text: str) -> list[Descriptor]:
    """Drop the entry named ``text`` (or every entry of a digest)."""
    target = resolve(layout, text)
    removed: list[Descriptor] = []

    def drop(entries: list[Descriptor]) -> list[Descriptor]:
        kept: list[Descriptor] = []
        for entry in entries:
            same = entry.digest == target.digest and (
                entry.ref_name == target.ref_name or target.ref_name is None
            )
            (removed if same else kept).append(entry)
        return kept

    layout.update_index(drop)
    if not removed:
        raise NotFound(f"{text!r} is not an entry of index.json")
    return removed

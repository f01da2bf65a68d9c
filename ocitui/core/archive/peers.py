"""``export --for-peers``: an archive every peer tool can address.

ocitui names entries with full references (``registry.example.com/demo/app:1.0``), which
peers cannot reach in a layout: the oras CLI splits ``--oci-layout PATH:REF`` at the last
``:``, regctl's ``ocidir://`` wants short tags and finds referrers only through
``sha256-<hex>`` fallback tags, skopeo and umoci match ``ref.name`` exactly. This mode
rewrites the selection for them:

- every name must belong to **one repository**, and is written as its **short tag**
  (``1.0``, ``sha256-<hex>.sig``); a ``name@digest`` entry stays, untagged. Machine tags
  (cosign legacy ``.sig/.att/.sbom``) go with their image whatever repository they were
  pulled from; when two would get one short tag (two repositories' ``.sig`` of one image),
  the export's own repository's is written and the other is named in a warning;
- each subject with referrers gets a **fallback index** tagged ``sha256-<hex>`` listing
  them (the referrers API's response shape), which regctl reads; oras finds the same
  referrers from the untagged entries, ocitui from both.
"""

from __future__ import annotations

from collections import defaultdict

from ocitui.core import media_types as mt
from ocitui.core.archive.closure import Selection
from ocitui.core.digest import Digest
from ocitui.core.errors import ArchiveError, InvalidReference
from ocitui.core.layout.referrers import SUBJECT_HINT, hinted_subject
from ocitui.core.layout.refs import is_short_tag
from ocitui.core.layout.summary import is_machine_tag
from ocitui.core.models import REF_NAME, Descriptor, canonical_json
from ocitui.core.reference import Reference, parse_reference


def for_peers(selection: Selection) -> dict[Digest, bytes]:
    """Rewrite ``selection`` in place for peers; returns the fallback indexes to add."""
    parsed = [(entry, _parse(entry.ref_name)) for entry in selection.entries]
    repositories = {r.name for e, r in parsed if r is not None and not is_machine_tag(e.ref_name)}
    home = next(iter(repositories)) if len(repositories) == 1 else None
    # Machine tags of the export's own repository first: a short tag holds one entry.
    parsed.sort(key=lambda pair: pair[1] is not None and pair[1].name != home)
    entries: list[Descriptor] = []
    written: dict[str, str] = {}
    for entry, ref in parsed:
        if ref is None:
            entries.append(entry)
            continue
        if ref.tag is not None and ref.tag in written:
            selection.warnings.append(
                f"--for-peers: {entry.ref_name} left out: its short tag {ref.tag!r} is "
                f"{written[ref.tag]}'s (one legacy tag per image in one repository)"
            )
            continue
        annotations = {k: v for k, v in entry.annotations.items() if k != REF_NAME}
        if ref.tag is not None:
            annotations[REF_NAME] = ref.tag
            written[ref.tag] = entry.ref_name or ""
        entries.append(entry.with_changes(annotations=annotations))
    if len(repositories) > 1:
        raise ArchiveError(
            "--for-peers writes one repository (peers address short tags); this export "
            f"names {len(repositories)}: {', '.join(sorted(repositories))}. Export each "
            "repository's REFs to its own archive"
        )
    extra: dict[Digest, bytes] = {}
    for tag, raw in _fallback_indexes(entries):
        digest = Digest.of(raw)
        entries.append(Descriptor(mt.OCI_INDEX, digest, len(raw), annotations={REF_NAME: tag}))
        if digest not in selection.blobs:
            extra[digest] = raw
    selection.entries = entries
    return extra


def _parse(name: str | None) -> Reference | None:
    """The reference a full name stands for; None for no name or a short tag."""
    if not name or is_short_tag(name):
        return None
    try:
        return parse_reference(name)
    except InvalidReference:
        raise ArchiveError(f"--for-peers: {name!r} is not a reference") from None


def _fallback_indexes(entries: list[Descriptor]) -> list[tuple[str, bytes]]:
    by_subject: dict[Digest, list[Descriptor]] = defaultdict(list)
    taken = {e.ref_name for e in entries if e.ref_name}
    for entry in entries:
        subject = hinted_subject(entry)
        if subject is not None:
            annotations = {k: v for k, v in entry.annotations.items() if k != SUBJECT_HINT}
            by_subject[subject].append(entry.with_changes(annotations=annotations))
    out: list[tuple[str, bytes]] = []
    for subject, referrers in sorted(by_subject.items(), key=lambda item: str(item[0])):
        tag = subject.tag_form
        if tag in taken:
            continue  # The layout already has this fallback tag: keep it as it is.
        doc = {
            "schemaVersion": 2,
            "mediaType": mt.OCI_INDEX,
            "manifests": [d.to_json() for d in sorted(referrers, key=lambda d: str(d.digest))],
        }
        out.append((tag, canonical_json(doc)))
    return out

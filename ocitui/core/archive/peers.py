"""``export --for-peers``: an archive every peer tool can address.

ocitui names entries with full references (``registry.example.com/demo/app:1.0``), which
peers cannot reach in a layout: the oras CLI splits ``--oci-layout PATH:REF`` at the last
``:``, regctl's ``ocidir://`` wants short tags and finds referrers only through
``sha256-<hex>`` fallback tags, skopeo and umoci match ``ref.name`` exactly. This mode
rewrites the selection for them:

- every name must belong to **one repository**, and is written as its **short tag**
  (``1.0``, ``sha256-<hex>.sig``); a ``name@digest`` entry stays, untagged;
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
from ocitui.core.models import REF_NAME, Descriptor, canonical_json
from ocitui.core.reference import parse_reference


def for_peers(selection: Selection) -> dict[Digest, bytes]:
    """Rewrite ``selection`` in place for peers; returns the fallback indexes to add."""
    repositories: set[str] = set()
    entries: list[Descriptor] = []
    for entry in selection.entries:
        name = entry.ref_name
        if not name or is_short_tag(name):
            entries.append(entry)
            continue
        try:
            ref = parse_reference(name)
        except InvalidReference:
            raise ArchiveError(f"--for-peers: {name!r} is not a reference") from None
        repositories.add(ref.name)
        annotations = {k: v for k, v in entry.annotations.items() if k != REF_NAME}
        if ref.tag is not None:
            annotations[REF_NAME] = ref.tag
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

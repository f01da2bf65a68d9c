"""What an export contains: index entries to write and blobs to stream.

A whole-layout export takes every ``index.json`` entry; an export of some refs takes
their closure: the manifests and indexes they name, platform manifests, configs and
layers, referrers (recursively), legacy/machine tags of every included digest
(``sha256-<hex>.sig/.att/.sbom``, ``sha256-<hex>`` fallback indexes, ``*.imgpkg``), and,
for an imgpkg bundle, the locked images the layout holds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ocitui.core.digest import Digest
from ocitui.core.errors import BundleError, ManifestError, OcituiError
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor, Document, Manifest

_MACHINE_TAG = re.compile(r"(sha256|sha512)-([a-f0-9]{64})(?:\..+)?", re.ASCII)


@dataclass
class Selection:
    """Entries (in order) and blobs (digest -> size) of one export."""

    entries: list[Descriptor] = field(default_factory=list)
    blobs: dict[Digest, int] = field(default_factory=dict)
    #: Referenced but absent from the (sparse) layout.
    missing: dict[Digest, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        """Sum of the blob sizes to stream."""
        return sum(self.blobs.values())


def machine_tag_key(ref_name: str | None) -> str | None:
    """``<alg>-<hex>`` when the tag part of ``ref_name`` is a digest-derived machine tag."""
    if not ref_name:
        return None
    tail = ref_name.rsplit("/", 1)[-1]
    tag = tail.rsplit(":", 1)[-1] if ":" in tail else (ref_name if "/" not in ref_name else "")
    match = _MACHINE_TAG.fullmatch(tag.split("@", 1)[0])
    return f"{match.group(1)}-{match.group(2)}" if match else None


class _Walker:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.selection = Selection()
        self.by_digest: dict[Digest, list[Descriptor]] = defaultdict(list)
        self.machine: dict[str, list[Descriptor]] = defaultdict(list)
        for entry in layout.entries():
            self.by_digest[entry.digest].append(entry)
            key = machine_tag_key(entry.ref_name)
            if key is not None:
                self.machine[key].append(entry)
        self._keys: set[tuple[Digest, str | None]] = set()
        self._seen: set[Digest] = set()

    def add_entry(self, entry: Descriptor) -> None:
        self._record(entry)
        self.walk(entry)

    def _record(self, entry: Descriptor) -> None:
        key = (entry.digest, entry.ref_name)
        if key not in self._keys:
            self._keys.add(key)
            self.selection.entries.append(entry)

    def walk(self, desc: Descriptor) -> None:
        """Everything below ``desc``: children, then attachments and bundle images.

        An explicit stack, not recursion: a 1,500-deep chain of indexes or referrers is a
        loop like any other. An item with its document is the "children done" step.
        """
        stack: list[tuple[Descriptor, Document | None]] = [(desc, None)]
        while stack:
            item, doc = stack.pop()
            if doc is not None:
                after = self._attachments(item.digest)
                if isinstance(doc, Manifest):
                    after += self._bundle_images(item)
                stack.extend((d, None) for d in reversed(after))
                continue
            doc = self._visit(item)
            if doc is not None:
                stack.append((item, doc))
                stack.extend((child, None) for child in reversed(doc.children()))

    def _visit(self, desc: Descriptor) -> Document | None:
        if desc.digest in self._seen:
            return None
        self._seen.add(desc.digest)
        if not self.layout.has_blob(desc.digest, desc.size):
            if desc.is_foreign_layer and not self.layout.has_blob(desc.digest):
                return None  # Fetched from its urls; an archive need not carry it.
            if self.layout.has_blob(desc.digest):
                self.selection.warnings.append(
                    f"{desc.digest}: blob size differs from the descriptor's {desc.size}"
                )
            self.selection.missing[desc.digest] = desc.size
            return None
        self.selection.blobs[desc.digest] = desc.size
        if not desc.is_manifest_like:
            return None
        try:
            return self.layout.get_document(desc.digest, desc.media_type)
        except ManifestError as exc:
            self.selection.warnings.append(f"{desc.digest}: {exc}")
            return None

    def _attachments(self, digest: Digest) -> list[Descriptor]:
        """Record the attachments' entries; the descriptors to walk, in order."""
        out: list[Descriptor] = []
        for referrer in self.layout.referrers(digest):
            entries = [e for e in self.by_digest.get(referrer.digest, []) if not e.ref_name]
            for entry in entries:
                self._record(entry)
            out.extend(entries)
            out.append(referrer)
        for entry in self.machine.get(digest.tag_form, []):
            self._record(entry)
            out.append(entry)
        return out

    def _bundle_images(self, desc: Descriptor) -> list[Descriptor]:
        from ocitui.core.bundles import is_bundle, read_bundle

        try:
            if not is_bundle(self.layout, desc):
                return []
            bundle = read_bundle(self.layout, desc, recursive=False)
        except (BundleError, OcituiError) as exc:
            self.selection.warnings.append(f"{desc.digest}: bundle not followed: {exc}")
            return []
        out: list[Descriptor] = []
        for image in bundle.images:
            entries = self.by_digest.get(image.digest, [])
            if not entries and self.layout.has_blob(image.digest):
                try:
                    entries = [self.layout.resolve(str(image.digest))]
                except OcituiError:
                    continue
            for entry in entries:
                self._record(entry)
            out.extend(entries)
        return out


def select_all(layout: Layout) -> Selection:
    """Every ``index.json`` entry and every blob reachable from them."""
    walker = _Walker(layout)
    for entry in layout.entries():
        walker.add_entry(entry)
    return walker.selection


def select_refs(layout: Layout, refs: Sequence[str]) -> Selection:
    """The closure of ``refs`` (full or unique short references, or digests)."""
    walker = _Walker(layout)
    for ref in refs:
        walker.add_entry(layout.resolve(ref))
    return walker.selection


def blob_algorithms(selection: Selection) -> list[str]:
    """The digest algorithms used, sorted (one ``blobs/<alg>/`` directory each)."""
    return sorted({d.algorithm for d in selection.blobs})


__all__ = ["Selection", "blob_algorithms", "machine_tag_key", "select_all", "select_refs"]

"""Layouts in the shapes other tools write, built byte by byte (no ocitui conventions).

skopeo, umoci, oras and regclient write ``ref.name`` as the bare tag; ``cosign save``
writes untagged entries with a ``kind`` annotation.
"""

from __future__ import annotations

import json
from pathlib import Path

from ocitui.core import media_types as mt
from ocitui.core.layout import Layout
from ocitui.core.models import REF_NAME, Descriptor, Document
from tests.support.builders import artifact_bytes, put_image


def write_entries(layout: Layout, entries: list[dict[str, object]]) -> None:
    """Replace ``index.json``'s manifests with ``entries`` as given."""
    doc = {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": entries}
    (layout.root / "index.json").write_text(json.dumps(doc, indent=2))


def entry(desc: Descriptor, **annotations: str) -> dict[str, object]:
    """An index entry for ``desc`` with exactly ``annotations``."""
    out = {"mediaType": desc.media_type, "digest": str(desc.digest), "size": desc.size}
    if annotations:
        out["annotations"] = dict(annotations)
    return out


def tagged(desc: Descriptor, tag: str) -> dict[str, object]:
    """The entry a skopeo-like tool writes for ``oci:L:tag``."""
    return entry(desc, **{REF_NAME: tag})


def signature(layout: Layout, subject: Document, name: str = "sig") -> Document:
    """A referrer of ``subject`` stored as a blob (no index entry)."""
    raw = artifact_bytes(
        subject.descriptor(), mt.SIGSTORE_BUNDLE, f"{name} of {subject.digest}".encode(), layout
    )
    desc = layout.put_document(raw, mt.OCI_MANIFEST)
    return layout.get_document(desc.digest, desc.media_type)


def skopeo_shape(root: Path) -> tuple[Layout, Document, Document]:
    """``oci:L:v1`` (an image) and ``oci:L:sigx`` (a referrer of it), short tags only."""
    layout = Layout.open(root, create=True)
    image = put_image(layout, {"app": b"v1"})
    sig = signature(layout, image)
    write_entries(layout, [tagged(image.descriptor(), "v1"), tagged(sig.descriptor(), "sigx")])
    return Layout.open(root), image, sig


def legacy_sig_image(layout: Layout) -> Document:
    """A cosign legacy signature image (simple signing layer; no subject)."""
    return put_image(layout, {"sig": b"simple signing payload"}, env=("SIG=1",))


def cosign_save_shape(root: Path) -> tuple[Layout, Document, Document, Document]:
    """What ``cosign save --dir`` writes: the image, its sigs image and (cosign v3) a
    referrer entry, all untagged, told apart by ``kind``."""
    layout = Layout.open(root, create=True)
    image = put_image(layout, {"app": b"signed"})
    sigs = legacy_sig_image(layout)
    ref = signature(layout, image, "bundle")
    kind = "dev.cosignproject.cosign/"
    write_entries(
        layout,
        [
            entry(image.descriptor(), kind=kind + "image"),
            entry(sigs.descriptor(), kind=kind + "sigs"),
            entry(ref.descriptor(), kind=f"{kind}referrers/{image.digest.encoded}"),
        ],
    )
    return Layout.open(root), image, sigs, ref

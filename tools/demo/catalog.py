"""What the demo build made, and the README table generated from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ocitui.core import media_types as mt
from ocitui.core.models import Descriptor
from tools.demo.signing import DEMO_PUBLIC_KEY


@dataclass(frozen=True)
class Made:
    """One object the build created (a tagged ref, a platform manifest or a referrer)."""

    label: str
    descriptor: Descriptor
    ref: str | None = None
    #: Digest string of the subject, for referrers; ``None`` otherwise.
    subject: str | None = None
    note: str = ""


@dataclass
class Catalog:
    """Everything made, in build order."""

    items: list[Made] = field(default_factory=list)

    def add(self, item: Made) -> Made:
        """Record ``item`` and return it."""
        self.items.append(item)
        return item

    def by_label(self, label: str) -> Made:
        """The item with ``label`` (KeyError when absent)."""
        for item in self.items:
            if item.label == label:
                return item
        raise KeyError(label)


_HEADER = """# Demo layouts

`layouts/demo` is a small, real OCI image layout used by ocitui's tests, screenshots and
documentation. It is **generated**; do not edit it (or this file) by hand. Regenerate both
with:

```sh
python tools/make_demo_layout.py
```

The build is deterministic (fixed timestamps, seeded content, reproducible tar/gzip/zstd),
so running it again yields byte-identical files; `tests/test_demo_layout.py` checks that the
committed layout equals a fresh build (compressed bytes assume the same zlib and libzstd
builds: a different zlib, e.g. zlib-ng, can change the gzip layer). All names are full references on the fictional
registry `registry.example.com`. All signatures and certificates are **fake** (they decode
to text that says so), except the legacy cosign signature of app:1.0, which is real and
made with the **demo-only** key described below.

## What is inside

- **app:1.0 / app:1.1**: OCI indexes for `linux/amd64` and `linux/arm64/v8`. Each image has
  a real OCI config (Env with `APP_VERSION`, Entrypoint, Cmd, Labels, WorkingDir, User,
  ExposedPorts, history, `rootfs.diff_ids` = sha256 of the uncompressed tars) and two layers:
  a tar+gzip base layer (`/etc/os-release`, `/bin/app`, `/usr/share/doc/app/...`), shared by
  every image, and a tar+zstd app layer with a per-arch `usr/lib/app/libdemo-<arch>.so`.
  1.1's app layer changes `etc/app/app.conf`, adds `etc/app/features.d/metrics.conf` and
  deletes the base layer's `usr/share/doc/app/NOTICE.legacy` with a whiteout.
- **Referrers** (OCI 1.1, `config` = the empty descriptor): app:1.0 has an SPDX SBOM, a
  sigstore bundle signature, an in-toto SLSA provenance attestation, and a signature *of the
  SBOM*; app:1.1 has an SBOM only (no signature).
- **Legacy cosign signature** of app:1.0 under the `sha256-<hex>.sig` tag scheme, real, by
  the demo key (below).
- **imgpkg bundle** (Docker v2 schema2 image) whose `.imgpkg/images.yml` locks both app
  versions by digest, with Kubernetes YAML under `config/`.

## The demo signing key

The legacy `.sig` of app:1.0 is an ECDSA P-256 signature (cosign simple signing, as
`cosign sign --key` makes it) by `tools/demo/DEMO-ONLY-signing-key.pem`. That private key
is committed on purpose and signs **only this demo**: never trust it for anything else.
Its public half (also in `tools/demo/DEMO-ONLY-signing-key.pub`):

```
{public_key}```

With it, `ocitui verify` passes app:1.0 on the `.sig` signature and shows the (fake)
sigstore-bundle signature of app:1.0 failing, which is what a forged signature looks like:

```sh
ocitui verify --layout layouts/demo --key tools/demo/DEMO-ONLY-signing-key.pub app:1.0
```

## Reading it with other tools

skopeo splits `oci:<dir>:<name>` at the first `:` only, so the name may contain `/` and `:`
(the directory may not contain `:`). Checked with skopeo 1.9.3 and umoci 0.4.7:

```sh
skopeo inspect oci:layouts/demo:registry.example.com/demo/app:1.0
skopeo --override-arch arm64 --override-variant v8 inspect oci:layouts/demo:registry.example.com/demo/app:1.1
skopeo copy --all oci:layouts/demo:registry.example.com/demo/app:1.1 dir:/tmp/app-1.1
umoci ls --layout layouts/demo
```

Known limits of those versions: skopeo 1.9 only matches names on OCI manifest/index entries,
so it cannot address the Docker-typed `registry.example.com/demo/bundle:1.0` ("no descriptor
found"); umoci 0.4 lists every name but `umoci stat`/`unpack` refuse the multi-platform
indexes ("tag is ambiguous") and Docker manifests. Short names (`app:1.0`) work in ocitui
only, not in skopeo or umoci. Read with a copy if a tool might write to the directory.
"""


def _kind(desc: Descriptor) -> str:
    if desc.media_type == mt.OCI_INDEX:
        return "OCI index"
    if desc.media_type == mt.DOCKER_MANIFEST:
        return "Docker v2 manifest"
    return "OCI manifest"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def render_readme(catalog: Catalog, total_bytes: int, blob_count: int) -> str:
    """The full text of ``layouts/README.md`` for this build."""
    public_key = DEMO_PUBLIC_KEY.read_text(encoding="ascii")
    out = [_HEADER.replace("{public_key}", public_key), "## Tagged references\n"]
    out.append(_row(["ref", "kind", "digest", "size", "what"]))
    out.append(_row(["---"] * 5))
    for item in catalog.items:
        if item.ref:
            d = item.descriptor
            out.append(_row([f"`{item.ref}`", _kind(d), f"`{d.digest}`", str(d.size), item.note]))
    out.append("\n## Platform manifests\n")
    out.append(_row(["object", "digest", "size", "what"]))
    out.append(_row(["---"] * 4))
    for item in catalog.items:
        if not item.ref and not item.subject:
            d = item.descriptor
            out.append(_row([item.label, f"`{d.digest}`", str(d.size), item.note]))
    out.append("\n## Referrers (untagged index.json entries with a `subject`)\n")
    out.append(_row(["referrer", "artifactType", "digest", "subject", "what"]))
    out.append(_row(["---"] * 5))
    labels = {str(i.descriptor.digest): i.label for i in catalog.items}
    for item in catalog.items:
        if item.subject:
            d = item.descriptor
            subject = f"{labels.get(item.subject, '?')} (`{item.subject[:19]}…`)"
            out.append(
                _row([item.label, f"`{d.artifact_type}`", f"`{d.digest}`", subject, item.note])
            )
    out.append(
        f"\nIn total: {blob_count} blobs, {total_bytes} bytes "
        f"({total_bytes / 1024:.1f} KiB) including `index.json` and `oci-layout`.\n"
    )
    return "\n".join(out)

"""imgpkg bundles in pull, push and copy: a bundle travels with every image it locks.

**Pull.** When a root (or a locked image) is an imgpkg bundle -- config label
``dev.carvel.imgpkg.bundle`` or artifactType ``application/vnd.carvel.imgpkg.bundle.v1`` --
its ``.imgpkg/images.yml`` is read from the source while planning (so ``--dry-run``
lists the locked images), and every locked image is walked like a root: by digest, with
its referrers (recursively), legacy cosign tags and imgpkg tags. Nested bundles are
expanded the same way, at most :data:`MAX_DEPTH` levels deep. A locked image is taken
from the repository images.yml names; when that registry cannot be reached or does not
hold the digest, from the bundle's own repository (where imgpkg relocates every image;
for a nested bundle its own repository, then its parents', are tried).

**Names.** In the layout each locked image is named ``<bundle repo>:<alg>-<hex>.imgpkg``
(the bundle's repository as pulled), the machine tag imgpkg gives relocated images: ``ls``
hides it, ``ls --all`` shows it, :func:`~ocitui.core.bundles.read_bundle` finds the image
by digest, and a later push relocates it from there. Legacy ``.sig/.att/.sbom`` tags of
locked images are named in the bundle's repository too.

**Push and copy.** The bundle is relocated as imgpkg does it: every locked image (nested
ones too) by digest into the bundle's destination repository, tagged
``<alg>-<hex>.imgpkg``, with its referrers and legacy tags; then the bundle; then, for it
and each nested bundle, an image-locations record as an OCI 1.1 referrer (artifactType
``application/vnd.carvel.imgpkg.image-locations.v1``, subject = the bundle; it lists the
original references of images.yml, which live on in the destination repository under the
same digests). With ``imgpkg_compat`` also the ``<alg>-<hex>.image-locations.imgpkg``
image that imgpkg itself reads. The records are made in memory (their blobs travel as
:attr:`PlanBlob.data`), never written to the source layout. ``marking`` rewrites the
bundle with :func:`~ocitui.core.bundles.mark_bundle` (a new digest; the new manifest is
stored in the layout as blobs, unnamed); the destination tag then names the re-marked
bundle, and referrers of the original digest, which do not apply to it, are left behind.
"""

from ocitui.core.sync.bundles.support import BundleOptions
from ocitui.core.sync.bundles.walker import MAX_DEPTH, BundleWalker

__all__ = [
    "MAX_DEPTH",
    "BundleOptions",
    "BundleWalker",
]

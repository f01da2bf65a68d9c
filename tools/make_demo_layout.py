"""(Re)build ``layouts/demo`` deterministically with ocitui's own layout store.

Usage::

    python tools/make_demo_layout.py                 # layouts/demo + layouts/README.md
    python tools/make_demo_layout.py --output DIR    # elsewhere, no README unless --readme

The target directory is deleted first (only if it is empty or an OCI layout, so a typo
cannot wipe an unrelated directory). Two runs produce byte-identical files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # Run as a script: make ``tools.demo`` importable.
    sys.path.insert(0, str(REPO_ROOT))

from ocitui.core.errors import LayoutError  # noqa: E402
from ocitui.core.layout import Layout  # noqa: E402
from ocitui.core.layout.index_file import LOCK_NAME  # noqa: E402
from tools.demo.app import build_app  # noqa: E402
from tools.demo.attachments import build_attachments  # noqa: E402
from tools.demo.catalog import Catalog, Made, render_readme  # noqa: E402
from tools.demo.imgpkg import build_bundle  # noqa: E402

DEFAULT_OUTPUT = REPO_ROOT / "layouts" / "demo"
DEFAULT_README = REPO_ROOT / "layouts" / "README.md"


@dataclass
class BuildResult:
    """What a build made, and the README describing it."""

    root: Path
    catalog: Catalog
    readme: str


def _clear(target: Path) -> None:
    """Delete ``target`` if it is an OCI layout or empty; refuse anything else."""
    if not target.exists():
        return
    if target.is_symlink() or not target.is_dir():
        raise LayoutError(f"{target}: exists and is not a directory; refusing to delete it")
    if any(target.iterdir()) and not (target / "oci-layout").is_file():
        raise LayoutError(f"{target}: not empty and not an OCI layout; refusing to delete it")
    shutil.rmtree(target)


def _strip_runtime_files(root: Path) -> None:
    """Remove the store's lock file and empty ``ingest/``: not part of the demo content."""
    (root / LOCK_NAME).unlink(missing_ok=True)
    ingest = root / "ingest"
    if ingest.is_dir() and not any(ingest.iterdir()):
        ingest.rmdir()


def layout_files(root: Path) -> dict[str, bytes]:
    """Every regular file under ``root`` by relative path (for comparisons and sizes)."""
    out: dict[str, bytes] = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return dict(sorted(out.items()))


def build(target: Path) -> BuildResult:
    """Build the demo layout into ``target`` (deleted first); returns the catalog."""
    _clear(target)
    layout = Layout.open(target, create=True)
    catalog = Catalog()
    v10, v11 = build_app(layout)
    for release, note in (
        (v10, "multi-platform app, APP_VERSION=1.0"),
        (v11, "1.0 with one changed layer, APP_VERSION=1.1"),
    ):
        entry = layout.resolve(release.ref)
        catalog.add(Made(f"app:{release.version}", entry, ref=release.ref, note=note))
    for release in (v10, v11):
        for arch, desc in release.manifests.items():
            catalog.add(
                Made(
                    f"app:{release.version} linux/{arch}",
                    desc,
                    note="gzip base layer + zstd app layer",
                )
            )
    build_attachments(layout, catalog, v10, v11)
    build_bundle(layout, catalog, v10, v11)
    _strip_runtime_files(target)
    files = layout_files(target)
    blobs = sum(1 for name in files if name.startswith("blobs/"))
    readme = render_readme(catalog, sum(len(v) for v in files.values()), blobs)
    return BuildResult(target, catalog, readme)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help=f"layout directory to (re)create (default {DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--readme",
        type=Path,
        default=None,
        help="where to write the README (default: layouts/README.md when "
        "--output is the default, otherwise none)",
    )
    parser.add_argument("--print-readme", action="store_true", help="print the README text")
    args = parser.parse_args(argv)
    output = args.output or DEFAULT_OUTPUT
    readme_path = args.readme or (DEFAULT_README if args.output is None else None)
    try:
        result = build(output)
    except LayoutError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if readme_path is not None:
        readme_path.write_text(result.readme, encoding="utf-8")
    if args.print_readme:
        print(result.readme)
    for item in result.catalog.items:
        print(f"{item.descriptor.digest}  {item.ref or item.label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

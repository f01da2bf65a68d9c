"""Rows derived from an ``inspect`` document, for screens (pure data, no layout reads).

An ``inspect`` document comes from :func:`ocitui.core.inspection.describe` (the
layout) or :func:`ocitui.core.sync.inspect_remote.remote_describe` (a registry); the CLI
prints it as JSON. Deriving the TUI's rows from the same document keeps one reading of a
manifest, its config (:func:`~ocitui.core.inspection.config_summary`), its bundle
and its referrers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.models import CREATED, Descriptor
from ocitui.core.views_text import human_size, plural


@dataclass(frozen=True)
class LayerRow:
    """One layer (or an index's child manifest) for the Layers tab."""

    index: int
    digest: Digest
    size: int
    media_type: str


@dataclass(frozen=True)
class ReferrerRow:
    """One line of the subject -> referrer tree (depth-first, ``depth`` 0 = direct)."""

    depth: int
    descriptor: Descriptor
    subject: Digest
    artifact_type: str
    created: str
    #: True: the manifest's ``subject.digest`` is the subject; False: it is not;
    #: None: the manifest could not be read.
    verified: bool | None
    source: str

    @classmethod
    def of(
        cls, depth: int, desc: Descriptor, subject: Digest, verified: bool | None, source: str
    ) -> ReferrerRow:
        """A row for ``desc`` (artifact type and creation time read from it)."""
        created = desc.annotations.get(CREATED, "-")
        return cls(depth, desc, subject, desc.artifact_type or "-", created, verified, source)


def layer_rows(info: Mapping[str, Any]) -> list[LayerRow]:
    """Layers of a manifest (or child manifests of an index) from an ``inspect`` document."""
    items = info.get("layers") or info.get("manifests") or []
    return [
        LayerRow(i, Digest.parse(item["digest"]), int(item["size"]), item["mediaType"])
        for i, item in enumerate(items)
    ]


def inspect_rows(
    info: Mapping[str, Any], *, platform: str | None = None, total: int | None = None
) -> list[tuple[str, str]]:
    """Label/value rows from an ``inspect`` document (local or remote, or a bare
    descriptor row): what it is, its config's gist, its bundle, its referrers.

    ``total`` is the size ``ls`` shows (the entry and everything it references that is
    present); the document's own size follows it, so the two faces never disagree.
    """
    own = f"{human_size(info['size'])} ({info['size']} bytes)"
    kind = "index" if "manifests" in info else "manifest"
    size = (
        own
        if total is None or total == info["size"]
        else f"{human_size(total)} ({kind} {human_size(info['size'])})"
    )
    rows = [
        ("name", info.get("ref") or "(untagged)"),
        ("digest", info["digest"]),
        ("media type", info["mediaType"]),
        ("size", size),
    ]
    config_type = (
        (info.get("config") or {}).get("mediaType")
        if isinstance(info.get("config"), dict)
        else None
    )
    # A plain image's "artifact type" is its config type: not worth a row.
    if info.get("artifactType") and info["artifactType"] not in (config_type, *mt.CONFIG_TYPES):
        rows.append(("artifact type", info["artifactType"]))
    if platform:
        rows.append(("platform", platform))
    created = (info.get("annotations") or {}).get(CREATED)
    if created:
        rows.append(("created", created))
    if "manifests" in info:
        manifests = info["manifests"]
        rows.append(("manifests", str(len(manifests))))
        platforms = [m["platform"] for m in manifests if m.get("platform")]
        rows.append(("platforms", ", ".join(platforms) or "-"))
    if "layers" in info:
        layers = info["layers"]
        rows.append(
            ("layers", f"{len(layers)} ({human_size(sum(layer['size'] for layer in layers))})")
        )
    config = info.get("config")
    if isinstance(config, dict):
        rows.append(("config", f"{config['mediaType']} {human_size(config['size'])}"))
        rows.extend(config_rows(config.get("summary") or {}, skip_platform=bool(platform)))
        if config.get("error"):
            rows.append(("config error", config["error"]))
    if info.get("subject"):
        rows.append(("subject", info["subject"]))
    rows.extend(bundle_rows(info.get("bundle")))
    if "referrers" in info:
        rows.append(("referrers", str(len(info["referrers"]))))
    legacy = info.get("legacy") or []
    if legacy:
        rows.append(("legacy tags", ", ".join(f".{item['kind']}" for item in legacy)))
    return rows


def config_rows(
    summary: Mapping[str, Any], *, skip_platform: bool = False
) -> list[tuple[str, str]]:
    """Rows from :func:`ocitui.core.inspection.config_summary` (the one extractor)."""
    rows: list[tuple[str, str]] = []
    if summary.get("platform") and not skip_platform:
        rows.append(("platform", str(summary["platform"])))
    # Reproducible builds (and imgpkg bundles) write the zero time: not a date to show.
    if summary.get("created") and not str(summary["created"]).startswith("0001-01-01"):
        rows.append(("built", str(summary["created"])))
    for key, label in (
        ("entrypoint", "entrypoint"),
        ("cmd", "cmd"),
        ("user", "user"),
        ("workingDir", "workdir"),
    ):
        value = summary.get(key)
        if value:
            rows.append(
                (label, " ".join(map(str, value)) if isinstance(value, list) else str(value))
            )
    if summary.get("env"):
        rows.append(("env", f"{len(summary['env'])} variables"))
    if summary.get("exposedPorts"):
        rows.append(("ports", ", ".join(summary["exposedPorts"])))
    if summary.get("labels"):
        rows.append(("labels", ", ".join(sorted(summary["labels"]))))
    if summary.get("history"):
        rows.append(("history", plural(int(summary["history"]), "step")))
    return rows


def bundle_rows(bundle: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Rows for the ``bundle`` part of an ``inspect`` document (none when absent)."""
    if not bundle:
        return []
    if bundle.get("error"):
        return [("imgpkg bundle", f"unreadable: {bundle['error']}")]
    images = bundle.get("images") or []
    present = sum(1 for image in images if image.get("present"))
    name = bundle.get("name") or "(unnamed)"
    return [
        ("imgpkg bundle", f"{name} ({', '.join(bundle.get('markings') or []) or '-'})"),
        ("locked images", f"{len(images)} ({present} present)"),
    ]


def referrer_rows_from_json(
    rows: Sequence[Mapping[str, Any]], subject: Digest, source: str = "registry"
) -> list[ReferrerRow]:
    """Flatten ``inspect``'s referrer tree (:func:`~ocitui.core.inspection.tree_rows`).

    Only for trees whose subjects were verified when they were read (the registry's, from
    :func:`~ocitui.core.sync.remote.remote_referrers`), so each row is marked verified.
    """
    out: list[ReferrerRow] = []

    def walk(items: Sequence[Mapping[str, Any]], parent: Digest, depth: int) -> None:
        for item in items:
            plain = {k: v for k, v in item.items() if k != "referrers" and v is not None}
            desc = Descriptor.from_json(plain, where="referrer")
            out.append(ReferrerRow.of(depth, desc, parent, True, source))
            walk(item.get("referrers") or [], desc.digest, depth + 1)

    walk(rows, subject, 0)
    return out


__all__ = [
    "LayerRow",
    "ReferrerRow",
    "bundle_rows",
    "config_rows",
    "inspect_rows",
    "layer_rows",
    "referrer_rows_from_json",
]

"""Platform matching between indexes, and between an index and a single manifest.

Index entries are keyed by platform (``linux/arm64/v8``, plus ``os.version`` when set).
Buildkit's attestation entries (``unknown/unknown``) are keyed by the platform of the
manifest they attest, so they pair up too; anything else without a platform is keyed by
its media type. Repeated keys get ``#2``, ``#3``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ocitui.core.diff.data import DiffData
from ocitui.core.models import Descriptor, Index, Platform

if TYPE_CHECKING:
    from ocitui.core.diff.engine import NodeDiff

_REF_DIGEST = "vnd.docker.reference.digest"


@dataclass(frozen=True)
class PlatformEntry(DiffData):
    """An index entry (or a single manifest) as seen by the platform diff."""

    key: str
    digest: str
    media_type: str


@dataclass(frozen=True)
class PlatformPair(DiffData):
    """Entries matched on both sides, and the diff of what they point at."""

    key: str
    a: PlatformEntry
    b: PlatformEntry
    diff: NodeDiff


@dataclass(frozen=True)
class PlatformsDiff(DiffData):
    """Platforms added and removed, and the matched pairs.

    ``mode`` is ``index-vs-index``, ``index-vs-manifest`` or ``manifest-vs-index``;
    ``note`` says in words what was compared when one side is a single manifest.
    """

    mode: str
    added: tuple[PlatformEntry, ...] = ()
    removed: tuple[PlatformEntry, ...] = ()
    common: tuple[PlatformPair, ...] = ()
    note: str | None = None

    @property
    def count(self) -> int:
        """Platforms present on one side only."""
        return len(self.added) + len(self.removed)


def platform_key(platform: Platform) -> str:
    """``linux/arm64/v8``, with `` os.version`` appended when the entry has one."""
    text = str(platform)
    return f"{text} {platform.os_version}" if platform.os_version else text


def entry_keys(index: Index) -> list[tuple[str, Descriptor]]:
    """Each entry of ``index`` with its key, in index order."""
    runnable = {
        str(d.digest): platform_key(d.platform)
        for d in index.manifests
        if d.platform is not None and not d.platform.is_unknown
    }
    out: list[tuple[str, Descriptor]] = []
    used: dict[str, int] = {}
    for desc in index.manifests:
        if desc.platform is not None and not desc.platform.is_unknown:
            key = platform_key(desc.platform)
        elif desc.annotations.get(_REF_DIGEST) in runnable:
            key = f"attestation for {runnable[desc.annotations[_REF_DIGEST]]}"
        elif desc.platform is not None:
            key = platform_key(desc.platform)
        else:
            key = f"(no platform) {desc.artifact_type or desc.media_type}"
        used[key] = used.get(key, 0) + 1
        out.append((f"{key} #{used[key]}" if used[key] > 1 else key, desc))
    return out


def config_platform(config: dict[str, Any] | None) -> Platform | None:
    """The platform an image config declares (``os``/``architecture``/``variant``)."""
    if not config:
        return None
    os_, arch = config.get("os"), config.get("architecture")
    if not isinstance(os_, str) or not isinstance(arch, str):
        return None
    variant = config.get("variant")
    return Platform(os_, arch, variant if isinstance(variant, str) and variant else None)


def match_single(index: Index, platform: Platform | None) -> tuple[str, Descriptor] | None:
    """The entry of ``index`` to compare a single manifest of ``platform`` with.

    The first runnable entry whose platform matches; else the only runnable entry.
    """
    keyed = entry_keys(index)
    runnable = [(k, d) for k, d in keyed if d.platform is not None and not d.platform.is_unknown]
    if platform is not None:
        wanted = (platform.os, platform.architecture, platform.variant)
        exact = [
            (k, d)
            for k, d in runnable
            if d.platform is not None
            and (d.platform.os, d.platform.architecture, d.platform.variant) == wanted
        ]
        loose = [
            (k, d) for k, d in runnable if d.platform is not None and d.platform.matches(platform)
        ]
        for candidates in (exact, loose):
            if candidates:
                return candidates[0]
    if len(runnable) == 1:
        return runnable[0]
    return None

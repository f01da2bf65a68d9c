"""What a sync takes along: platforms (N of M), referrer artifact types, referrers at all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ocitui.core.models import Descriptor, Platform

#: buildkit's attestation manifests name the platform manifest they describe.
DOCKER_REFERENCE_DIGEST = "vnd.docker.reference.digest"


@dataclass(frozen=True)
class SyncFilter:
    """Which parts of a graph to copy; everything else is reported as left behind."""

    platforms: tuple[Platform, ...] = ()
    artifact_types: tuple[str, ...] = ()
    exclude_artifact_types: tuple[str, ...] = ()
    referrers: bool = True

    @classmethod
    def build(
        cls,
        platforms: Sequence[str] = (),
        artifact_types: Sequence[str] = (),
        exclude_artifact_types: Sequence[str] = (),
        *,
        referrers: bool = True,
    ) -> SyncFilter:
        """Parse CLI-style strings (``linux/arm64/v8``)."""
        return cls(
            tuple(Platform.parse(p) for p in platforms),
            tuple(artifact_types),
            tuple(exclude_artifact_types),
            referrers,
        )

    def wants_platform(self, entry: Descriptor) -> bool:
        """True for an index entry whose platform was asked for (or with no filter)."""
        if not self.platforms or entry.platform is None:
            return True
        return any(entry.platform.matches(p) for p in self.platforms)

    def wants_artifact_type(self, artifact_type: str | None) -> bool:
        """True when a referrer of ``artifact_type`` passes the include/exclude filters."""
        if artifact_type in self.exclude_artifact_types:
            return False
        return not self.artifact_types or artifact_type in self.artifact_types

    def select_children(
        self, children: Sequence[Descriptor]
    ) -> tuple[list[Descriptor], list[Descriptor]]:
        """Split an index's entries into (kept, left behind).

        buildkit's ``unknown/unknown`` attestation entries follow the platform manifest
        they describe, so a filtered pull keeps the provenance of what it keeps.
        """
        if not self.platforms:
            return list(children), []
        kept: list[Descriptor] = []
        dropped: list[Descriptor] = []
        runnable = [c for c in children if not (c.platform and c.platform.is_unknown)]
        chosen = {c.digest for c in runnable if self.wants_platform(c)}
        for child in children:
            if child.platform is not None and child.platform.is_unknown:
                target = child.annotations.get(DOCKER_REFERENCE_DIGEST)
                keep = target is not None and target in {str(d) for d in chosen}
            else:
                keep = child.digest in chosen
            (kept if keep else dropped).append(child)
        return kept, dropped

    def to_json(self) -> dict[str, Any]:
        """The filter as JSON (for the plan)."""
        return {
            "platforms": [str(p) for p in self.platforms],
            "artifactTypes": list(self.artifact_types),
            "excludeArtifactTypes": list(self.exclude_artifact_types),
            "referrers": self.referrers,
        }


def platforms_label(children: Sequence[Descriptor]) -> str:
    """``linux/amd64,linux/arm64`` for the runnable platforms among ``children``."""
    names = [
        str(c.platform) for c in children if c.platform is not None and not c.platform.is_unknown
    ]
    return ",".join(dict.fromkeys(names))

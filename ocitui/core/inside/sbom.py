"""SBOM documents (SPDX JSON 2.x, CycloneDX JSON) as one typed package table.

Only what a person scans for is kept: name, version, licence, PURL, and the document's
own name, format and tool. Anything else stays in the raw JSON (the blob view).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ocitui.core.errors import ManifestError
from ocitui.core.models import load_json

SPDX_TYPES = ("application/spdx+json", "text/spdx+json")
CYCLONEDX_TYPES = ("application/vnd.cyclonedx+json",)
#: SBOMs are read whole; refuse absurd ones rather than hold them in memory.
MAX_SBOM_SIZE = 64 * 1024 * 1024


@dataclass(frozen=True)
class Package:
    """One row of the package table (``""`` where the SBOM says nothing)."""

    name: str
    version: str
    license: str
    purl: str


@dataclass(frozen=True)
class Sbom:
    """An SBOM read into a package table."""

    format: str
    name: str
    creators: tuple[str, ...]
    packages: tuple[Package, ...]
    files: int

    def search(self, text: str) -> list[Package]:
        """Packages whose name, version, licence or PURL contains ``text`` (any case)."""
        needle = text.strip().lower()
        if not needle:
            return list(self.packages)
        return [
            p
            for p in self.packages
            if any(needle in field.lower() for field in (p.name, p.version, p.license, p.purl))
        ]


def is_sbom_type(media_type: str) -> bool:
    """True for the SPDX and CycloneDX JSON media types."""
    return media_type in SPDX_TYPES or media_type in CYCLONEDX_TYPES


def _text(value: Any) -> str:
    if value is None or value in ("NOASSERTION", "NONE"):
        return ""
    return str(value)


def _spdx(doc: dict[str, Any]) -> Sbom:
    packages = []
    for item in doc.get("packages") or []:
        if not isinstance(item, dict):
            continue
        purl = next(
            (
                str(ref.get("referenceLocator", ""))
                for ref in item.get("externalRefs") or []
                if isinstance(ref, dict) and ref.get("referenceType") == "purl"
            ),
            "",
        )
        licence = _text(item.get("licenseConcluded")) or _text(item.get("licenseDeclared"))
        packages.append(
            Package(_text(item.get("name")), _text(item.get("versionInfo")), licence, purl)
        )
    info = doc.get("creationInfo") if isinstance(doc.get("creationInfo"), dict) else {}
    creators = tuple(str(c) for c in (info or {}).get("creators") or [])
    version = str(doc.get("spdxVersion") or "SPDX")
    files = len(doc.get("files") or [])
    return Sbom(version, _text(doc.get("name")), creators, tuple(packages), files)


def _cyclonedx_licence(item: dict[str, Any]) -> str:
    names = []
    for entry in item.get("licenses") or []:
        if not isinstance(entry, dict):
            continue
        if entry.get("expression"):
            names.append(str(entry["expression"]))
        licence = entry.get("license")
        if isinstance(licence, dict):
            names.append(str(licence.get("id") or licence.get("name") or ""))
    return " AND ".join(n for n in names if n)


def _cyclonedx(doc: dict[str, Any]) -> Sbom:
    packages: list[Package] = []
    stack = [c for c in doc.get("components") or [] if isinstance(c, dict)]
    while stack:  # Components nest (a component's own components); keep document order.
        item = stack.pop(0)
        packages.append(
            Package(
                _text(item.get("name")),
                _text(item.get("version")),
                _cyclonedx_licence(item),
                _text(item.get("purl")),
            )
        )
        stack[0:0] = [c for c in item.get("components") or [] if isinstance(c, dict)]
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    component = (meta or {}).get("component")
    name = _text(component.get("name")) if isinstance(component, dict) else ""
    tools = (meta or {}).get("tools") or []
    if isinstance(tools, dict):  # CycloneDX 1.5 moved tools under "components".
        tools = tools.get("components") or []
    creators = tuple(_text(t.get("name")) for t in tools if isinstance(t, dict) and t.get("name"))
    version = f"CycloneDX {_text(doc.get('specVersion'))}".strip()
    return Sbom(version, name, creators, tuple(packages), 0)


def parse_sbom(raw: bytes) -> Sbom:
    """Read an SPDX or CycloneDX JSON document (told apart by content, not media type)."""
    doc = load_json(raw, "SBOM")
    if "spdxVersion" in doc:
        return _spdx(doc)
    if doc.get("bomFormat") == "CycloneDX" or "components" in doc:
        return _cyclonedx(doc)
    raise ManifestError("not an SPDX or CycloneDX JSON document")


__all__ = ["MAX_SBOM_SIZE", "Package", "Sbom", "is_sbom_type", "parse_sbom"]

"""The payload documents attached to the app: an SPDX 2.3 SBOM and SLSA v1 provenance."""

from __future__ import annotations

import hashlib
from typing import Any

from tools.demo.app import REPOSITORY, REVISION, SOURCE, Release


def spdx_document(release: Release) -> dict[str, Any]:
    """A small SPDX 2.3 document: the app, its base OS, and the files of amd64."""
    files = [
        f
        for layer in release.layers["amd64"]
        for f in layer.files
        if not f.path.rsplit("/", 1)[-1].startswith(".wh.")
    ]
    spdx_files = [
        {
            "fileName": f"./{f.path}",
            "SPDXID": f"SPDXRef-File-{i}",
            "checksums": [
                {"algorithm": "SHA1", "checksumValue": hashlib.sha1(f.data).hexdigest()},
                {"algorithm": "SHA256", "checksumValue": hashlib.sha256(f.data).hexdigest()},
            ],
            "licenseConcluded": "NOASSERTION",
            "copyrightText": "NOASSERTION",
        }
        for i, f in enumerate(sorted(files, key=lambda f: f.path))
    ]
    # SPDX 2.3 §7.9: SHA1 over the sorted, concatenated SHA1s of the package's files.
    sha1s = sorted(hashlib.sha1(f.data).hexdigest() for f in files)
    verification = hashlib.sha1("".join(sha1s).encode()).hexdigest()
    index_hex = release.index.digest.encoded
    purl = f"pkg:oci/app@sha256%3A{index_hex}?repository_url={REPOSITORY}"
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"{REPOSITORY}:{release.version}",
        "documentNamespace": f"https://registry.example.com/spdx/demo/app-{release.version}-"
        f"{index_hex[:16]}",
        "creationInfo": {
            "created": created_at(release, minutes=5),
            "creators": ["Tool: ocitui-demo-generator", "Organization: Demo Authors"],
        },
        "packages": [
            {
                "name": "demo-app",
                "SPDXID": "SPDXRef-Package-demo-app",
                "versionInfo": release.version,
                "supplier": "Organization: Demo Authors",
                "downloadLocation": f"git+{SOURCE}@{REVISION[release.version]}",
                "filesAnalyzed": True,
                "packageVerificationCode": {"packageVerificationCodeValue": verification},
                "licenseConcluded": "Apache-2.0",
                "licenseDeclared": "Apache-2.0",
                "copyrightText": "Copyright 2026 The Demo Authors",
                "externalRefs": [
                    {
                        "referenceCategory": "PACKAGE-MANAGER",
                        "referenceType": "purl",
                        "referenceLocator": purl,
                    }
                ],
                "hasFiles": [f["SPDXID"] for f in spdx_files],
            },
            {
                "name": "demoos-base",
                "SPDXID": "SPDXRef-Package-demoos-base",
                "versionInfo": "3.2",
                "supplier": "Organization: DemoOS Project",
                "downloadLocation": "https://os.example.com/releases/3.2/base.tar",
                "filesAnalyzed": False,
                "licenseConcluded": "MIT",
                "licenseDeclared": "MIT",
                "copyrightText": "NOASSERTION",
            },
        ],
        "files": spdx_files,
        "relationships": [
            {
                "spdxElementId": "SPDXRef-DOCUMENT",
                "relationshipType": "DESCRIBES",
                "relatedSpdxElement": "SPDXRef-Package-demo-app",
            },
            {
                "spdxElementId": "SPDXRef-Package-demo-app",
                "relationshipType": "DEPENDS_ON",
                "relatedSpdxElement": "SPDXRef-Package-demoos-base",
            },
        ],
    }


def created_at(release: Release, minutes: int) -> str:
    """The release's creation time plus ``minutes`` (attachments come a bit later)."""
    day = "01" if release.version == "1.0" else "02"
    return f"2026-{day}-01T00:{minutes:02d}:00Z"


def provenance(release: Release) -> dict[str, Any]:
    """A SLSA v1 provenance predicate for ``release`` (fictional CI)."""
    return {
        "buildDefinition": {
            "buildType": "https://ci.example.com/buildtypes/container@v1",
            "externalParameters": {
                "source": f"git+{SOURCE}@refs/tags/v{release.version}",
                "dockerfile": "Dockerfile",
                "platforms": ["linux/amd64", "linux/arm64/v8"],
            },
            "internalParameters": {"builder_image": "registry.example.com/ci/buildkit:0.19"},
            "resolvedDependencies": [
                {
                    "uri": f"git+{SOURCE}@refs/tags/v{release.version}",
                    "digest": {"gitCommit": REVISION[release.version]},
                }
            ],
        },
        "runDetails": {
            "builder": {"id": "https://ci.example.com/builders/container-builder@v1"},
            "metadata": {
                "invocationId": f"https://ci.example.com/runs/{release.version.replace('.', '')}42",
                "startedOn": created_at(release, 0),
                "finishedOn": created_at(release, 3),
            },
        },
    }

"""Real cosign v3 signatures and attestations, moved or altered after signing, are refused.

cosign signs and attests the demo's app:1.1 in a docker-registry (Sigstore bundles as
OCI 1.1 referrers, and a legacy ``.sig`` tag); ocitui pulls app:1.1 and app:1.0. Then the
signed material is replayed onto app:1.0 (the same bundle under a new ``subject``; the
same ``.sig`` image under app:1.0's tag) or edited (the statement's subject rewritten,
the signature kept): ``ocitui verify`` must refuse each, naming why, while app:1.1 keeps
passing. Skipped locally without cosign, required in CI.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ocitui.core import media_types as mt
from ocitui.core.layout import Layout
from ocitui.core.models import Document
from tests.realworld.cli import ocitui
from tests.support.binaries import need
from tests.support.layouts import DEMO_LAYOUT
from tests.support.registries import DockerRegistry

pytestmark = pytest.mark.e2e

FLAGS = ["--allow-http-registry", "--allow-insecure-registry"]
PROVENANCE = "https://slsa.dev/provenance/v1"


def _cosign(home: Path, *argv: str) -> None:
    env = {**os.environ, "COSIGN_PASSWORD": "ocitui-test", "COSIGN_YES": "true", "HOME": str(home)}
    done = subprocess.run(
        [need("cosign"), *argv], cwd=home, env=env, capture_output=True, text=True,
        timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, (argv, done.stderr)


def _verify(layout: Path, ref: str, pub: Path, *more: str) -> tuple[int, dict[str, Any]]:
    done = ocitui("--layout", str(layout), "verify", ref, "--key", str(pub), *more, "--json")
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.fixture(scope="module")
def signed(
    docker_registry: DockerRegistry, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, str]:
    """(layout holding the signed app:1.1 and the unsigned app:1.0, public key, repo)."""
    repo = f"{docker_registry.host}/tamper/app"
    for tag in ("1.0", "1.1"):
        done = ocitui("--layout", str(DEMO_LAYOUT), "push", f"app:{tag}", f"{repo}:{tag}")
        assert done.returncode == 0, done.stderr
    home = tmp_path_factory.mktemp("cosign-home")
    _cosign(home, "generate-key-pair")
    image = f"{repo}@{Layout.open(DEMO_LAYOUT).resolve('app:1.1').digest}"
    common = ["--key", "cosign.key", "--tlog-upload=false", "--use-signing-config=false", *FLAGS]
    _cosign(home, "sign", *common, image)
    _cosign(home, "sign", *common, "--new-bundle-format=false", image)
    (home / "predicate.json").write_text('{"buildType": "https://example.com/build"}')
    _cosign(
        home, "attest", *common, "--type", "slsaprovenance1", "--predicate", "predicate.json",
        image,
    )  # fmt: skip
    layout = tmp_path_factory.mktemp("tamper") / "layout"
    for tag in ("1.0", "1.1"):
        done = ocitui("--layout", str(layout), "pull", f"{repo}:{tag}")
        assert done.returncode == 0, done.stdout + done.stderr
    return layout, home / "cosign.pub", repo


def _copy(signed: tuple[Path, Path, str], copy: Path) -> tuple[Path, Layout, Document, Document]:
    """A copy of the pulled layout to alter: (its path, it, app:1.1, app:1.0)."""
    where, _pub, repo = signed
    subprocess.run(["cp", "-r", str(where), str(copy)], check=True)
    layout = Layout.open(copy)
    signed_image = layout.get_document(layout.resolve(f"{repo}:1.1").digest)
    return copy, layout, signed_image, layout.get_document(layout.resolve(f"{repo}:1.0").digest)


def _bundles(layout: Layout, subject: Document) -> list[Document]:
    found = layout.referrers(subject.digest, [mt.SIGSTORE_BUNDLE])
    return [layout.get_document(d.digest, d.media_type) for d in found]


def _re_subject(layout: Layout, doc: Document, subject: Document, layers: Any = None) -> str:
    """Store ``doc`` with ``subject`` (and ``layers``) in its place as a new referrer."""
    body = json.loads(doc.raw)
    body["subject"] = subject.descriptor().to_json()
    if layers is not None:
        body["layers"] = layers
    stored = layout.add_referrer(
        layout.get_document(layout.put_document(json.dumps(body).encode(), mt.OCI_MANIFEST).digest)
    )
    return str(stored.digest)


def test_cosign_v3_material_verifies_where_it_was_made(signed: tuple[Path, Path, str]) -> None:
    where, pub, repo = signed
    code, report = _verify(where, f"{repo}:1.1", pub, "--type", PROVENANCE)
    assert code == 0, report
    forms = sorted(s["form"].split(" (")[0] for s in report["images"][0]["signatures"])
    assert forms == ["cosign simple signing", "sigstore bundle", "sigstore bundle"], forms
    assert all(s["verdict"] == "pass" for s in report["images"][0]["signatures"])
    assert _verify(where, f"{repo}:1.0", pub)[0] == 1  # Nothing signs app:1.0.


def test_replayed_bundles_and_legacy_signature_are_refused(
    signed: tuple[Path, Path, str], tmp_path: Path
) -> None:
    _where, pub, repo = signed
    copy, layout, signed_image, target = _copy(signed, tmp_path / "replayed")
    replayed = {_re_subject(layout, doc, target) for doc in _bundles(layout, signed_image)}
    assert len(replayed) == 2  # The signature and the attestation.
    legacy = layout.resolve(f"{repo}:sha256-{signed_image.digest.encoded}.sig")
    layout.set_tag(f"{repo}:sha256-{target.digest.encoded}.sig", legacy)

    code, report = _verify(copy, f"{repo}:1.0", pub, "--type", PROVENANCE)
    assert code == 1, report
    # Every signature fails: the replayed ones and the demo's own (another key).
    found = report["images"][0]["signatures"]
    assert all(s["verdict"] == "fail" for s in found), found
    moved = [s for s in found if s["source"] in replayed or s["form"] == "cosign simple signing"]
    assert len(moved) == 3, found
    assert all(signed_image.digest.short in s["reason"] for s in moved), moved


def test_an_edited_statement_is_refused(signed: tuple[Path, Path, str], tmp_path: Path) -> None:
    """The attestation's statement is pointed at app:1.0 (payload edited, signature
    kept): the signature no longer matches."""
    _where, pub, repo = signed
    copy, layout, signed_image, target = _copy(signed, tmp_path / "edited")
    edited: list[str] = []
    for doc in _bundles(layout, signed_image):
        layer = json.loads(doc.raw)["layers"][0]
        bundle = json.loads(layout.read_blob(layout.get_document(doc.digest).children()[1].digest))
        envelope = bundle["dsseEnvelope"]
        statement = base64.b64decode(envelope["payload"]).decode()
        assert signed_image.digest.encoded in statement
        envelope["payload"] = base64.b64encode(
            statement.replace(signed_image.digest.encoded, target.digest.encoded).encode()
        ).decode()
        raw = json.dumps(bundle).encode()
        layer.update(digest=str(layout.put_blob(raw)), size=len(raw))
        edited.append(_re_subject(layout, doc, target, [layer]))
    code, report = _verify(copy, f"{repo}:1.0", pub, "--type", PROVENANCE)
    assert code == 1, report
    verdicts = {s["source"]: s for s in report["images"][0]["signatures"]}
    assert set(edited) <= set(verdicts)
    assert all(verdicts[d]["verdict"] == "fail" for d in edited), verdicts
    assert all("does not verify" in verdicts[d]["reason"] for d in edited), verdicts

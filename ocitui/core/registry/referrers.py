"""Referrers: the API, the ``<alg>-<hex>`` fallback tag index, and cosign's legacy tags.

``referrers_mode`` picks the source: ``api`` (only the API), ``tag`` (only the fallback tag)
or ``auto`` (the API when the registry has it, probed once per repository and cached).
Pushing a manifest with a ``subject`` to a registry that did not acknowledge it with
``OCI-Subject`` maintains the fallback index: GET, merge, PUT, re-GET to confirm, retried
with backoff when another writer won the race; writers in this process are serialised per
(repository, subject).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from ocitui.core import media_types as mt
from ocitui.core.digest import Digest
from ocitui.core.errors import ManifestError, RegistryError
from ocitui.core.limits import LISTING_PAGES, REFERRER_FANOUT
from ocitui.core.models import Descriptor, Index, canonical_json, parse_document
from ocitui.core.reference import Reference, is_valid_tag
from ocitui.core.registry.base import PUSH, PushedManifest
from ocitui.core.registry.connections import release
from ocitui.core.registry.httputil import next_link, with_query
from ocitui.core.registry.manifests import ManifestOps

ZERO_DIGEST = Digest("sha256", "0" * 64)
LEGACY_SUFFIXES = ("sig", "att", "sbom")
_FALLBACK_ATTEMPTS = 5


def _wanted(desc: Descriptor, artifact_types: Sequence[str]) -> bool:
    return not artifact_types or desc.artifact_type in artifact_types


class ReferrerOps(ManifestOps):
    """Referrers listing and fallback-tag maintenance."""

    _api_support: dict[tuple[str, str], bool]
    _fallback_locks: dict[tuple[str, str, str], asyncio.Lock]

    async def supports_referrers_api(self, repo: Reference) -> bool:
        """Probe (once per repository) whether the registry serves the referrers API."""
        key = (repo.registry, repo.repository)
        if key not in self._api_support:
            response = await self.send(
                "GET",
                repo,
                self.repo_url(repo, f"referrers/{ZERO_DIGEST}"),
                headers={"Accept": mt.OCI_INDEX},
            )
            content_type = mt.strip_parameters(response.headers.get("content-type", ""))
            if response.status_code == 200 and content_type == mt.OCI_INDEX:
                await release(response)
                self._api_support[key] = True
            elif response.status_code in (200, 404, 400, 405):
                err = await self._session.fail(response, self.where(repo), "referrers probe")
                if err.code == "NAME_UNKNOWN":
                    return False  # the repository is missing: learn nothing yet
                self._api_support[key] = False
            else:
                raise await self._session.fail(response, self.where(repo), "referrers probe")
        return self._api_support[key]

    async def referrers(
        self, repo: Reference, subject: Digest, artifact_types: Sequence[str] = ()
    ) -> list[Descriptor]:
        """Descriptors of the manifests whose ``subject`` is ``subject`` (unverified hints)."""
        mode = self.options.referrers_mode
        key = (repo.registry, repo.repository)
        if mode == "tag" or (mode == "auto" and self._api_support.get(key) is False):
            return await self._from_tag(repo, subject, artifact_types)
        found = await self._from_api(repo, subject, artifact_types)
        if found is not None:
            self._api_support[key] = True
            return found
        if mode == "api":
            raise RegistryError(f"{self.where(repo)}: registry has no referrers API", status=404)
        self._api_support[key] = False
        return await self._from_tag(repo, subject, artifact_types)

    async def _from_api(
        self, repo: Reference, subject: Digest, artifact_types: Sequence[str]
    ) -> list[Descriptor] | None:
        where = self.where(repo)
        url: str | None = self.repo_url(repo, f"referrers/{subject}")
        if len(artifact_types) == 1 and url is not None:
            url = with_query(url, "artifactType", artifact_types[0])
        out: list[Descriptor] = []
        seen: set[str] = set()
        max_pages, max_referrers = LISTING_PAGES.int_value(), REFERRER_FANOUT.int_value()
        while url is not None and url not in seen:
            if len(seen) >= max_pages:
                raise RegistryError(
                    f"{where}: referrers of {subject.short} run past {max_pages} pages "
                    f"(OCITUI_MAX_PAGES)"
                )
            seen.add(url)
            response = await self.send("GET", repo, url, headers={"Accept": mt.OCI_INDEX})
            if response.status_code == 404 and not out:
                await release(response)
                return None
            if response.status_code != 200:
                raise await self._session.fail(response, where, "referrers listing")
            applied = response.headers.get("oci-filters-applied", "")
            link, page_url = response.headers.get("link"), str(response.request.url)
            raw = await self._session.read(response, self.options.max_manifest_size, where)
            page = parse_document(raw, mt.OCI_INDEX, max_size=self.options.max_manifest_size)
            if not isinstance(page, Index):
                raise ManifestError(f"{where}: referrers response is not an index")
            filtered = "artifacttype" in applied.lower().replace(" ", "").split(",")
            out.extend(d for d in page.manifests if filtered or _wanted(d, artifact_types))
            if len(out) > max_referrers:
                raise RegistryError(
                    f"{where}: {subject.short} has more than {max_referrers} referrers "
                    f"(OCITUI_MAX_REFERRERS)"
                )
            url = next_link(link, page_url)
        return out

    async def _fallback_index(self, repo: Reference, subject: Digest) -> Index | None:
        """The fallback tag's index, None when absent; ManifestError when it is not one."""
        tag_ref = repo.with_tag(subject.tag_form)
        try:
            fetched = await self.get_manifest(tag_ref)
        except RegistryError as exc:
            if exc.status == 404:
                return None
            raise
        doc = parse_document(
            fetched.raw, fetched.media_type, max_size=self.options.max_manifest_size
        )
        if not isinstance(doc, Index) or doc.media_type != mt.OCI_INDEX:
            raise ManifestError(f"{self.where(tag_ref)}:{subject.tag_form} is not an OCI index")
        return doc

    async def _from_tag(
        self, repo: Reference, subject: Digest, artifact_types: Sequence[str]
    ) -> list[Descriptor]:
        try:
            index = await self._fallback_index(repo, subject)
        except ManifestError as exc:
            self._session.warn(f"ignoring referrers tag: {exc}")
            return []
        if index is None:
            return []
        found = [d for d in index.manifests if _wanted(d, artifact_types)]
        if len(found) > REFERRER_FANOUT.int_value():
            raise RegistryError(
                f"{self.where(repo)}: {subject.short} has more than "
                f"{REFERRER_FANOUT.int_value()} referrers (OCITUI_MAX_REFERRERS)"
            )
        return found

    async def after_subject_push(
        self,
        ref: Reference,
        pushed: PushedManifest,
        doc: dict[str, object],
        oci_subject: str | None,
    ) -> str | None:
        """Record support on ``OCI-Subject``; otherwise keep the fallback tag index."""
        mode = self.options.referrers_mode
        key = (ref.registry, ref.repository)
        if oci_subject and mode != "tag":
            self._api_support[key] = True
            return "api"
        if mode == "api":
            self._session.warn(f"{self.where(ref)}: pushed a referrer without OCI-Subject")
            return None
        self._api_support.setdefault(key, False)
        subject = Descriptor.from_json(doc["subject"], where="subject")
        entry = pushed.descriptor().with_changes(
            artifact_type=mt.effective_artifact_type(doc),
            annotations=dict(doc.get("annotations") or {}),  # type: ignore[call-overload]
        )
        lock = self._fallback_locks.setdefault(
            (ref.registry, ref.repository, str(subject.digest)), asyncio.Lock()
        )
        async with lock:
            await self._add_to_fallback(ref, subject.digest, entry)
        return "tag"

    async def _add_to_fallback(self, ref: Reference, subject: Digest, entry: Descriptor) -> None:
        tag_ref = ref.with_tag(subject.tag_form)
        for attempt in range(_FALLBACK_ATTEMPTS):
            index = await self._fallback_index(ref, subject)
            current = list(index.manifests) if index is not None else []
            if any(d.digest == entry.digest for d in current):
                return
            doc = {
                "schemaVersion": 2,
                "mediaType": mt.OCI_INDEX,
                "manifests": [d.to_json() for d in [*current, entry]],
            }
            raw = canonical_json(doc)
            response = await self.send(
                "PUT",
                tag_ref,
                self.repo_url(tag_ref, f"manifests/{subject.tag_form}"),
                actions=PUSH,
                headers={"Content-Type": mt.OCI_INDEX},
                body=raw,
            )
            if response.status_code not in (200, 201, 202):
                raise await self._session.fail(response, self.where(ref), "referrers tag update")
            await release(response)
            confirmed = await self._fallback_index(ref, subject)
            if confirmed is not None and any(d.digest == entry.digest for d in confirmed.manifests):
                return
            await self._session.backoff(attempt)
        raise RegistryError(
            f"{self.where(ref)}: lost the race to update referrers tag {subject.tag_form}"
        )

    async def legacy_attachments(self, repo: Reference, digest: Digest) -> dict[str, Descriptor]:
        """cosign's ``<alg>-<hex>.sig/.att/.sbom`` tags that exist, by suffix (HEAD only)."""
        found: dict[str, Descriptor] = {}
        for suffix in LEGACY_SUFFIXES:
            tag = f"{digest.algorithm}-{digest.encoded}.{suffix}"
            if not is_valid_tag(tag):
                continue
            desc = await self.head_manifest(repo.with_tag(tag))
            if desc is not None:
                found[suffix] = desc
        return found

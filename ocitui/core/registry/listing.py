"""Tag and repository listing, following ``Link: <...>; rel="next"`` pagination."""

from __future__ import annotations

from collections.abc import Sequence

from ocitui.core.errors import ManifestError, RegistryError
from ocitui.core.limits import LISTING_PAGES
from ocitui.core.models import load_json
from ocitui.core.reference import Reference
from ocitui.core.registry.base import ClientBase
from ocitui.core.registry.connections import release
from ocitui.core.registry.httputil import next_link


class ListingOps(ClientBase):
    """Tags list and catalog."""

    async def _pages(
        self,
        registry: str,
        url: str,
        key: str,
        scopes: Sequence[str],
        where: str,
        *,
        max_pages: int | None = None,
    ) -> list[str]:
        seen_urls: set[str] = set()
        out: list[str] = []
        next_url: str | None = url
        max_pages = max_pages or LISTING_PAGES.int_value()
        while next_url is not None and next_url not in seen_urls:
            if len(seen_urls) >= max_pages:
                raise RegistryError(
                    f"{where}: {key} listing runs past {max_pages} pages (OCITUI_MAX_PAGES)"
                )
            seen_urls.add(next_url)
            response = await self._session.request(
                "GET", next_url, registry=registry, scopes=scopes, where=where
            )
            if response.status_code != 200:
                if response.status_code == 404 and key == "tags":
                    err = await self._session.fail(response, where, "tag listing")
                    if err.code in ("NAME_UNKNOWN", None):
                        return []
                    raise err
                raise await self._session.fail(response, where, f"{key} listing")
            link = response.headers.get("link")
            page_url = str(response.request.url)
            raw = await self._session.read(response, self.options.max_manifest_size, where)
            try:
                doc = load_json(raw, f"{where} {key} list")
            except ManifestError as exc:
                raise RegistryError(str(exc)) from None
            items = doc.get(key)
            if isinstance(items, list):
                out.extend(i for i in items if isinstance(i, str))
            next_url = next_link(link, page_url)
        return out

    async def list_tags(
        self, repo: Reference, *, page_size: int | None = None, max_pages: int | None = None
    ) -> list[str]:
        """Every tag of ``repo`` (a repository the registry does not know has none).

        ``page_size`` asks for pages of ``n`` tags; the ``Link`` chain is followed either way,
        for at most ``max_pages`` pages (default ``OCITUI_MAX_PAGES``; past it, an error).
        """
        tail = "tags/list" if page_size is None else f"tags/list?n={int(page_size)}"
        return await self._pages(
            repo.registry,
            self.repo_url(repo, tail),
            "tags",
            self.scopes(repo),
            self.where(repo),
            max_pages=max_pages,
        )

    async def catalog(self, registry: str) -> list[str]:
        """Every repository the registry lists (best effort: often filtered or disabled)."""
        return await self._pages(
            registry,
            self._session.url(registry, "/v2/_catalog"),
            "repositories",
            ["registry:catalog:*"],
            registry,
        )

    async def ping(self, registry: str) -> None:
        """``GET /v2/``: succeed when the registry answers (authenticating if it asks)."""
        response = await self._session.request(
            "GET",
            self._session.url(registry, "/v2/"),
            registry=registry,
            scopes=[],
            where=registry,
        )
        if response.status_code != 200:
            raise await self._session.fail(response, registry, "version check")
        await release(response)

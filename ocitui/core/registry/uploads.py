"""One blob upload session: the ``Location`` chain, chunked ``PATCH``es, the closing ``PUT``.

The registry's ``Location`` is used verbatim (relative ones resolved against the request
URL, query kept); each answer's ``Location`` replaces the previous one. An out-of-order
chunk (416) is recovered by asking the session where it stands.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, BinaryIO

import httpx

from ocitui.core.errors import DigestMismatch, RegistryError
from ocitui.core.models import Descriptor
from ocitui.core.reference import Reference
from ocitui.core.registry.base import PUSH
from ocitui.core.registry.connections import release
from ocitui.core.registry.httputil import resolve_location, upload_offset, with_query

if TYPE_CHECKING:
    from ocitui.core.registry.base import ClientBase

Progress = Callable[[int], None] | None


class UploadSession:
    """An open upload at ``location`` on ``repo``."""

    def __init__(
        self,
        client: ClientBase,
        repo: Reference,
        where: str,
        location: str,
        *,
        min_chunk: int | None = None,
    ) -> None:
        self.client = client
        self.repo = repo
        self.where = where
        self.location = location
        self.min_chunk = min_chunk

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        body: bytes | Callable[[], AsyncIterator[bytes]] | None = None,
    ) -> httpx.Response:
        """A request on the session URL (credentials only if it is the registry's origin)."""
        return await self.client.send(
            method, self.repo, url, actions=PUSH, headers=headers, body=body
        )

    def follow(self, response: httpx.Response) -> None:
        """Take the next ``Location`` the registry gave, if any."""
        if response.headers.get("location"):
            self.location = resolve_location(response.request.url, response.headers["location"])

    async def restart(self) -> UploadSession:
        """Open a fresh session on the same repository (after a refused monolithic PUT)."""
        url = self.client.repo_url(self.repo, "blobs/uploads/")
        response = await self.send("POST", url, headers={"Content-Length": "0"}, body=b"")
        if response.status_code != 202:
            raise await self.client._session.fail(response, self.where, "upload start")
        await release(response)
        return UploadSession(
            self.client,
            self.repo,
            self.where,
            resolve_location(response.request.url, response.headers.get("location")),
            min_chunk=self.min_chunk,
        )

    async def finish(self, response: httpx.Response, desc: Descriptor) -> None:
        """Check the closing answer: 201, and the digest the registry says it stored."""
        if response.status_code not in (201, 204):
            raise await self.client._session.fail(response, self.where, "upload")
        await release(response)
        claimed = response.headers.get("docker-content-digest")
        if (
            claimed
            and claimed.strip() != str(desc.digest)
            and claimed.startswith(desc.digest.algorithm + ":")
        ):
            raise DigestMismatch(f"{self.where}: registry stored {claimed.strip()[:80]}")

    async def status(self, confirmed: int) -> int:
        """Ask the registry how many bytes it holds (``GET <location>`` -> 204 + Range).

        ``confirmed`` (bytes acknowledged so far) settles distribution's ambiguous ``0-0``.
        """
        response = await self.send("GET", self.location, headers={})
        if response.status_code != 204:
            raise await self.client._session.fail(response, self.where, "upload status")
        await release(response)
        self.follow(response)
        return upload_offset(response.headers.get("range"), sent=confirmed)

    async def chunked(
        self,
        desc: Descriptor,
        open_source: Callable[[], BinaryIO],
        chunk_size: int,
        on_progress: Progress,
    ) -> None:
        """Upload with ``PATCH`` + ``Content-Range`` chunks, then close with ``PUT``."""
        from ocitui.core.registry.blobs import _file_chunks

        size = max(chunk_size, self.min_chunk or 0, 1)
        offset = 0
        recoveries = 0
        while offset < desc.size:
            length = min(size, desc.size - offset)

            def body(start: int = offset, count: int = length) -> AsyncIterator[bytes]:
                return _file_chunks(open_source, desc, on_progress, start, count)

            response = await self.send(
                "PATCH",
                self.location,
                headers={
                    "Content-Type": "application/octet-stream",
                    "Content-Range": f"{offset}-{offset + length - 1}",
                    "Content-Length": str(length),
                },
                body=body,
            )
            if response.status_code == 416 and recoveries < 3:
                await release(response)
                recoveries += 1
                offset = await self.status(offset)
                continue
            if response.status_code != 202:
                raise await self.client._session.fail(response, self.where, "chunk upload")
            await release(response)
            self.follow(response)
            offset += length
            held = upload_offset(response.headers.get("range"), sent=offset)
            if response.headers.get("range") and held != offset:
                raise RegistryError(
                    f"{self.where}: registry holds {held} bytes after sending {offset}"
                )
        url = with_query(self.location, "digest", str(desc.digest))
        response = await self.send("PUT", url, headers={"Content-Length": "0"}, body=b"")
        await self.finish(response, desc)

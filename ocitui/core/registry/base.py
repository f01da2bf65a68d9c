"""Shared state and helpers of the client's parts (manifests, blobs, listing, referrers).

:class:`~ocitui.core.registry.client.RegistryClient` is assembled from small mixins, one
per concern; this is the base they all build on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import httpx

from ocitui.core.digest import Digest
from ocitui.core.models import Descriptor
from ocitui.core.reference import Reference
from ocitui.core.registry.challenge import repository_scope
from ocitui.core.registry.options import RegistryOptions
from ocitui.core.registry.session import Body, Session


class BlobSink(Protocol):
    """Where a downloaded blob goes (the layout's ingest writer satisfies this)."""

    @property
    def offset(self) -> int:
        """Bytes already held (a resumed download asks for ``Range`` from here)."""
        ...

    def write(self, chunk: bytes) -> None:
        """Append and hash ``chunk``; raise DigestMismatch past the expected size."""
        ...

    def restart(self) -> None:
        """The server ignored ``Range``: drop what is held and start again at 0."""
        ...


@dataclass(frozen=True)
class FetchedManifest:
    """A manifest or index exactly as the registry served it, verified."""

    raw: bytes
    media_type: str
    digest: Digest

    @property
    def size(self) -> int:
        """Length of the exact bytes."""
        return len(self.raw)

    def descriptor(self) -> Descriptor:
        """A plain descriptor (mediaType, digest, size) of this manifest."""
        return Descriptor(self.media_type, self.digest, len(self.raw))


@dataclass(frozen=True)
class PushedManifest:
    """The outcome of a manifest push."""

    digest: Digest
    size: int
    media_type: str
    #: How the subject's referrers list learned about it: "api", "tag" or None (no subject).
    referrers_via: str | None = None

    def descriptor(self) -> Descriptor:
        """A plain descriptor of what was pushed."""
        return Descriptor(self.media_type, self.digest, self.size)


PULL = ("pull",)
PUSH = ("pull", "push")


class ClientBase:
    """State every part of the client shares."""

    _session: Session
    options: RegistryOptions

    @staticmethod
    def where(ref: Reference) -> str:
        """``registry/repository`` for messages."""
        return f"{ref.registry}/{ref.repository}"

    def repo_url(self, ref: Reference, tail: str) -> str:
        """``<base>/v2/<repository>/<tail>``."""
        return self._session.url(ref.registry, f"/v2/{ref.repository}/{tail}")

    @staticmethod
    def scopes(ref: Reference, actions: Sequence[str] = PULL) -> list[str]:
        """The token scope for ``actions`` on ``ref``'s repository."""
        return [repository_scope(ref.repository, actions)]

    async def send(
        self,
        method: str,
        ref: Reference,
        url: str,
        *,
        actions: Sequence[str] = PULL,
        extra_scopes: Sequence[str] = (),
        headers: dict[str, str] | None = None,
        body: Body = None,
        follow_redirects: bool = False,
        retry: bool = True,
    ) -> httpx.Response:
        """A request on ``ref``'s repository with the right scopes (streaming response)."""
        return await self._session.request(
            method,
            url,
            registry=ref.registry,
            scopes=[*self.scopes(ref, actions), *extra_scopes],
            where=self.where(ref),
            headers=headers,
            body=body,
            follow_redirects=follow_redirects,
            retry=retry,
        )

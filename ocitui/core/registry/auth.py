"""Answering registry challenges: Basic, and the Bearer token flow (GET, or POST refresh).

Tokens are cached per ``(realm, service, scopes)`` until shortly before they expire
(``expires_in`` clamped to at least 60 s). Basic credentials go only to the registry origin
or to the token realm, never over plain http to a non-loopback host unless the user asked
for plain http. Refresh (identity) tokens go only to the realm. Nothing secret is ever put
into an exception message.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import httpx

from ocitui.core import jsonsafe
from ocitui.core.errors import AuthError
from ocitui.core.registry.bodies import decoded_chunks
from ocitui.core.registry.challenge import Challenge, merge_scopes, parse_challenges, pick
from ocitui.core.registry.connections import release
from ocitui.core.registry.credentials import Credential, CredentialProvider
from ocitui.core.registry.options import RegistryOptions, is_loopback, may_send_secrets

#: The ``client_id`` sent to token services (distribution requires one for POST).
CLIENT_ID = "ocitui"
MIN_TOKEN_LIFETIME = 60
_MAX_TOKEN_RESPONSE = 1024 * 1024

Sender = Callable[[httpx.Request], Awaitable[httpx.Response]]


@dataclass
class _Origin:
    """What we learned about one registry origin."""

    challenge: Challenge | None = None
    scopes_seen: set[str] = field(default_factory=set)


def basic_header(username: str, password: str) -> str:
    """``Basic base64(user:password)``."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class Authenticator:
    """Per-client authentication state: challenges per origin, tokens per scope set."""

    def __init__(
        self,
        credentials: CredentialProvider,
        options: RegistryOptions,
        send: Sender,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._credentials = credentials
        self._options = options
        self._send = send
        self._clock = clock
        self._origins: dict[str, _Origin] = {}
        self._tokens: dict[tuple[str, str, tuple[str, ...]], tuple[str, float]] = {}
        self._creds: dict[str, Credential | None] = {}
        self._lock = asyncio.Lock()

    async def credential(self, registry: str) -> Credential | None:
        """The credential for ``registry`` (looked up once; helpers may be slow)."""
        if registry not in self._creds:
            self._creds[registry] = await asyncio.to_thread(self._credentials.get, registry)
        return self._creds[registry]

    async def header(self, url: httpx.URL, registry: str, scopes: Sequence[str]) -> str | None:
        """The ``Authorization`` value for a request to ``url``, if we know one is needed."""
        origin = self._origins.get(_origin_key(url))
        if origin is None or origin.challenge is None:
            return None
        challenge = origin.challenge
        cred = await self.credential(registry)
        if cred is not None and cred.registry_token:
            self._check_transport(url, registry)
            return f"Bearer {cred.registry_token}"
        if challenge.scheme == "basic":
            if cred is None or not cred.has_basic:
                return None
            self._check_transport(url, registry)
            return basic_header(cred.username, cred.password)
        wanted = merge_scopes([*scopes, *origin.scopes_seen])
        return f"Bearer {await self._token(challenge, registry, wanted)}"

    def learn(self, response: httpx.Response, scopes: Sequence[str]) -> bool:
        """Record a 401's challenge; True when a retry with new credentials makes sense."""
        challenge = pick(parse_challenges(response.headers.get_list("www-authenticate")))
        if challenge is None:
            return False
        origin = self._origins.setdefault(_origin_key(response.request.url), _Origin())
        origin.challenge = challenge
        if challenge.scheme == "bearer":
            # The registry tells us what it wanted (e.g. registry:catalog:*): ask for it too.
            origin.scopes_seen.update(s for s in challenge.scopes if s.startswith("registry:"))
            key_scopes = merge_scopes([*scopes, *origin.scopes_seen, *challenge.scopes])
            self._tokens.pop((challenge.realm or "", challenge.service or "", key_scopes), None)
            for key in [k for k in self._tokens if k[0] == challenge.realm]:
                if set(merge_scopes(scopes)) <= set(key[2]):
                    self._tokens.pop(key, None)
        return True

    def _check_transport(self, url: httpx.URL, registry: str) -> None:
        if not may_send_secrets(url.scheme, url.host, self._options):
            raise AuthError(
                f"{registry}: refusing to send credentials over plain http "
                "(use --plain-http to allow it for this registry)"
            )

    async def _token(self, challenge: Challenge, registry: str, scopes: tuple[str, ...]) -> str:
        key = (challenge.realm or "", challenge.service or "", scopes)
        async with self._lock:
            cached = self._tokens.get(key)
            if cached is not None and cached[1] > self._clock():
                return cached[0]
            token, lifetime = await self._fetch_token(challenge, registry, scopes)
            # Renew a little early so a token never expires mid-request.
            self._tokens[key] = (token, self._clock() + max(lifetime - 10, 1))
            return token

    async def _fetch_token(
        self, challenge: Challenge, registry: str, scopes: tuple[str, ...]
    ) -> tuple[str, int]:
        try:
            realm = httpx.URL(challenge.realm or "")
        except httpx.InvalidURL:  # Control characters, a bad port...
            realm = httpx.URL()
        if realm.scheme not in ("http", "https") or not realm.host:
            raise AuthError(f"{registry}: token service realm is not a usable URL")
        if realm.scheme == "http" and not (
            is_loopback(realm.host) or self._options.plain_http or self._options.insecure
        ):
            raise AuthError(f"{registry}: refusing a plain-http token service {realm.host}")
        cred = await self.credential(registry)
        if cred is not None and cred.identity_token:
            form = {
                "grant_type": "refresh_token",
                "refresh_token": cred.identity_token,
                "client_id": CLIENT_ID,
                "scope": " ".join(scopes),
            }
            if challenge.service:
                form["service"] = challenge.service
            request = httpx.Request("POST", realm, data=form)
            response = await self._send(request)
            if response.status_code not in (404, 405):
                return await self._token_answer(response, registry, True)
            await release(response)
        params: list[tuple[str, str | int | float | bool | None]] = []
        if challenge.service:
            params.append(("service", challenge.service))
        params.extend(("scope", s) for s in scopes)
        headers = {}
        if cred is not None and cred.has_basic:
            self._check_transport(realm, registry)
            headers["Authorization"] = basic_header(cred.username, cred.password)
        request = httpx.Request("GET", realm.copy_merge_params(params), headers=headers)
        response = await self._send(request)
        return await self._token_answer(response, registry, bool(headers))

    async def _token_answer(
        self, response: httpx.Response, registry: str, with_credentials: bool
    ) -> tuple[str, int]:
        try:
            if response.status_code in (401, 403):
                why = "credentials rejected" if with_credentials else "anonymous access refused"
                raise AuthError(
                    f"{registry}: {why} by the token service (HTTP {response.status_code})",
                    status=response.status_code,
                    code="UNAUTHORIZED" if response.status_code == 401 else "DENIED",
                )
            if response.status_code != 200:
                raise AuthError(
                    f"{registry}: token service answered HTTP {response.status_code}",
                    status=response.status_code,
                )
            body = bytearray()
            async for chunk in decoded_chunks(response, f"{registry}: token service"):
                body += chunk
                if len(body) > _MAX_TOKEN_RESPONSE:
                    raise AuthError(f"{registry}: token service response too large")
        finally:
            await response.aclose()
        try:
            doc = jsonsafe.loads(bytes(body))
        except (ValueError, UnicodeDecodeError):
            raise AuthError(f"{registry}: token service response is not JSON") from None
        token = doc.get("token") or doc.get("access_token") if isinstance(doc, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthError(f"{registry}: token service response has no token")
        expires = doc.get("expires_in")
        lifetime = expires if isinstance(expires, int) and not isinstance(expires, bool) else 0
        return token, max(lifetime, MIN_TOKEN_LIFETIME)


def _origin_key(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.host}:{url.port}"

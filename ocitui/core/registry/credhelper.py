"""The docker credential-helper protocol: ``docker-credential-<suffix> get|store|erase``.

Only a program named ``docker-credential-<suffix>`` with a plain suffix, found on ``$PATH``,
is ever run; the server URL goes on stdin; a timeout bounds it; its output is never echoed
(it may hold a secret), only summarised.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import TYPE_CHECKING

from ocitui.core import jsonsafe
from ocitui.core.errors import AuthError

if TYPE_CHECKING:
    from ocitui.core.registry.credentials import Credential

_SUFFIX = re.compile(r"[A-Za-z0-9._-]+", re.ASCII)
HELPER_TIMEOUT = 30.0
_NOT_FOUND = "credentials not found"


def helper_path(suffix: str) -> str:
    """The absolute path of ``docker-credential-<suffix>``; AuthError if unusable."""
    if not _SUFFIX.fullmatch(suffix) or suffix in (".", ".."):
        raise AuthError(f"refusing credential helper name {suffix[:40]!r}")
    found = shutil.which(f"docker-credential-{suffix}")
    if found is None:
        raise AuthError(f"credential helper docker-credential-{suffix} not found on PATH")
    return found


def _run(suffix: str, action: str, stdin: bytes, timeout: float) -> tuple[int, str]:
    path = helper_path(suffix)
    try:
        done = subprocess.run(
            [path, action], input=stdin, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise AuthError(f"credential helper docker-credential-{suffix} timed out") from None
    except OSError as exc:
        raise AuthError(
            f"credential helper docker-credential-{suffix} could not run: {exc.strerror}"
        ) from None
    return done.returncode, done.stdout.decode("utf-8", "replace")


def helper_get(suffix: str, server: str, *, timeout: float = HELPER_TIMEOUT) -> Credential | None:
    """Ask a helper for ``server``'s credentials; "not found" is None, not an error."""
    from ocitui.core.registry.credentials import Credential

    code, out = _run(suffix, "get", server.encode(), timeout)
    if code != 0:
        if _NOT_FOUND in out.lower():
            return None
        raise AuthError(f"credential helper docker-credential-{suffix} failed for {server}")
    try:
        doc = jsonsafe.loads(out)
    except ValueError:
        raise AuthError(
            f"credential helper docker-credential-{suffix} gave unreadable output for {server}"
        ) from None
    if not isinstance(doc, dict):
        return None
    username, secret = doc.get("Username") or "", doc.get("Secret") or ""
    if not isinstance(username, str) or not isinstance(secret, str) or not secret:
        return None
    if username == "<token>":
        return Credential(identity_token=secret)
    return Credential(username=username, password=secret)


def helper_store(
    suffix: str, server: str, username: str, secret: str, *, timeout: float = HELPER_TIMEOUT
) -> None:
    """Store credentials through a helper."""
    payload = json.dumps({"ServerURL": server, "Username": username, "Secret": secret})
    code, _ = _run(suffix, "store", payload.encode(), timeout)
    if code != 0:
        raise AuthError(f"credential helper docker-credential-{suffix} could not store {server}")


def helper_erase(suffix: str, server: str, *, timeout: float = HELPER_TIMEOUT) -> bool:
    """Erase credentials through a helper; False when it had none."""
    code, out = _run(suffix, "erase", server.encode(), timeout)
    if code != 0:
        if _NOT_FOUND in out.lower():
            return False
        raise AuthError(f"credential helper docker-credential-{suffix} could not erase {server}")
    return True

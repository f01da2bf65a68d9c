"""Distribution-spec error answers: one exception carrying status, code and message."""

from __future__ import annotations

import json

from ocitui.core.errors import OcituiError

#: The spec's error codes and the HTTP status each is normally sent with.
STATUS = {
    "BLOB_UNKNOWN": 404,
    "BLOB_UPLOAD_INVALID": 400,
    "BLOB_UPLOAD_UNKNOWN": 404,
    "DIGEST_INVALID": 400,
    "MANIFEST_BLOB_UNKNOWN": 400,
    "MANIFEST_INVALID": 400,
    "MANIFEST_UNKNOWN": 404,
    "NAME_INVALID": 400,
    "NAME_UNKNOWN": 404,
    "SIZE_INVALID": 400,
    "UNAUTHORIZED": 401,
    "DENIED": 403,
    "UNSUPPORTED": 405,
    "TOOMANYREQUESTS": 429,
}


class DistributionError(OcituiError):
    """A request the served layout answers with a distribution error body."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status = status if status is not None else STATUS[code]
        self.message = message
        #: Extra response headers (an upload's Location and Range on a 416).
        self.headers = dict(headers or {})

    def body(self) -> bytes:
        """``{"errors": [{"code": ..., "message": ...}]}``."""
        return json.dumps({"errors": [{"code": self.code, "message": self.message}]}).encode()

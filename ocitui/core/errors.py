"""One exception tree for everything the core can refuse.

Every error carries a one-line, human-readable message; the faces print ``str(error)``
and never a traceback (unless asked to).
"""

from __future__ import annotations

import errno


class OcituiError(Exception):
    """Base class of every error raised on purpose by ocitui."""


class UsageError(OcituiError):
    """The command line asked for something malformed (exit code 2, like argparse)."""


class InvalidDigest(OcituiError, ValueError):
    """A digest string that does not follow the OCI grammar or uses an unknown algorithm."""


class InvalidReference(OcituiError, ValueError):
    """An image reference that does not follow the distribution grammar."""


class InvalidPlatform(OcituiError, ValueError):
    """A platform string that is not ``os/arch[/variant]``."""


class DigestMismatch(OcituiError):
    """Bytes whose digest (or size) differs from what their descriptor promised."""


class ManifestError(OcituiError):
    """A manifest or index that is malformed, too large, or of a confusing type."""


class LayoutError(OcituiError):
    """A problem with the on-disk OCI image layout."""


class StorageError(LayoutError):
    """The disk refused a write (full, file too large, read-only, permission denied)."""

    @classmethod
    def of(cls, exc: OSError, path: object, doing: str = "write") -> StorageError:
        """The one-line error for ``exc`` raised while ``doing`` ``path``."""
        name = errno.errorcode.get(exc.errno or 0, "")
        reason = exc.strerror or str(exc)
        return cls(f"{path}: cannot {doing}: {reason}" + (f" ({name})" if name else ""))


class LockTimeout(LayoutError):
    """The layout lock could not be taken in time."""


class NotFound(OcituiError):
    """A reference, digest or blob that is not there."""


class AmbiguousReference(OcituiError):
    """A short reference that matches more than one entry."""


class RegistryError(OcituiError):
    """A registry answered with an error, or could not be reached."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


class AuthError(RegistryError):
    """Authentication or authorisation failed."""


class SyncError(OcituiError):
    """A copy between layout and registry could not complete."""


class DiffError(OcituiError):
    """Two things could not be compared (malformed or truncated content)."""


class ArchiveError(OcituiError):
    """An export/import archive is malformed, incomplete or corrupt."""


class BundleError(OcituiError):
    """An imgpkg bundle is malformed."""


class VerifyError(OcituiError):
    """Verification material (a key, a trusted root, a policy) is unusable."""

"""Digests: parsing by the exact OCI grammar, and verification while streaming.

A :class:`Digest` is only ever built from a string that passed full validation (grammar,
known algorithm, exact lowercase hex length), which is what makes it safe to turn into a
path under ``blobs/``.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import msgspec

from ocitui.core.errors import DigestMismatch, InvalidDigest

_GRAMMAR = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+", re.ASCII)

#: Algorithms we can verify, with the exact length of their lowercase hex part.
ALGORITHMS: dict[str, int] = {"sha256": 64, "sha512": 128}
_HEX = re.compile(r"[a-f0-9]+", re.ASCII)
#: Exactly the values :meth:`Digest.parse` accepts.
_EXACT = re.compile(r"sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}", re.ASCII)


class Digest(msgspec.Struct, frozen=True, order=True, gc=False):
    """A validated content digest such as ``sha256:<64 hex>``.

    Immutable, hashable and ordered like a frozen dataclass of its two fields. A msgspec
    struct rather than a dataclass: digests key every map of a listing, and a struct is
    built, hashed and compared in C (a 100,000-entry ``ls`` makes hundreds of thousands).
    It holds only strings, so the cyclic garbage collector need not track it.
    """

    algorithm: str
    encoded: str

    @classmethod
    def parse(cls, value: object) -> Digest:
        """Parse and fully validate ``value``; raise :class:`InvalidDigest` otherwise."""
        if not isinstance(value, str):
            raise InvalidDigest(f"digest must be a string, got {type(value).__name__}")
        # Fast path (index.json and listings parse tens of thousands): one match of the
        # whole accepted form, a known algorithm and exactly its number of lowercase hex
        # characters.
        if _EXACT.fullmatch(value) is not None:
            algorithm, _, encoded = value.partition(":")
            return cls(algorithm, encoded)
        shown = value if len(value) <= 80 else value[:77] + "..."
        if not _GRAMMAR.fullmatch(value):
            raise InvalidDigest(f"invalid digest {shown!r}: not of the form algorithm:hex")
        algorithm, encoded = value.split(":", 1)
        length = ALGORITHMS.get(algorithm)
        if length is None:
            raise InvalidDigest(f"unsupported digest algorithm {algorithm!r} in {shown!r}")
        if len(encoded) != length or not _HEX.fullmatch(encoded):
            raise InvalidDigest(
                f"invalid digest {shown!r}: {algorithm} needs {length} lowercase hex characters"
            )
        return cls(algorithm, encoded)

    @classmethod
    def is_valid(cls, value: object) -> bool:
        """True when :meth:`parse` would accept ``value``."""
        if isinstance(value, str) and _EXACT.fullmatch(value) is not None:
            return True  # parse's fast path, without building the digest.
        try:
            cls.parse(value)
        except InvalidDigest:
            return False
        return True

    @classmethod
    def of(cls, data: bytes, algorithm: str = "sha256") -> Digest:
        """The digest of ``data``."""
        return cls(algorithm, hashlib.new(algorithm, data).hexdigest())

    def hasher(self) -> Any:
        """A fresh hashlib object of this digest's algorithm."""
        return hashlib.new(self.algorithm)

    @property
    def short(self) -> str:
        """The first 12 hex characters, for display."""
        return self.encoded[:12]

    @property
    def tag_form(self) -> str:
        """The referrers fallback tag ``<alg>-<hex[:64]>`` of this digest."""
        return f"{self.algorithm}-{self.encoded[:64]}"

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.encoded}"


class Verifier:
    """Hash bytes as they stream past and check them against a digest and size.

    ``update`` refuses to go past ``size`` so a lying or hostile peer cannot make us
    read (or write) more than promised.
    """

    def __init__(self, digest: Digest, size: int | None = None) -> None:
        self.digest = digest
        self.size = size
        self.count = 0
        self._hash = digest.hasher()

    def update(self, chunk: bytes) -> None:
        """Feed the next chunk."""
        self.count += len(chunk)
        if self.size is not None and self.count > self.size:
            raise DigestMismatch(f"{self.digest}: got more than the expected {self.size} bytes")
        self._hash.update(chunk)

    def matches(self) -> bool:
        """True when size and digest match the bytes so far (no exception, no change)."""
        size_ok = self.size is None or self.count == self.size
        return size_ok and self._hash.hexdigest() == self.digest.encoded

    def verify(self) -> None:
        """Raise :class:`DigestMismatch` unless size and digest both match."""
        if self.size is not None and self.count != self.size:
            raise DigestMismatch(f"{self.digest}: got {self.count} bytes, expected {self.size}")
        actual = self._hash.hexdigest()
        if actual != self.digest.encoded:
            raise DigestMismatch(
                f"content does not match its digest: expected {self.digest}, "
                f"got {self.digest.algorithm}:{actual}"
            )


def verify_bytes(data: bytes, digest: Digest, size: int | None = None) -> None:
    """Check in-memory ``data`` against ``digest`` (and ``size``)."""
    verifier = Verifier(digest, size)
    if size is not None and len(data) != size:
        raise DigestMismatch(f"{digest}: got {len(data)} bytes, expected {size}")
    verifier.update(data)
    verifier.verify()

"""The TUI's message log (``e``) and what ``y``/``Y`` copy: small pure helpers of the app.

Every error the TUI shows as a toast is kept here too, with a title that says what was
being done (never a worker's internal name) and the one-line reason, which for registry
errors names the registry. Registry retries are kept as they happen, as warnings.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ocitui.core.errors import InvalidReference, OcituiError
from ocitui.core.models import Descriptor
from ocitui.core.reference import parse_reference
from ocitui.core.text_safety import one_line_safe

#: Worker groups (``screen.task``) as words a user reads.
TITLES = {
    "browse.tree": "Loading the layout",
    "browse.detail": "Reading the selection",
    "browse.inside": "Looking inside",
    "diff.run": "Diff",
    "referrers.load": "Loading referrers",
    "remote.inspect": "Reading the remote tag",
    "remote.tags": "Listing remote tags",
    "remote.catalog": "Listing the registry's repositories",
    "layout.task": "Layout task",
    "browse.files": "Reading layer files",
    "sync.run": "Sync",
    "sync.plan": "Sync plan",
    "registry.load": "Listing the registry",
    "registry.expand": "Reading the registry tree",
    "registry.detail": "Reading the remote selection",
    "registry.pull": "Pull",
    "registry.inside": "Looking inside (remote)",
}


@dataclass(frozen=True)
class ErrorEntry:
    """One logged error: wall-clock time, what was being done, the reason."""

    when: float
    title: str
    message: str
    #: ``error``, or ``warning`` (a retry: something went wrong and is being tried again).
    severity: str = "error"


@dataclass
class ErrorLog:
    """Errors in the order they happened (bounded: the newest ``limit`` are kept)."""

    limit: int = 500
    entries: list[ErrorEntry] = field(default_factory=list)

    def add(
        self,
        error: BaseException | str,
        title: str,
        when: float | None = None,
        severity: str = "error",
    ) -> ErrorEntry:
        """Log ``error`` under ``title`` (a worker group is turned into words)."""
        if isinstance(error, str):
            message = error
        elif isinstance(error, OcituiError):
            message = str(error)
        else:
            message = f"{type(error).__name__}: {error}"
        line = message.strip().splitlines()[0] if message.strip() else "failed"
        # Registry and layout text: controls shown as escapes, whatever renders it.
        entry = ErrorEntry(
            time.time() if when is None else when,
            one_line_safe(human_title(title)),
            one_line_safe(line),
            severity,
        )
        self.entries.append(entry)
        del self.entries[: -self.limit]
        return entry


def human_title(title: str) -> str:
    """``sync.run`` -> ``Sync``; titles that are already words pass through."""
    if title in TITLES:
        return TITLES[title]
    if "." in title and " " not in title:
        return title.split(".", 1)[0].capitalize()
    return title


def copy_text(top: str | None, desc: Descriptor, *, full: bool) -> str:
    """What ``y`` (digest) or ``Y`` (full reference) puts on the clipboard.

    The full reference of a tag is its name; of anything else (a platform manifest, a
    referrer), ``registry/repository@digest`` in the repository of the tag it hangs under.
    """
    digest = str(desc.digest)
    if not full:
        return digest
    if desc.ref_name:
        return desc.ref_name
    if top:
        try:
            ref = parse_reference(top, default_tag=None)
        except InvalidReference:
            return digest
        return f"{ref.name}@{digest}"
    return digest


__all__ = ["ErrorEntry", "ErrorLog", "copy_text", "human_title"]

"""Command palette provider: pane actions, references in the layout, artifact types."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ocitui.core.errors import OcituiError
from ocitui.core.views_detail import artifact_types

if TYPE_CHECKING:
    from ocitui.tui.app import OcituiApp

#: (title, help, action string run on the app or the active screen)
ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("Browse", "Show the layout tree (1)", "app.pane('browse')"),
    ("Referrers", "Show the referrer tree of the selection (2)", "app.pane('referrers')"),
    ("Diff", "Show the diff pane (3)", "app.pane('diff')"),
    ("Sync", "Pull from or push to a registry (4)", "app.pane('sync')"),
    ("Refresh", "Re-read index.json", "refresh"),
    ("Filter", "Filter the tree", "filter"),
    ("Mark for diff", "Mark the selection as side A", "mark"),
    ("Attach a file", "Attach a file to the selection as a referrer", "attach"),
    ("Keys", "Show every key of this pane", "app.help"),
)


class OcituiCommands(Provider):
    """Actions, every tagged reference (jump to it), every artifact type (filter by it)."""

    @property
    def ocitui(self) -> OcituiApp:
        """The app, typed."""
        return cast("OcituiApp", self.app)

    def _entries(self) -> list[tuple[str, str, Callable[[], object]]]:
        out: list[tuple[str, str, Callable[[], object]]] = []
        for title, help_text, action in ACTIONS:
            out.append((title, help_text, partial(self._run, action)))
        try:
            refs = sorted(e.ref_name for e in self.ocitui.layout.tagged() if e.ref_name)
            types = artifact_types(self.ocitui.layout)
        except OcituiError:
            refs, types = [], []
        for ref in refs:
            out.append((f"Go to {ref}", "Select this tag in Browse", partial(self._goto, ref)))
        for artifact_type in types:
            out.append(
                (
                    f"Referrers of type {artifact_type}",
                    "Filter the Referrers pane",
                    partial(self._by_type, artifact_type),
                )
            )
        return out

    async def _run(self, action: str) -> None:
        await self.app.run_action(action, self.screen)

    def _goto(self, ref: str) -> None:
        self.ocitui.goto_ref(ref)

    def _by_type(self, artifact_type: str) -> None:
        self.ocitui.referrers_of_type(artifact_type)

    async def discover(self) -> Hits:
        """Everything, unfiltered, for an empty query."""
        for title, help_text, callback in self._entries():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        """Fuzzy-match titles."""
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)

"""Remote tags: browse a registry repository from the Sync pane and pick what to pull.

Type a registry alone (``registry.example.com``) and press enter: its catalog is listed
where the registry allows it; enter on a repository lists its tags.
Type ``registry/repo`` and press enter: its tags are listed (every page of the tags API)
with machine tags set apart, filterable with ``/``. The highlighted tag's manifest
summary and verified referrer tree are read from the registry (nothing is written);
``p`` returns the tag to the Sync pane, which shows the pull plan (``ctrl+g`` runs it).
Network work runs in async workers, exclusive per group; failures are notifications.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList, Static

from ocitui.core.events import Retrying
from ocitui.core.views_remote import (
    RemoteDetail,
    RemoteTags,
    parse_repository,
    remote_detail,
    remote_tags,
)
from ocitui.core.views_text import plural
from ocitui.tui.safe import safe
from ocitui.tui.screens.base import OcituiScreen
from ocitui.tui.widgets.detail import kv_table, referrers_table
from ocitui.tui.widgets.keybar import KeyBar
from ocitui.tui.widgets.panebar import PaneBar
from ocitui.tui.widgets.status import StatusLine

#: Seconds the cursor must rest on a tag before it is read (scrolling stays cheap).
SETTLE_SECONDS = 0.15


class TagList(OptionList):
    """The repository's tags; vim keys beside the arrows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="remote.down"),
        Binding("k", "cursor_up", "Up", show=False, id="remote.up"),
    ]


class RemoteScreen(OcituiScreen[str | None]):
    """A repository's tags beside the highlighted tag's summary and referrers.

    Dismissed with the reference to pull, or ``None`` (``escape``).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="remote.filter"),
        Binding("p", "pull", "Pull", id="remote.pull"),
        Binding("R", "reload", "Reload", id="remote.reload"),
        Binding("escape", "back", "Back", id="remote.back"),
    ]

    def __init__(self, repository: str = "") -> None:
        super().__init__()
        self.initial = repository
        self.listing: RemoteTags | None = None
        self.detail: RemoteDetail | None = None
        #: ``(registry, repositories)`` while the list shows a catalog.
        self.catalog: tuple[str, list[str]] | None = None

    def compose(self) -> ComposeResult:
        """Pane bar, repository field, tags | detail, status, footer."""
        yield PaneBar("sync", note="remote tags")
        with Vertical(classes="form"), Horizontal(classes="row"):
            yield Label("repository", classes="field-label")
            yield Input(self.initial, placeholder="registry.example.com/app", id="remote-repo")
        with Horizontal(id="remote-body"):
            with Vertical(id="remote-left"):
                yield Input(placeholder="filter tags…", id="remote-filter")
                yield TagList(id="remote-tags")
            with VerticalScroll(id="remote-scroll"):
                yield Static(
                    Text("Type a repository and press enter.", style="dim"), id="remote-detail"
                )
        yield StatusLine(id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        """List the prefilled repository's tags, or wait for one."""
        if self.initial:
            self.action_reload()
        else:
            self.query_one("#remote-repo", Input).focus()

    def _status(self, note: str) -> None:
        self.query_one(StatusLine).set_status(
            self.query_one("#remote-repo", Input).value, None, None, note
        )

    # -- tags ------------------------------------------------------------------------------

    @on(Input.Submitted, "#remote-repo")
    def action_reload(self) -> None:
        """(Re)list the tags of the repository in the field."""
        text = self.query_one("#remote-repo", Input).value.strip()
        if not text:
            self.notify("Type a repository first.", severity="warning", title="Remote")
            return
        if "/" not in text:
            self._status("listing repositories…")
            self._list_catalog(text)
            return
        self._status("listing tags…")
        self._list(text)

    @work(exclusive=True, group="remote.catalog", exit_on_error=False)
    async def _list_catalog(self, text: str) -> None:
        registry = parse_repository(f"{text}/x").registry
        async with self.ocitui.registry_client() as client:
            repositories = await client.catalog(registry)
        self.listing, self.catalog = None, (registry, sorted(repositories))
        self._show_tags()
        self.query_one("#remote-detail", Static).update(
            Text("Enter on a repository lists its tags.", style="dim")
        )
        self.query_one(TagList).focus()

    @on(OptionList.OptionSelected, "#remote-tags")
    def _open_repository(self, event: OptionList.OptionSelected) -> None:
        """In a catalog, enter opens the repository's tags."""
        if self.catalog is None:
            return
        field = self.query_one("#remote-repo", Input)
        field.value = f"{self.catalog[0]}/{event.option.prompt}"
        self.catalog = None
        self.action_reload()

    @work(exclusive=True, group="remote.tags", exit_on_error=False)
    async def _list(self, text: str) -> None:
        repository = parse_repository(text)
        async with self.ocitui.registry_client() as client:
            listing = await remote_tags(client, repository)
        self.listing, self.catalog = listing, None
        self._show_tags()
        self.query_one(TagList).focus()

    def _show_tags(self) -> None:
        listing = self.listing
        tags = self.query_one(TagList)
        tags.clear_options()
        if self.catalog is not None:
            needle = self.query_one("#remote-filter", Input).value.strip().lower()
            repos = [r for r in self.catalog[1] if needle in r.lower()]
            tags.add_options(repos)
            if repos:
                tags.highlighted = 0
            self._status(f"{plural(len(repos), 'repository', 'repositories')} in {self.catalog[0]}")
            return
        if listing is None:
            return
        shown = listing.matching(self.query_one("#remote-filter", Input).value)
        tags.add_options(shown)
        machine = len(listing.machine)
        hidden = f" · {plural(machine, 'machine tag')} hidden" if machine else ""
        count = (
            f"{len(shown)} of {len(listing.tags)}"
            if len(shown) != len(listing.tags)
            else str(len(shown))
        )
        self._status(f"{count} tag{'s' if len(listing.tags) != 1 else ''}{hidden}")
        if not shown:
            self.query_one("#remote-detail", Static).update(Text("No tags.", style="dim"))
        else:
            tags.highlighted = 0

    @on(Input.Changed, "#remote-filter")
    def _filter_changed(self) -> None:
        self._show_tags()

    @on(Input.Submitted, "#remote-filter")
    def _filter_done(self) -> None:
        self.query_one(TagList).focus()

    def action_filter(self) -> None:
        """Focus the tag filter."""
        self.query_one("#remote-filter", Input).focus()

    # -- one tag ---------------------------------------------------------------------------

    @property
    def selected_tag(self) -> str | None:
        """The highlighted tag."""
        tags = self.query_one(TagList)
        if tags.highlighted is None or tags.option_count == 0:
            return None
        return str(tags.get_option_at_index(tags.highlighted).prompt)

    @on(OptionList.OptionHighlighted, "#remote-tags")
    def _highlighted(self) -> None:
        tag = self.selected_tag
        if tag is not None and self.listing is not None and self.catalog is None:
            self.query_one("#remote-detail", Static).update(safe(f"Reading {tag}…", "dim"))
            self._inspect(self.listing.ref(tag))

    @work(exclusive=True, group="remote.inspect", exit_on_error=False)
    async def _inspect(self, ref: str) -> None:
        await asyncio.sleep(SETTLE_SECONDS)  # A newer highlight cancels this one first.
        async with self.ocitui.registry_client() as client:
            detail = await remote_detail(client, ref)
        self.detail = detail
        self.query_one("#remote-detail", Static).update(
            Group(
                kv_table(detail.rows),
                Text(""),
                Text("Referrers (subject verified)", style="bold"),
                referrers_table(detail.referrers),
            )
        )

    def show_retry(self, event: Retrying) -> None:
        """A registry retry while listing or reading: said in the status line."""
        self._status(f"retrying: {event.reason or 'no answer'} (attempt {event.attempt})")

    def worker_failed(self, worker: object) -> None:
        """Say so where the answer would have been."""
        self.query_one("#remote-detail", Static).update(
            Text("Failed; see the error log (e).", style="bold red")
        )
        self._status("failed")

    # -- leaving ---------------------------------------------------------------------------

    def action_pull(self) -> None:
        """Back to the Sync pane with the highlighted tag in the pull form."""
        tag = self.selected_tag
        if tag is None or self.listing is None:
            self.notify("Highlight a tag first.", severity="warning", title="Remote")
            return
        self.dismiss(self.listing.ref(tag))

    def action_back(self) -> None:
        """Leave a field for the list; from the list, back to the Sync pane."""
        if isinstance(self.focused, Input) and self.listing is not None:
            self.query_one(TagList).focus()
            return
        self.dismiss(None)

"""The look-inside viewer (``v`` in Browse): an SBOM's package table (searchable), an
attestation, a signature, an image's config and history, or any blob.

The core reads and parses (:func:`ocitui.core.inside.look_inside`, in a thread worker);
this screen only renders. ``escape`` goes back to Browse.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from ocitui.core.inside import Inside, look_inside
from ocitui.core.inside.sbom import Package, Sbom
from ocitui.core.layout import Layout
from ocitui.core.models import Descriptor
from ocitui.core.views_text import plural
from ocitui.tui.safe import safe, safe_cell
from ocitui.tui.screens.base import OcituiScreen
from ocitui.tui.screens.files import FilesScreen
from ocitui.tui.widgets.fit import middle
from ocitui.tui.widgets.inside_views import inside_render
from ocitui.tui.widgets.keybar import KeyBar
from ocitui.tui.widgets.tables import VimTable

TITLES = {
    "sbom": "SBOM",
    "attestation": "Attestation",
    "signature": "Signature",
    "image": "Image config",
    "blob": "Content",
}


class PackageTable(VimTable):
    """The SBOM's packages."""


class InsideScreen(OcituiScreen[None]):
    """What one manifest (or blob) holds, read for people."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="inside.back"),
        Binding("slash", "search", "Search", id="inside.search"),
        Binding("f", "files", "Files", id="inside.files"),
        Binding("j", "scroll(1)", "Down", show=False, id="inside.scroll_down"),
        Binding("k", "scroll(-1)", "Up", show=False, id="inside.scroll_up"),
    ]

    def __init__(self, name: str, descriptor: Descriptor, *, layout: Layout | None = None) -> None:
        """``layout`` holds the content (default: the app's; the Registry pane passes the
        scratch layout it fetched a remote node into)."""
        super().__init__()
        self._label = name
        self._descriptor = descriptor
        self._layout = layout
        self.inside: Inside | None = None

    def compose(self) -> ComposeResult:
        """Heading, search (SBOMs), package table or scrolling body, counts, key bar."""
        yield Static(id="inside-heading", classes="heading")
        yield Input(placeholder="search packages…", id="inside-search")
        yield PackageTable(id="inside-table", cursor_type="row")
        with VerticalScroll(id="inside-scroll", can_focus=True):
            yield Static(Text("Reading…", style="dim italic"), id="inside-body")
        yield Static(id="inside-count", classes="heading")
        yield KeyBar()

    def on_mount(self) -> None:
        """Start reading; the SBOM widgets stay hidden until an SBOM arrives."""
        for selector in ("#inside-search", "#inside-table", "#inside-count"):
            self.query_one(selector).display = False
        digest = self._descriptor.digest.short
        self.query_one("#inside-heading", Static).update(
            Text.assemble(("Reading ", "dim"), safe(self._label, "bold"), f"  @{digest}")
        )
        self.query_one("#inside-scroll").focus()
        self._load()

    @work(thread=True, exclusive=True, group="browse.inside", exit_on_error=False)
    def _load(self) -> None:
        inside = look_inside(self._layout or self.ocitui.layout, self._descriptor)
        self.app.call_from_thread(self._loaded, inside)

    def worker_failed(self, worker: object) -> None:
        """Say it in the body too (the error is in the toast and the log)."""
        self.query_one("#inside-body", Static).update(
            Text("Could not read this; see the error log (e).", style="red")
        )

    def _loaded(self, inside: Inside) -> None:
        self.inside = inside
        title = TITLES.get(inside.kind, inside.kind)
        self.query_one("#inside-heading", Static).update(
            Text.assemble(
                (f"{title}  ", "bold reverse"),
                " ",
                safe(self._label, "bold"),
                (f"  @{self._descriptor.digest.short}", "dim"),
            )
        )
        self.refresh_bindings()
        if inside.sbom is not None:
            self._show_sbom(inside.sbom)
        else:
            self.query_one("#inside-body", Static).update(inside_render(inside))

    # -- SBOM ----------------------------------------------------------------------------

    def _show_sbom(self, sbom: Sbom) -> None:
        self.query_one("#inside-scroll").display = False
        for selector in ("#inside-search", "#inside-table", "#inside-count"):
            self.query_one(selector).display = True
        table = self.query_one(PackageTable)
        for column in ("name", "version", "licence", "PURL"):
            table.add_column(column, key=column)
        self._fill(sbom, sbom.search(""))
        table.focus()

    def _fill(self, sbom: Sbom, packages: list[Package]) -> None:
        table = self.query_one(PackageTable)
        table.clear()
        # The PURL column takes what the others leave; shortened in the middle, never wrapped.
        purl_width = max(self.size.width - 44, 16)
        for package in packages:
            table.add_row(
                safe_cell(package.name or "-"),
                safe_cell(package.version or "-"),
                safe_cell(package.license or "-"),
                safe_cell(middle(package.purl, purl_width) if package.purl else "-"),
            )
        total = len(sbom.packages)
        shown = (
            plural(total, "package")
            if len(packages) == total
            else f"{len(packages)} of {total} packages"
        )
        parts = [shown, sbom.format]
        if sbom.name:
            parts.append(sbom.name)
        if sbom.files:
            parts.append(plural(sbom.files, "file"))
        if not packages:
            parts.insert(0, "no matches")
        self.query_one("#inside-count", Static).update(Text(" · ".join(parts), style="dim"))

    @on(Input.Changed, "#inside-search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self.inside is not None and self.inside.sbom is not None:
            self._fill(self.inside.sbom, self.inside.sbom.search(event.value))

    @on(Input.Submitted, "#inside-search")
    def _search_done(self) -> None:
        self.query_one(PackageTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``/`` exists only where there is a table to search."""
        if action == "search":
            return self.inside is not None and self.inside.sbom is not None
        if action == "files":
            return self.inside is not None and bool(self.inside.layers)
        return True

    def action_files(self) -> None:
        """An image's layers as file trees (streamed from the blobs, never unpacked)."""
        if self.inside is not None and self.inside.layers:
            self.app.push_screen(FilesScreen(self._label, self.inside.layers, layout=self._layout))

    def action_search(self) -> None:
        """Focus the package search (SBOMs only)."""
        field = self.query_one("#inside-search", Input)
        if field.display:
            field.focus()

    # -- navigation ----------------------------------------------------------------------

    def action_back(self) -> None:
        """Leave the search first, then the viewer."""
        field = self.query_one("#inside-search", Input)
        if field.has_focus:
            self.query_one(PackageTable).focus()
            return
        self.dismiss(None)

    def action_scroll(self, delta: int) -> None:
        """Scroll the body by lines."""
        self.query_one("#inside-scroll", VerticalScroll).scroll_relative(y=delta, animate=False)

"""Loading Browse's tree: in a worker, names first on a big layout, then the whole
model; reloads when ``index.json`` changes (keeping the cursor), and the status line.

:class:`TreeLoader` is the part of the Browse screen that owns the model; the screen
itself (:mod:`ocitui.tui.screens.browse`) adds the keys.
"""

from __future__ import annotations

import gc
import threading

from textual import work
from textual.widgets import Input
from textual.worker import Worker

from ocitui.core.verify.model import Badge
from ocitui.core.views import LayoutTree, build_tree, outline_tree
from ocitui.core.views_detail import LayoutStats, layout_stats
from ocitui.core.views_locate import Location
from ocitui.core.views_search import TreeFilter
from ocitui.tui.screens.base import PaneScreen
from ocitui.tui.widgets.layout_tree import LayoutTreeView
from ocitui.tui.widgets.status import StatusLine
from ocitui.tui.widgets.tree_pages import OPEN_TAGS

#: How often ``index.json`` is checked for changes made elsewhere.
WATCH_SECONDS = 1.0
#: The longest the loading worker waits for the names to be painted before it goes on.
PAINT_WAIT = 1.0


def _settle_heap() -> None:
    """Keep the loaded model out of the cyclic garbage collector's full scans.

    A big layout's model is hundreds of thousands of long-lived objects; a full
    collection walking them all would pause a keystroke by 0.1-1 s. Once per load, what
    the previous load froze is collected if it is garbage, and what lives is frozen.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class TreeLoader(PaneScreen):
    """The model behind Browse's tree: loads, reloads, filters and says so."""

    def __init__(self) -> None:
        super().__init__()
        self._model: LayoutTree | None = None
        #: Filters ``_model`` as ``/`` is typed (reusing what each keystroke kept).
        self._filter: TreeFilter | None = None
        self._stats: LayoutStats | None = None
        self._stamp: tuple[int, int] | None = None
        self._loading = False
        #: Where the cursor goes after the next load (the REF given on the command line,
        #: or where it was before a refresh).
        self._restore: Location | str | None = None

    def action_refresh(self) -> None:
        """Re-read index.json and rebuild the tree (in a thread: it hashes manifests),
        keeping the cursor where it was."""
        if self._restore is None and self._model is not None:
            self._restore = self.query_one(LayoutTreeView).cursor_mark()
        self._stamp = self._index_stamp()
        self._loading = True
        # The first load covers the (empty) tree with a loading indicator; a reload
        # leaves the old tree usable and says so in the status line.
        self.query_one(LayoutTreeView).loading = self._model is None
        self._update_status()
        self._load_tree(first=self._model is None)

    def _index_stamp(self) -> tuple[int, int] | None:
        try:
            info = (self.ocitui.layout.root / "index.json").stat()
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size)

    def _watch_index(self) -> None:
        """Reload when ``index.json`` changed (a sync here, or another ocitui process)."""
        if not self._loading and self._index_stamp() != self._stamp:
            self.action_refresh()

    @work(thread=True, exclusive=True, group="browse.tree", exit_on_error=False)
    def _load_tree(self, *, first: bool) -> None:
        """Build the tree model; on the first load of a big layout, show the names
        (:func:`outline_tree`, from ``index.json`` alone) while the tags are summarised."""
        layout = self.ocitui.layout
        if first and sum(1 for e in layout.entries() if e.ref_name) > OPEN_TAGS:
            painted = threading.Event()
            self.app.call_from_thread(self._outline_loaded, outline_tree(layout), painted)
            # The names reach the screen before the summaries take the GIL for seconds.
            painted.wait(PAINT_WAIT)
        model, stats = build_tree(layout), layout_stats(layout)
        self.app.call_from_thread(self._tree_loaded, model, stats)

    def _outline_loaded(self, outline: LayoutTree, painted: threading.Event) -> None:
        """The names are in: show them (the status line still says loading), and set
        ``painted`` once they are on screen."""
        self.call_after_refresh(painted.set)
        if self._model is not None:
            return
        self._model, self._filter = outline, TreeFilter(outline)
        self._uncover_tree()
        self._apply_filter()

    def _uncover_tree(self) -> None:
        tree = self.query_one(LayoutTreeView)
        if tree.loading:
            tree.loading = False  # A loading widget gives its focus away: take it back.
            if not self.query_one("#filter", Input).display:
                tree.focus()

    def _tree_loaded(self, model: LayoutTree, stats: LayoutStats) -> None:
        tree = self.query_one(LayoutTreeView)
        restore, self._restore = self._restore, None
        if restore is None and self._model is not None and self._model.partial:
            restore = tree.cursor_mark()  # Where the cursor went while the names showed.
        self._model, self._stats, self._loading = model, stats, False
        self._filter = TreeFilter(model)
        if model.entry_count > OPEN_TAGS:
            _settle_heap()
        self._uncover_tree()
        self._apply_filter(to_first=restore is None)
        if restore is not None and not tree.select_mark(restore):
            tree.cursor_to_first()
        self._update_status()
        if self.ocitui.verdicts is not None:
            self._load_badges(model)

    @work(thread=True, exclusive=True, group="browse.badges", exit_on_error=False)
    def _load_badges(self, model: LayoutTree) -> None:
        """Verify every tag under the policy (cached by digest) and badge the tree."""
        cache, layout = self.ocitui.verdicts, self.ocitui.layout
        assert cache is not None
        badges: dict[str, Badge] = {}
        for reg in model.registries:
            for repo in reg.repositories:
                for item in repo.tags:
                    digest = item.info.descriptor.digest
                    badges[item.ref_name] = cache.verdict(layout, digest, item.ref_name).badge
        self.app.call_from_thread(self.query_one(LayoutTreeView).set_badges, badges)

    def worker_failed(self, worker: Worker[object]) -> None:
        """A failed load is over too (the error is in the log)."""
        if worker.group == "browse.tree":
            self._loading = False
            self.query_one(LayoutTreeView).loading = False
            self._update_status()

    def _apply_filter(self, *, to_first: bool = True) -> None:
        if self._filter is None:
            return
        text = self.query_one("#filter", Input).value
        shown = self._filter(text)
        tree = self.query_one(LayoutTreeView)
        empty = f"No matches for {text.strip()!r}." if text.strip() else ""
        tree.populate(shown, empty=empty, to_first=to_first)

    def _update_status(self) -> None:
        app = self.ocitui
        mark = app.mark.name if app.mark is not None else None
        first = self._model is None or self._model.partial
        extra = ("loading…" if first else "refreshing…") if self._loading else ""
        self.query_one(StatusLine).set_status(str(app.layout.root), self._stats, mark, extra)


__all__ = ["WATCH_SECONDS", "TreeLoader"]

"""The Textual app: wiring only. Panes are modes; shared state is the selection and mark.

``run_app(layout)`` is what ``ocitui`` with no subcommand calls. Everything the panes show
comes from ``ocitui.core``; the app only holds the layout, the current selection and the
diff mark, switches panes, shows errors, and applies the user's keymap.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.worker import Worker, WorkerState

from ocitui.core.errors import OcituiError
from ocitui.core.events import Event, Retrying
from ocitui.core.layout import Layout
from ocitui.core.text_safety import one_line_safe, terminal_safe
from ocitui.core.verify.badges import VerdictCache
from ocitui.core.verify.trust import Policy
from ocitui.tui.commands import OcituiCommands
from ocitui.tui.errorlog import ErrorLog, copy_text
from ocitui.tui.keymap import default_keymap_path, load_keymap
from ocitui.tui.screens.attach import AttachDialog, AttachRequest
from ocitui.tui.screens.browse import BrowseScreen
from ocitui.tui.screens.diff import DiffScreen
from ocitui.tui.screens.errors import ErrorLogScreen
from ocitui.tui.screens.help import HelpScreen
from ocitui.tui.screens.referrers import ReferrersScreen
from ocitui.tui.theme import ANSI_DARK, ANSI_LIGHT, THEMES
from ocitui.tui.widgets.layout_tree import NodeData

if TYPE_CHECKING:
    from textual.screen import Screen

    from ocitui.core.registry import RegistryClient

PANE_MODES = ("browse", "referrers", "diff", "sync", "registry")


def _sync_screen() -> Screen[None]:
    """The Sync pane, imported when first shown (it brings the registry client, whose
    HTTP stack is a large part of the start-up time Browse does not need)."""
    from ocitui.tui.screens.sync import SyncScreen

    return SyncScreen()


def _registry_screen() -> Screen[None]:
    """The Registry pane, imported when first shown (it too brings the registry client)."""
    from ocitui.tui.screens.registry import RegistryScreen

    return RegistryScreen()


class OcituiApp(App[int]):
    """ocitui's terminal UI over one layout."""

    TITLE = "ocitui"
    CSS_PATH = "styles/app.tcss"
    MODES: ClassVar = {
        "browse": BrowseScreen,
        "referrers": ReferrersScreen,
        "diff": DiffScreen,
        "sync": _sync_screen,
        "registry": _registry_screen,
    }
    COMMANDS = App.COMMANDS | {OcituiCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("e", "errors", "Errors", show=False, id="app.errors"),
        Binding("y", "copy(False)", "Copy digest", show=False, id="app.copy_digest"),
        Binding("Y", "copy(True)", "Copy reference", show=False, id="app.copy_ref"),
        Binding("1", "pane('browse')", "Browse", show=False, id="app.browse"),
        Binding("2", "pane('referrers')", "Referrers", show=False, id="app.referrers"),
        Binding("3", "pane('diff')", "Diff", show=False, id="app.diff"),
        Binding("4", "pane('sync')", "Sync", show=False, id="app.sync"),
        Binding("5", "pane('registry')", "Registry", show=False, id="app.registry"),
    ]

    def __init__(
        self,
        layout: Layout,
        *,
        keymap_path: Path | None = None,
        registry_factory: Callable[..., object] | None = None,
        policy: Policy | None = None,
        ref: str | None = None,
        theme: str = "dark",
    ) -> None:
        """``keymap_path`` is the user's keymap file (``None``: no user keymap is read);
        ``registry_factory`` builds registry clients for Sync (tests inject fakes);
        ``policy`` turns on signature badges (Browse) and verdicts (Referrers); ``ref`` is
        what Browse opens at (a tag, short form or digest); ``theme`` is ``dark`` or
        ``light`` (:mod:`ocitui.tui.theme`; NO_COLOR is honoured either way)."""
        super().__init__()
        self.initial_theme = THEMES.get(theme, THEMES["dark"])
        # Colours that carry meaning stay readable and distinct on either background.
        self.ansi_theme_dark = ANSI_DARK
        self.ansi_theme_light = ANSI_LIGHT
        self.layout = layout
        #: Verdicts under the verification policy, cached by digest (``None``: no policy).
        self.verdicts = VerdictCache(policy) if policy is not None else None
        self.initial_ref = ref
        self.error_log = ErrorLog()
        self.keymap_path = keymap_path
        self.registry_factory = registry_factory
        self.selection: NodeData | None = None
        #: The top-level tree node (a tag's reference) the selection hangs under.
        self.selection_top: str | None = None
        self.mark: NodeData | None = None
        self.diff_pair: tuple[NodeData, NodeData] | None = None
        #: Artifact type the Referrers pane filters by (``None``: all).
        self.referrer_type: str | None = None

    def on_mount(self) -> None:
        """Apply the theme and the keymap, then open Browse."""
        self.theme = self.initial_theme
        if self.keymap_path is not None:
            try:
                self.set_keymap(load_keymap(self.keymap_path))
            except OcituiError as exc:
                self.show_error(exc, title="Keymap ignored")
        self.switch_mode("browse")

    # -- panes ---------------------------------------------------------------------------

    def switch_pane(self, mode: str) -> None:
        """Show one of the five panes (no-op if it is already showing)."""
        if mode in PANE_MODES and self.current_mode != mode:
            self.switch_mode(mode)

    def action_pane(self, mode: str) -> None:
        """Key ``1``..``5``."""
        self.switch_pane(mode)

    def action_help(self) -> None:
        """Show every active key of the current pane, generated from its bindings."""
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(
            HelpScreen(
                self.screen.active_bindings, self.screen.title or (self.current_mode or "ocitui")
            )
        )

    # -- shared actions ------------------------------------------------------------------

    def start_diff(self, other: NodeData) -> None:
        """Diff the mark against ``other`` in the Diff pane."""
        if self.mark is None:
            self.notify(
                "Mark one side first with m, then select the other and press d.",
                severity="warning",
                title="Diff",
            )
            return
        self.diff_pair = (self.mark, other)
        if self.current_mode == "diff" and isinstance(self.screen, DiffScreen):
            self.screen.start()
        else:
            self.switch_pane("diff")

    def attach_to(self, data: NodeData, then: Callable[[], None] | None = None) -> None:
        """Ask for a file and an artifact type; attach it to ``data`` as a new referrer."""
        from ocitui.core.layout.attach import attach

        subject = data.info.descriptor if data.info is not None else None
        if subject is None:
            return

        def done(request: AttachRequest | None) -> None:
            if request is None:
                return
            try:
                entry = attach(
                    self.layout,
                    str(subject.digest),
                    request.artifact_type,
                    request.files,
                    request.annotations,
                )
            except OcituiError as exc:
                self.show_error(exc, "Attach failed")
                return
            self.notify(f"Attached {entry.digest.short} ({request.artifact_type})", title="Attach")
            if then is not None:
                then()

        self.push_screen(AttachDialog(data.name), done)

    def goto_ref(self, ref: str) -> None:
        """Open Browse with the cursor on the tag named ``ref``."""
        self.switch_pane("browse")
        self.call_after_refresh(self._select_in_browse, ref)

    def _select_in_browse(self, ref: str) -> None:
        if isinstance(self.screen, BrowseScreen):
            self.screen.select_ref(ref)

    def referrers_of_type(self, artifact_type: str | None) -> None:
        """Open Referrers filtered by ``artifact_type``."""
        self.referrer_type = artifact_type
        if isinstance(self.screen, ReferrersScreen):
            self.screen.action_refresh()
        else:
            self.switch_pane("referrers")

    def registry_client(self) -> RegistryClient:
        """A new registry client (the injected factory's, in tests); use it with ``async with``."""
        from ocitui.core.registry import RegistryClient

        factory = self.registry_factory
        client = cast("RegistryClient", factory()) if factory is not None else RegistryClient()
        client.listen(self.registry_event)
        return client

    def registry_event(self, event: Event) -> None:
        """A registry client's retry, as it happens: logged (``e``), a short warning toast,
        and the current screen's status when it shows one (``show_retry``)."""
        if not isinstance(event, Retrying):
            return
        self.error_log.add(event.message, "Retrying", severity="warning")
        self.notify(event.message, title="Retrying", severity="warning", timeout=4)
        show = getattr(self.screen, "show_retry", None)
        if callable(show):
            show(event)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast: names, tags and error text come from layouts and registries, so
        they pass the terminal sanitiser and are never read as markup (widgets' own
        ``notify`` calls land here too)."""
        super().notify(
            terminal_safe(message),
            title=one_line_safe(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def show_error(self, error: BaseException, title: str = "Error") -> None:
        """Show an error as a one-line notification (never a traceback) and keep it in the
        error log (``e``)."""
        entry = self.error_log.add(error, title)
        self.notify(entry.message, title=entry.title, severity="error", timeout=8)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one handler for worker failures: a notification, not a crash."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.show_error(event.worker.error, title=event.worker.group or "Error")

    def action_errors(self) -> None:
        """Key ``e``: the persistent, scrollable log of every error shown so far."""
        if not isinstance(self.screen, ErrorLogScreen):
            self.push_screen(ErrorLogScreen(self.error_log))

    def action_copy(self, full: bool) -> None:
        """``y`` copies the selection's digest, ``Y`` its full reference (OSC 52: works over
        SSH and in tmux with ``set-clipboard on``)."""
        data = self.selection
        if data is None or data.info is None:
            self.notify("Select a tag, platform or referrer first.", severity="warning")
            return
        text = copy_text(self.selection_top, data.info.descriptor, full=full)
        self.copy_to_clipboard(text)
        self.notify(text, title="Copied reference" if full else "Copied digest")


def run_app(
    layout: Layout,
    *,
    keymap_path: Path | None = None,
    policy: Policy | None = None,
    registry_factory: Callable[..., object] | None = None,
    ref: str | None = None,
    theme: str = "dark",
) -> int:
    """Run the TUI on ``layout`` until the user quits; returns the exit code.

    The user's keymap is ``platformdirs.user_config_dir("ocitui")/keymap.toml`` (or
    ``.json``) unless ``keymap_path`` is given; ``registry_factory`` builds the registry
    clients (the launcher passes one made from ``--plain-http``, ``--insecure``,
    ``--ca-file``, ``--registry-config``); ``theme`` is ``dark`` or ``light``.
    """
    app = OcituiApp(
        layout,
        keymap_path=keymap_path or default_keymap_path(),
        policy=policy,
        registry_factory=registry_factory,
        ref=ref,
        theme=theme,
    )
    result = app.run()
    return int(result or 0)

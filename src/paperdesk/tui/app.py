"""The desk application: ``paperdesk`` without a command.

The data arrives in two steps (:mod:`paperdesk.tui.opening`): the catalog and a raw look at
the store from a thread started before Textual was imported, which fill the desk as it mounts
(or right after the empty layout, when they are not there yet); then the validated store,
opened by the writer thread's first job. From then on every store call goes through that one
writer thread (:mod:`paperdesk.tui.writer`). Quitting writes everything still pending first. A
workspace or store that cannot be opened ends the app with the one-line error the CLI prints.
"""

from __future__ import annotations

import gc
import os
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import Notify

from paperdesk.errors import PaperdeskError
from paperdesk.tui.commands import DeskCommands
from paperdesk.tui.opening import (
    AFTER_FIRST_FRAME,
    FIRST_FRAME_WAIT_MAX,
    THEME_SETTING,
    Opened,
    Settled,
    settle_desk,
    start_opening,
)
from paperdesk.tui.screens.desk import DeskScreen
from paperdesk.tui.text import clean
from paperdesk.tui.writer import Job, StoreWriter

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.notifications import SeverityLevel
    from textual.theme import Theme

    from paperdesk.tui.keymap import Chain, KeyHelp
    from paperdesk.workspace import Workspace


class PaperdeskApp(App[None]):
    """A keyboard-first reading desk for research-paper lists."""

    CSS_PATH = "app.tcss"
    TITLE = "paperdesk"
    COMMANDS: ClassVar = App.COMMANDS | {DeskCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
    ]

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        catalog: str | os.PathLike[str] | None = None,
        *,
        opening: Future[Opened] | None = None,
    ) -> None:
        """``opening``: the data already being opened (``run_desk`` starts it before importing
        Textual); by default it starts when the app starts, while Textual builds the layout."""
        super().__init__()
        self.home = home
        self.catalog_path = catalog
        self.writer: StoreWriter | None = None
        self.workspace: Workspace | None = None
        self.open_error: PaperdeskError | None = None
        self.desk = DeskScreen()
        self._first_frame_out = threading.Event()
        self._opening = opening

    def on_load(self) -> None:
        if self._opening is None:
            self._opening = start_opening(self.home, self.catalog_path)

    def get_default_screen(self) -> DeskScreen:
        """The desk is the first screen itself: no blank screen pushed over and suspended."""
        return self.desk

    def desk_mounted(self) -> None:
        """Fill the desk now if its data is there (it then shows in the first frame), else
        when it arrives."""
        assert self._opening is not None, "opening starts on load"
        if self._opening.done():
            self._opened(self._opening)
        else:
            self._wait_for_opening()

    @work(thread=True, name="wait-for-opening")
    def _wait_for_opening(self) -> None:
        """Fill the desk when the data arrives (a bug on the way ends the app, shown)."""
        opening = self._opening
        assert opening is not None
        opening.exception()  # waits until it is done, either way
        self.call_from_thread(self._opened, opening)

    def _opened(self, opening: Future[Opened]) -> None:
        error = opening.exception()
        if error is not None:
            self.fail(error)
            return
        opened = opening.result()
        # Tens of thousands of long-lived papers: keep the cyclic GC from rescanning them
        # in the middle of a keystroke (a full collection at 50k papers takes ~1 s), and let
        # it run again if start-up paused it (run_desk).
        gc.freeze()
        gc.enable()
        self.workspace = opened.workspace
        self.writer = StoreWriter()
        self._apply_theme(opened.theme)
        from paperdesk.tui.keymap import check_keymap

        keymap, problems = check_keymap(
            self.workspace.locations.config, opened.keymap, self.binding_chains
        )
        if keymap:
            self.set_keymap(keymap)
        problems = [*opened.config_problems, *problems]
        if problems:  # one message that names every problem
            noun = "problem" if len(problems) == 1 else "problems"
            self.notify(
                "\n".join(problems),
                title=f"config.toml: {len(problems)} {noun}; defaults used for those",
                severity="warning",
                timeout=15,
                markup=False,
            )
        self.desk.load(opened.workspace, opened.model, opened.view, opened.todo_due)
        if opened.triage is not None:
            self.desk.triage_positions = opened.triage
        ws, catalog = opened.workspace, opened.model.catalog
        model = opened.model
        shown = self._first_frame_out

        def settle() -> Settled:
            # The writer's first job, so the store's later jobs wait behind it.
            shown.wait(timeout=FIRST_FRAME_WAIT_MAX)
            return settle_desk(ws, catalog)

        self.submit(Job("settle", settle, self.desk, model, gate=True))
        self.call_after_refresh(self.set_timer, AFTER_FIRST_FRAME, shown.set)

    def fail(self, error: BaseException) -> None:
        """The workspace or the store could not be opened: end with its one-line error."""
        if isinstance(error, OSError):  # one no check foresaw: still one line, as in the CLI
            where = f" ({error.filename})" if error.filename else ""
            error = PaperdeskError(f"cannot open the desk: {error.strerror or error}{where}")
        if not isinstance(error, PaperdeskError):
            raise error  # a bug: let Textual show it
        self.open_error = error
        self.exit(return_code=error.exit_code)

    # -- settings --------------------------------------------------------------------------

    def _apply_theme(self, name: str | None) -> None:
        if name and name in self.available_themes:
            self.theme = name
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        ws = self.workspace
        if ws is not None:
            self.submit(Job("setting", lambda: ws.store.set_setting(THEME_SETTING, theme.name)))

    @staticmethod
    def binding_chains() -> list[Chain]:
        """Every screen's bindings as they compete for keys (title, classes: the app, the
        screen, the focused widget), for checking the user's remaps."""
        from paperdesk.tui.screens.confirm import ConfirmScreen
        from paperdesk.tui.screens.export import ExportForm
        from paperdesk.tui.screens.help import HelpScreen
        from paperdesk.tui.screens.stats import StatsScreen
        from paperdesk.tui.screens.status_choice import StatusChoice
        from paperdesk.tui.screens.todo import TodoForm, TodoScreen
        from paperdesk.tui.screens.triage import TriageScreen
        from paperdesk.tui.screens.view_name import ViewNameForm
        from paperdesk.tui.widgets.nav_tree import NavTree
        from paperdesk.tui.widgets.note_editor import NoteEditor
        from paperdesk.tui.widgets.paper_detail import PaperDetail
        from paperdesk.tui.widgets.paper_list import PaperList
        from paperdesk.tui.widgets.search_bar import SearchBar
        from paperdesk.tui.widgets.triage_card import TriageCard

        app = PaperdeskApp
        return [
            ("Library", [app, DeskScreen, NavTree]),
            ("Paper list", [app, DeskScreen, PaperList]),
            ("Paper detail", [app, DeskScreen, PaperDetail]),
            ("Note editor", [app, DeskScreen, NoteEditor]),
            ("Search", [app, DeskScreen, SearchBar]),
            ("TODO screen", [app, TodoScreen]),
            ("TODO form", [app, TodoForm]),
            ("Triage", [app, TriageScreen, TriageCard]),
            ("Help", [app, HelpScreen]),
            ("Confirmation", [app, ConfirmScreen]),
            ("Status of a bulk mark", [app, StatusChoice]),
            ("Statistics", [app, StatsScreen]),
            ("Export form", [app, ExportForm]),
            ("View name form", [app, ViewNameForm]),
        ]

    # -- services for the screens ----------------------------------------------------------

    def submit(self, job: Job) -> None:
        if self.writer is not None:
            self.writer.submit(job)

    @property
    def writer_busy(self) -> bool:
        return self.writer is not None and self.writer.busy

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is inert text: titles, notes and errors in it are user text."""
        super().notify(
            clean(message, multiline=True),
            title=clean(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def triage(self, venue: str) -> None:
        """Open triage of ``venue`` (a name as the catalog or a TODO conference gives it)."""
        self.desk.open_triage(venue)

    def fetch_venue(self, venue: str) -> None:
        """Fetch ``venue`` from DBLP (a worker of the desk's), then triage it."""
        self.desk.fetch_venue(venue)

    def copy_text(self, text: str, what: str) -> None:
        from paperdesk.tui.clipboard import TERMINAL, copy, tmux_hint

        # pasted into a terminal, it must not act either
        route = copy(self, clean(text, multiline=True))
        hint = tmux_hint() if route == TERMINAL else None
        message = f"Copied {what} to {route}." + (f"\n{hint}" if hint else "")
        self.notify(message, markup=False, timeout=10 if hint else 4)

    def open_link(self, url: str) -> None:
        """Open ``url`` in a browser; where none can be, say why, and show and copy it."""
        from paperdesk.tui.browser import open_in_browser, why_not_local
        from paperdesk.tui.clipboard import TERMINAL, copy, tmux_hint

        why = why_not_local()
        if why is None:
            open_in_browser(url)
            self.notify(f"Opening {clean(url)}", markup=False, timeout=4)
            return
        route = copy(self, clean(url))
        hint = tmux_hint() if route == TERMINAL else None
        self.notify(
            f"{clean(url)}\nNot opened: {why}. Copied the link to {route}."
            + (f"\n{hint}" if hint else ""),
            markup=False,
            timeout=10,
        )

    def _on_notify(self, _: Notify) -> None:
        """One toast at a time: a new message replaces the one on screen (Textual's own
        handler, which runs next, shows it)."""
        self.clear_notifications()

    # -- actions ---------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit after every pending write (and the note being typed) reached the store."""
        self._first_frame_out.set()  # the writer waits for it before its first job
        self.desk.flush()
        if self.writer is not None:
            await self.writer.drain()
        self.exit()

    def exit(
        self,
        result: None = None,
        return_code: int = 0,
        message: RenderableType | None = None,
    ) -> None:
        """Whatever ends the app, what was typed is queued; :func:`run_desk` then waits for
        the writer before returning."""
        self._first_frame_out.set()  # a store job waiting for it can run (or fail) now
        self.desk.flush()
        super().exit(result, return_code, message)

    def action_help(self) -> None:
        from paperdesk.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(*self.key_sections()))

    def key_sections(self) -> tuple[list[tuple[str, list[KeyHelp]]], list[KeyHelp]]:
        """paperdesk's own keys of the current screen, section by section (the app's first),
        and the generic keys of Textual's widgets (bindings without an id), once each."""
        from paperdesk.tui.keymap import KeyHelp, key_help

        screen = self.screen
        nodes = [("Everywhere", self), *getattr(screen, "key_nodes", list)()]
        sections: list[tuple[str, list[KeyHelp]]] = []
        generic: dict[tuple[tuple[str, ...], str], KeyHelp] = {}
        for title, node in nodes:
            own = []
            for item in key_help(node):
                if item.binding_id is None:
                    generic.setdefault((item.keys, item.description), item)
                else:
                    own.append(item)
            sections.append((title, own))
        palette = [
            KeyHelp(("ctrl+p",), name, action, None)
            for name, action, _ in getattr(screen, "PALETTE_ACTIONS", ())
        ]
        sections.append(("Palette only (ctrl+p)", palette))
        return sections, list(generic.values())


def make_app(
    home: str | os.PathLike[str] | None = None,
    catalog: str | os.PathLike[str] | None = None,
    *,
    opening: Future[Opened] | None = None,
) -> PaperdeskApp:
    """The desk for a home and an optional ``--catalog`` file (the entry point and tests)."""
    return PaperdeskApp(home=home, catalog=catalog, opening=opening)


def run_app(app: PaperdeskApp) -> int:
    """Run the desk; the exit code. A workspace that cannot be opened is raised after the
    terminal is restored, so the CLI prints its one line."""
    try:
        app.run()
    finally:
        if app.writer is not None:
            app.writer.close()
    if app.open_error is not None:
        raise app.open_error
    return app.return_code or 0

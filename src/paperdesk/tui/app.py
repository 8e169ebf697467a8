"""The desk application: ``paperdesk`` without a command.

The first frame shows the layout at once; a thread worker opens the workspace (parsing the
lists, reading the store) and fills it. From then on every store call goes through one writer
thread (:mod:`paperdesk.tui.writer`). Quitting writes everything still pending first. A
workspace that cannot be opened ends the app with the one-line error the CLI prints.
"""

from __future__ import annotations

import gc
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from paperdesk.errors import PaperdeskError
from paperdesk.tui.commands import DeskCommands
from paperdesk.tui.screens.desk import DeskScreen
from paperdesk.tui.writer import Job, StoreWriter

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.theme import Theme

    from paperdesk.tui.desk_model import DeskModel, MetadataSource
    from paperdesk.tui.keymap import KeyHelp
    from paperdesk.workspace import Workspace

THEME_SETTING = "theme"


@dataclass
class Loaded:
    """What the loading worker hands to the UI thread."""

    workspace: Workspace
    model: DeskModel
    theme: str | None
    metadata: MetadataSource | None
    keymap: dict[str, str]
    keymap_problems: list[str]


def open_desk(
    home: str | os.PathLike[str] | None, catalog: str | os.PathLike[str] | None
) -> Loaded:
    """Open the workspace and build everything the first screen needs (off the UI thread)."""
    from paperdesk.tui.desk_model import DeskModel
    from paperdesk.workspace import Workspace

    ws = Workspace.open(home=home, catalog=catalog)
    catalog_view = ws.catalog
    catalog_view.venues  # noqa: B018 - the tree needs them; built here, off the UI thread
    model = DeskModel(catalog_view, ws.store.states(), new_since_sync=_new_since_sync(ws))
    metadata = _metadata_source(ws)
    if metadata is not None:
        model.metadata = metadata.all()
    from paperdesk.tui.keymap import binding_ids, load_keymap

    keymap, problems = load_keymap(
        ws.locations.config, lambda: binding_ids(PaperdeskApp.binding_classes())
    )
    theme = ws.store.get_setting(THEME_SETTING)
    return Loaded(ws, model, theme, metadata, keymap, problems)


def _metadata_source(ws: Workspace) -> MetadataSource | None:
    """The home's arXiv metadata cache, when this paperdesk can enrich papers."""
    try:
        from paperdesk.arxiv import MetadataCache
    except ImportError:
        return None
    return MetadataCache(ws.locations)


def _new_since_sync(ws: Workspace) -> set[str] | None:
    """Ids new since the last sync, when this paperdesk has the sync feature."""
    try:
        from paperdesk.sync import new_since_last_sync
    except ImportError:
        return None
    return set(new_since_last_sync(ws.locations))


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
    ) -> None:
        super().__init__()
        self.home = home
        self.catalog_path = catalog
        self.writer: StoreWriter | None = None
        self.workspace: Workspace | None = None
        self.open_error: PaperdeskError | None = None
        self.desk = DeskScreen()
        # Opening starts now, not when the app has mounted: the lists parse while Textual
        # builds and paints the empty layout. The worker started on mount waits for it.
        opener = ThreadPoolExecutor(1, "paperdesk-open")
        self._opening: Future[Loaded] = opener.submit(open_desk, home, catalog)
        opener.shutdown(wait=False)

    def get_default_screen(self) -> DeskScreen:
        """The desk is the first screen itself: no blank screen pushed over and suspended."""
        return self.desk

    def on_desk_screen_ready(self, _: DeskScreen.Ready) -> None:
        self._load()

    @work(thread=True, exit_on_error=False, name="open-workspace")
    def _load(self) -> Loaded:
        return self._opening.result()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "open-workspace":
            return
        if event.state == WorkerState.SUCCESS:
            loaded: Loaded = event.worker.result  # type: ignore[assignment]
            # Tens of thousands of long-lived papers: keep the cyclic GC from rescanning them
            # in the middle of a keystroke (a full collection at 50k papers takes ~1 s).
            gc.freeze()
            self.workspace = loaded.workspace
            self.writer = StoreWriter()
            self._apply_theme(loaded.theme)
            if loaded.keymap:
                self.set_keymap(loaded.keymap)
            for problem in loaded.keymap_problems:
                self.notify(problem, severity="warning", timeout=8, markup=False)
            self.desk.load(loaded.workspace, loaded.model, loaded.metadata)
            # the search index, after the first frame rather than before it
            catalog = loaded.model.catalog
            self.submit(Job("warm-up", lambda: catalog.search_keys))
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, PaperdeskError):
                self.open_error = error
                self.exit(return_code=error.exit_code)
            else:
                raise error  # a bug: let Textual show it

    # -- settings --------------------------------------------------------------------------

    def _apply_theme(self, name: str | None) -> None:
        if name and name in self.available_themes:
            self.theme = name
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        ws = self.workspace
        if ws is not None:
            store = ws.store
            self.submit(Job("setting", lambda: store.set_setting(THEME_SETTING, theme.name)))

    @staticmethod
    def binding_classes() -> list[type]:
        """Every class whose bindings a user may remap."""
        from paperdesk.tui.screens.confirm import ConfirmScreen
        from paperdesk.tui.screens.export import ExportForm
        from paperdesk.tui.screens.help import HelpScreen
        from paperdesk.tui.screens.stats import StatsScreen
        from paperdesk.tui.screens.todo import TodoForm, TodoScreen
        from paperdesk.tui.widgets.nav_tree import NavTree
        from paperdesk.tui.widgets.note_editor import NoteEditor
        from paperdesk.tui.widgets.paper_detail import PaperDetail
        from paperdesk.tui.widgets.paper_list import PaperList
        from paperdesk.tui.widgets.search_bar import SearchBar

        return [
            PaperdeskApp,
            DeskScreen,
            NavTree,
            PaperList,
            PaperDetail,
            NoteEditor,
            SearchBar,
            TodoScreen,
            TodoForm,
            HelpScreen,
            ConfirmScreen,
            StatsScreen,
            ExportForm,
        ]

    # -- services for the screens ----------------------------------------------------------

    def submit(self, job: Job) -> None:
        if self.writer is not None:
            self.writer.submit(job)

    @property
    def writer_busy(self) -> bool:
        return self.writer is not None and self.writer.busy

    def copy_text(self, text: str, what: str) -> None:
        from paperdesk.tui.clipboard import copy

        route = copy(self, text)
        self.notify(f"Copied {what} to {route}.", markup=False, timeout=4)

    def open_link(self, url: str) -> None:
        from paperdesk.tui.browser import can_open_locally, open_in_browser
        from paperdesk.tui.clipboard import copy
        from paperdesk.tui.text import clean

        if can_open_locally():
            open_in_browser(url)
            self.notify(f"Opening {clean(url)}", markup=False, timeout=4)
        else:
            route = copy(self, url)
            self.notify(
                f"{clean(url)}\nNo local browser here (SSH): copied to {route}.",
                markup=False,
                timeout=10,
            )

    # -- actions ---------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit after every pending write (and the note being typed) reached the store."""
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
        self.desk.flush()
        super().exit(result, return_code, message)

    def action_help(self) -> None:
        from paperdesk.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.key_sections()))

    def key_sections(self) -> list[tuple[str, list[KeyHelp]]]:
        """The keys of the current screen, section by section, then the app's own."""
        from paperdesk.tui.keymap import KeyHelp, key_help

        screen = self.screen
        nodes = getattr(screen, "key_nodes", list)()
        sections = [(title, key_help(node)) for title, node in nodes]
        palette = [
            KeyHelp(("ctrl+p",), name, action, None)
            for name, action, _ in getattr(screen, "PALETTE_ACTIONS", ())
        ]
        return [*sections, ("Palette only (ctrl+p)", palette), ("Everywhere", key_help(self))]


def make_app(
    home: str | os.PathLike[str] | None = None, catalog: str | os.PathLike[str] | None = None
) -> PaperdeskApp:
    """The desk for a home and an optional ``--catalog`` file (the entry point and tests)."""
    return PaperdeskApp(home=home, catalog=catalog)


def run_desk(
    home: str | os.PathLike[str] | None = None, catalog: str | os.PathLike[str] | None = None
) -> int:
    """Run the desk; the exit code. A workspace that cannot be opened is raised after the
    terminal is restored, so the CLI prints its one line."""
    app = make_app(home, catalog)
    try:
        app.run()
    finally:
        if app.writer is not None:
            app.writer.close()
    if app.open_error is not None:
        raise app.open_error
    return app.return_code or 0

"""Opening the desk, in two steps, so the first frame waits for neither pydantic nor the store.

1. :func:`open_desk` reads the catalog from the home's catalog cache and, straight from the
   store file (:mod:`paperdesk.state.glance`), the statuses and notes, the inbox, the TODO
   dates and the view the desk was left in: plain JSON, ~2 ms of work with the shipped list
   and ~0.2 s at 50,000 papers. It needs no Textual, so :func:`start_opening` runs it in a
   thread started before Textual is even imported: the two overlap, and the data is usually
   there when the desk mounts, so the first frame already shows the papers, where they were
   left.
2. :func:`settle_desk`, the writer thread's first job once the desk is on screen, opens and
   validates the store, reads the arXiv metadata and builds the search index (the search keys
   and the query's field index); the validated states and inbox then replace the first look.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from paperdesk.tui.selection import ALL, Selection

if TYPE_CHECKING:
    from paperdesk.catalog.merged import Catalog
    from paperdesk.catalog.models import ArxivMetadata, DblpMetadata
    from paperdesk.state.glance import TodoLook
    from paperdesk.state.models import PaperState
    from paperdesk.tui.desk_model import DeskModel, MetadataSource
    from paperdesk.tui.triage_model import TriagePositions
    from paperdesk.workspace import Workspace

THEME_SETTING = "theme"
#: The store setting that holds the view the desk was left in (JSON, see DeskScreen.load).
VIEW_SETTING = "desk.view"
#: How long after the first frame is composed the rest of the opening starts (settling, the
#: note editor). Textual's driver writes a frame from a thread of its own, which needs the
#: interpreter for a moment: work started at once (importing pydantic, say) holds that write
#: back by up to a tenth of a second in a real terminal.
AFTER_FIRST_FRAME = 0.1
#: How long the store's first job waits for that signal at most: the app's timer cannot fire
#: while one of its actions runs, and quitting sends the signal itself.
FIRST_FRAME_WAIT_MAX = 1.0


@dataclass(frozen=True)
class DeskView:
    """The view the desk was left in, kept per home in the store's settings: the Library node,
    the sort, the status filter, the search text, the selected paper and the focused pane."""

    selection: Selection | None = None
    sort: str = "list"
    status: str | None = None
    search: str = ""
    paper: str | None = None
    focus: str = "papers"

    def dumps(self) -> str:
        record = {
            "selection": self.selection.as_record() if self.selection else None,
            "sort": self.sort,
            "status": self.status,
            "search": self.search,
            "paper": self.paper,
            "focus": self.focus,
        }
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def loads(cls, text: str | None) -> DeskView | None:
        """The view in ``text`` (None when there is none); a field that is not what it should
        be is left at its default, so a damaged setting never stops the desk."""
        if not text:
            return None
        try:
            record = json.loads(text)
        except ValueError:
            return None
        if not isinstance(record, dict):
            return None

        def text_of(name: str) -> str | None:
            value = record.get(name)
            return value if isinstance(value, str) else None

        return cls(
            selection=Selection.from_record(record.get("selection")),
            sort=text_of("sort") or "list",
            status=text_of("status"),
            search=text_of("search") or "",
            paper=text_of("paper"),
            focus=text_of("focus") or "papers",
        )


@dataclass
class Opened:
    """What the opening thread hands to the UI thread: everything the first frame shows."""

    workspace: Workspace
    model: DeskModel
    theme: str | None
    keymap: dict[str, Any]
    #: What is wrong in config.toml (the desk uses its defaults for those).
    config_problems: list[str]
    #: The view the desk was left in (None: start on All).
    view: DeskView | None = None
    todo_due: tuple[int, int] = (0, 0)
    #: Where triage was left, per venue (None: nowhere yet).
    triage: TriagePositions | None = None


@dataclass
class Settled:
    """What the writer thread read once the desk was on screen: the validated store and more."""

    states: dict[str, PaperState]
    inbox: set[str]
    metadata_source: MetadataSource
    metadata: dict[str, ArxivMetadata]
    todo_due: tuple[int, int]
    #: What DBLP said of fetched venues' papers (authors, DOI, pages), by paper id.
    dblp: dict[str, DblpMetadata]


def start_opening(
    home: str | os.PathLike[str] | None, catalog: str | os.PathLike[str] | None
) -> Future[Opened]:
    """Run :func:`open_desk` in a thread of its own; the future holds its result or error.

    A daemon thread: quitting while a big list still opens does not wait for it."""
    future: Future[Opened] = Future()

    def run() -> None:
        try:
            future.set_result(_open_without_gc(home, catalog))
        except BaseException as error:  # handed to the UI thread, which reports it
            future.set_exception(error)

    threading.Thread(target=run, name="paperdesk-open", daemon=True).start()
    return future


def open_desk(
    home: str | os.PathLike[str] | None, catalog: str | os.PathLike[str] | None
) -> Opened:
    """The first frame's data: the catalog, a raw look at the store, the user's settings."""
    from paperdesk.config import desk_settings, read_table
    from paperdesk.errors import InputError
    from paperdesk.state.glance import glance
    from paperdesk.tui.desk_model import FEW_ROWS, DeskModel, due_counts
    from paperdesk.tui.keymap import keymap_table
    from paperdesk.tui.triage_model import TRIAGE_SETTING, TriagePositions
    from paperdesk.workspace import Workspace

    ws = Workspace.open(home=home, catalog=catalog)
    catalog_view = ws.catalog
    catalog_view.venues  # noqa: B018 - the tree needs them; built here, off the UI thread
    look = glance(ws.locations.store)
    try:
        table = read_table(ws.locations)
        problems: list[str] = []
    except InputError as exc:
        table, problems = {}, [f"{exc}; the desk uses its default keys and settings"]
    keymap, keymap_problems = keymap_table(ws.locations.config, table)
    desk, desk_problems = desk_settings(ws.locations, table)
    model = DeskModel.at_first_look(
        catalog_view, look.states, inbox=look.inbox, feeds_in_all=desk["feeds_in_all"]
    )
    model.set_views(look.views)
    todos = first_todos(look.todos, catalog_view.parts.todos)
    view = None if catalog is not None else DeskView.loads(look.settings.get(VIEW_SETTING))
    if view is not None and view.search.strip() and restored_rows(model, view) > FEW_ROWS:
        catalog_view.search_keys  # noqa: B018 - the restored search runs in the first frame
    return Opened(
        ws,
        model,
        look.settings.get(THEME_SETTING),
        keymap,
        [*problems, *keymap_problems, *desk_problems],
        view,
        due_counts(todos, dt.date.today()),
        TriagePositions.loads(look.settings.get(TRIAGE_SETTING)),
    )


def restored_rows(model: DeskModel, view: DeskView) -> int:
    """How many papers the view the desk reopens on holds (0: it is gone, All opens)."""
    from paperdesk.errors import PaperdeskError

    try:
        return len(model.rows_for(view.selection or ALL))
    except PaperdeskError:
        return 0


def first_todos(
    stored: Sequence[TodoLook], listed: Sequence[dict[str, Any]]
) -> list[tuple[str | None, bool]]:
    """Dates and done marks of the TODO conferences as the store file and the lists hold them
    (``Workspace.todos`` without the models): stored ones win, removed ones are gone."""
    known = {todo.name.casefold() for todo in stored}
    found = [(todo.date, todo.done) for todo in stored if not todo.removed]
    for item in listed:
        name = item["name"].casefold()
        if name not in known:
            known.add(name)
            found.append((item["date"], item["done"]))
    return found


def settle_desk(ws: Workspace, catalog: Catalog) -> Settled:
    """The validated store, the inbox, arXiv and DBLP metadata, TODO deadlines and the search
    index (writer thread)."""
    from paperdesk.catalog.metadata import DblpCache, MetadataCache
    from paperdesk.query.index import index_of
    from paperdesk.tui.desk_model import due_counts

    states = ws.store.states()
    inbox = set(ws.store.inbox())
    source = MetadataCache(ws.locations)
    metadata = source.all()
    todos = [(item.date, item.done) for item in ws.todos()]
    catalog.search_keys  # noqa: B018 - built before the first search keystroke needs it
    index_of(catalog).prepare()  # and so is what the query's fields compare
    todo_due = due_counts(todos, dt.date.today())
    return Settled(states, inbox, source, metadata, todo_due, DblpCache(ws.locations).all())


def _open_without_gc(
    home: str | os.PathLike[str] | None, catalog: str | os.PathLike[str] | None
) -> Opened:
    """:func:`open_desk` with the cyclic GC paused: loading allocates hundreds of thousands of
    long-lived strings and lists, and every collection they trigger rescans all of them."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return open_desk(home, catalog)
    finally:
        if paused:
            gc.enable()

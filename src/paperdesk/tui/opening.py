"""Opening the desk, in two steps, so the first frame waits for neither pydantic nor the store.

1. :func:`open_desk` reads the catalog from the home's catalog cache and the statuses and notes
   straight from the store file (:mod:`paperdesk.state.glance`): plain JSON, ~2 ms of work with the
   shipped list and ~0.2 s at 50,000 papers. It needs no Textual, so :func:`start_opening` runs
   it in a thread started before Textual is even imported: the two overlap, and the data is
   usually there when the desk mounts, so the first frame already shows the papers.
2. :func:`settle_desk`, the writer thread's first job once the desk is on screen, opens and
   validates the store, reads the arXiv metadata and the last sync, and builds the search index
   (the search keys and the query's field index);
   the validated states then replace the first look.
"""

from __future__ import annotations

import gc
import os
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from paperdesk.catalog.merged import Catalog
    from paperdesk.catalog.models import ArxivMetadata
    from paperdesk.state.models import PaperState
    from paperdesk.tui.desk_model import DeskModel, MetadataSource
    from paperdesk.workspace import Workspace

THEME_SETTING = "theme"
#: How long after the first frame is composed the rest of the opening starts (settling, the
#: note editor). Textual's driver writes a frame from a thread of its own, which needs the
#: interpreter for a moment: work started at once (importing pydantic, say) holds that write
#: back by up to a tenth of a second in a real terminal.
AFTER_FIRST_FRAME = 0.1
#: How long the store's first job waits for that signal at most: the app's timer cannot fire
#: while one of its actions runs, and quitting sends the signal itself.
FIRST_FRAME_WAIT_MAX = 1.0


@dataclass
class Opened:
    """What the opening thread hands to the UI thread: everything the first frame shows."""

    workspace: Workspace
    model: DeskModel
    theme: str | None
    keymap: dict[str, Any]
    keymap_problems: list[str]


@dataclass
class Settled:
    """What the writer thread read once the desk was on screen: the validated store and more."""

    states: dict[str, PaperState]
    metadata_source: MetadataSource
    metadata: dict[str, ArxivMetadata]
    new_since_sync: set[str]


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
    """The first frame's data: the catalog, a raw look at the store, the user's keymap."""
    from paperdesk.state.glance import glance
    from paperdesk.tui.desk_model import DeskModel
    from paperdesk.tui.keymap import read_keymap
    from paperdesk.workspace import Workspace

    ws = Workspace.open(home=home, catalog=catalog)
    catalog_view = ws.catalog
    catalog_view.venues  # noqa: B018 - the tree needs them; built here, off the UI thread
    look = glance(ws.locations.store)
    # "New since sync" is in the tree from the start; its papers come with the store
    model = DeskModel.at_first_look(catalog_view, look.states, new_since_sync=set())
    model.set_views(look.views)
    keymap, problems = read_keymap(ws.locations.config)
    return Opened(ws, model, look.settings.get(THEME_SETTING), keymap, problems)


def settle_desk(ws: Workspace, catalog: Catalog) -> Settled:
    """The validated store, arXiv metadata, new papers and the search index (writer thread)."""
    from paperdesk.catalog.metadata import MetadataCache
    from paperdesk.net.sync import new_since_last_sync
    from paperdesk.query.index import index_of

    states = ws.store.states()
    source = MetadataCache(ws.locations)
    metadata = source.all()
    new_since_sync = new_since_last_sync(ws.locations)
    catalog.search_keys  # noqa: B018 - built before the first search keystroke needs it
    index_of(catalog).prepare()  # and so is what the query's fields compare
    return Settled(states, source, metadata, new_since_sync)


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

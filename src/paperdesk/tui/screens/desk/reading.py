"""Saved views on the keys 1-9, and the reading queue's order (``+``/``-``).

A view is a query kept under a name in the store (``paperdesk view save``, or Save search as
view… here); the Library lists them with live counts. The Queue smart list shows the queued
papers in the order the user gives them. Both are shown from the model at once and written on
the writer thread; the store's answer (the views, the queue's order) then replaces what the
model guessed, and another process's changes arrive with the polls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType

from paperdesk.state.file_format import VIEW_KEYS
from paperdesk.tui.screens.desk.base import DeskBase
from paperdesk.tui.selection import ALL, QUEUED, Selection
from paperdesk.tui.widgets.nav_tree import NavTree
from paperdesk.tui.widgets.search_bar import SearchBar
from paperdesk.tui.writer import Job, JobDone, JobFailed

if TYPE_CHECKING:
    from paperdesk.state.models import SavedView
    from paperdesk.state.store import Store


def _pairs(views: list[SavedView]) -> list[tuple[str, str]]:
    return [(view.name, view.query) for view in views]


class DeskReading(DeskBase):
    """Views and the queue."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(str(n), f"open_view({n})", f"Saved view {n}", show=False, id=f"desk.view_{n}")
            for n in range(1, VIEW_KEYS + 1)
        ),
        Binding("plus", "move_queued(-1)", "Sooner in queue", show=False, id="desk.queue_up"),
        Binding("minus", "move_queued(1)", "Later in queue", show=False, id="desk.queue_down"),
    ]

    PALETTE_ACTIONS: ClassVar[list[tuple[str, str, str]]] = [
        ("Save search as view…", "save_view", "keep the search under a name, on a key 1-9"),
        ("Remove this saved view", "remove_view", "delete the saved view the list shows"),
    ]

    #: Queue moves sent to the store and not yet answered: until then the model's order wins.
    queue_moves = 0

    # -- views -------------------------------------------------------------------------------

    def action_open_view(self, number: int) -> None:
        model = self.model
        if model is None:
            return
        if number > len(model.views):
            self.notify(
                f"No saved view on {number}: save a search with ctrl+p, Save search as view, "
                "or paperdesk view save NAME QUERY.",
                timeout=5,
            )
            return
        name, query = model.views[number - 1]
        selection = Selection("view", name, name)
        self.query_one(NavTree).reveal(selection)
        self._select(selection)
        self.set_focus(self.paper_list)
        if model.view_count(name) is None:
            from paperdesk.query import QueryError, parse

            try:
                parse(query)
            except QueryError as error:
                self.notify(
                    f"View {name} shows nothing: {error}; save it again",
                    severity="warning",
                    markup=False,
                )

    def action_save_view(self) -> None:
        query = self.query_text.strip()
        if self.model is None or self.ws is None:
            return
        if not query:
            self.notify("Search first (/), then save the search as a view.", timeout=4)
            return
        if self.query_one(SearchBar).error is not None:
            self.notify("Fix the search first: the line under it says where.", timeout=4)
            return
        from paperdesk.tui.screens.view_name import ViewNameForm

        def named(name: str | None) -> None:
            if name:
                self._write("views", lambda store: self._saved(store, name, query), name)

        self.app.push_screen(ViewNameForm(query), named)

    @staticmethod
    def _saved(store: Store, name: str, query: str) -> list[SavedView]:
        store.save_view(name, query)
        return store.views()

    def action_remove_view(self) -> None:
        selection = self.selection
        if selection.kind != "view" or self.ws is None:
            self.notify("Open a saved view first (1-9, or in the Library).", timeout=4)
            return
        from paperdesk.tui.screens.confirm import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._write("views", lambda store: self._removed(store, selection.key), None)

        self.app.push_screen(ConfirmScreen(f"Remove the saved view {selection.key}?"), confirmed)

    @staticmethod
    def _removed(store: Store, name: str) -> list[SavedView]:
        store.remove_view(name)
        return store.views()

    def _views_shown(self, views: list[tuple[str, str]]) -> None:
        """The store's views replace the model's; the Library and a shown view follow."""
        model = self.model
        if model is None or views == model.views:
            return
        model.set_views(views)
        tree = self.query_one(NavTree)
        tree.show_views()
        if self.selection.kind == "view":
            if model.view_query(self.selection.key) is None:
                self.selection = ALL
                tree.reveal(ALL)
            self._show_rows(keep=self.current_row)

    # -- the queue ---------------------------------------------------------------------------

    def action_move_queued(self, offset: int) -> None:
        model, row = self.model, self.current_row
        if model is None or row is None or self.ws is None:
            return
        if model.status_of(row) != QUEUED:
            self.notify("This paper is not queued: press a to queue it.", timeout=3)
            return
        moved = model.move_in_queue(row, offset)
        if moved is None:
            where = "first" if offset < 0 else "last"
            self.notify(f"Already {where} in the queue.", timeout=2)
            return
        paper_id, before, place, size = moved
        if self._showing_queue():
            self._show_rows(keep=row)
        else:
            self.notify(f"Queue: now {place + 1} of {size}.", timeout=2)
        self.queue_moves += 1
        self._write("queue", lambda store: store.place_in_queue(paper_id, before=before), None)

    def _showing_queue(self) -> bool:
        return self.selection.kind == "smart" and self.selection.key == QUEUED

    def _queue_shown(self, order: list[str]) -> None:
        """The store's order replaces the model's, unless moves are still on their way."""
        model = self.model
        if model is None or self.queue_moves or order == model.queue:
            return
        model.queue = order
        if self._showing_queue() and self.sort == "list":
            self._show_rows(keep=self.current_row)

    # -- the store's answers -----------------------------------------------------------------

    def _read_views_and_queue(self) -> None:
        """Ask the store for the views and the queue (after opening, or another process's
        write)."""
        ws = self.ws
        if ws is not None:
            self.desk_app.submit(
                Job("reading", lambda: (_pairs(ws.store.views()), ws.store.queue()), self)
            )

    def on_job_done(self, message: JobDone) -> None:
        job = message.job
        if self.model is None:
            return
        if job.kind == "settle" or (job.kind == "poll" and job.result[0] is not None):
            self._read_views_and_queue()
        elif job.kind == "reading":
            views, order = job.result
            self._views_shown(views)
            self._queue_shown(order)
        elif job.kind in ("views", "queue"):
            result = self.written(job.result)
            if job.kind == "views":
                self._views_shown(_pairs(result))
                if job.data:
                    self._announce_view(job.data)
            else:
                self.queue_moves -= 1
                self._queue_shown(result)

    def _announce_view(self, name: str) -> None:
        model = self.model
        assert model is not None
        names = [view for view, _ in model.views]
        key = names.index(name) + 1 if name in names else 0
        on = f" on key {key}" if 0 < key <= VIEW_KEYS else ""
        self.notify(f"Saved view {name}{on}.", markup=False, timeout=4)

    def on_job_failed(self, message: JobFailed) -> None:
        job = message.job
        if job.kind not in ("views", "queue", "reading"):
            return
        if job.kind == "queue":
            self.queue_moves -= 1
        self.notify(f"Could not save: {message.error}", severity="error", markup=False)
        if job.kind != "reading":
            self._read_views_and_queue()  # show what the store holds

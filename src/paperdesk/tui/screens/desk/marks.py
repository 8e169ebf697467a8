"""Marks and undo: one key sets a status, shown at once and written on the writer thread.

A mark changes the in-memory model and redraws one line at once; the store write runs on the
writer thread, and a failure reverts the mark (:mod:`.replies`). Every mark is a step in the
store's log, and ``z`` reverts the last step through the store, exactly as ``paperdesk undo``
does: after a restart too, and a step made from the command line or on another machine.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

from paperdesk.tui.screens.desk.base import DeskBase
from paperdesk.tui.selection import ALL
from paperdesk.tui.widgets.nav_tree import NavTree
from paperdesk.tui.widgets.search_bar import SearchBar


class DeskMarks(DeskBase):
    """Status keys and undo."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "mark('read')", "Read", id="desk.mark_read"),
        Binding("i", "mark('reading')", "Reading", id="desk.mark_reading"),
        Binding("a", "mark('queued')", "Queue", id="desk.mark_queued"),
        Binding("x", "mark('skipped')", "Skip", id="desk.mark_skipped"),
        Binding("u", "mark('unread')", "Unread", show=False, id="desk.mark_unread"),
        Binding("z", "undo", "Undo", id="desk.undo"),
    ]

    def action_mark(self, status: str) -> None:
        row = self.current_row
        if self.model is None or row is None:
            return
        if status == "read" and self.model.status_of(row) == "read":
            status = "unread"
        self.set_status([row], status)

    def set_status(self, rows: list[int], status: str) -> None:
        """Show ``status`` on ``rows`` now and queue the write (one step of the log)."""
        model, ws = self.model, self.ws
        if model is None or ws is None:
            return
        previous = model.set_status(rows, status)
        if not previous:
            return
        papers = [model.paper(row) for row in previous]
        for paper in papers:
            model.writing_status[paper.id] += 1
        self._status_shown(previous)
        self._write("status", lambda store: store.set_status(papers, status), (previous, status))

    def _status_shown(self, rows: dict[int, str] | list[int]) -> None:
        """Redraw what a status change touches: its lines at once; counts, header and detail
        right after that frame, so the mark itself is on screen in one cheap repaint."""
        assert self.model is not None
        for row in rows:
            self.paper_list.refresh_row(row)
        venue_of = self.model.catalog.columns.venue
        venues = {venue_of[row] for row in rows} - {None}
        self.call_after_refresh(self._counts_shown, venues, self.current_row in rows)

    def _counts_shown(self, venues: set[str], detail: bool) -> None:
        self.query_one(NavTree).update_counts(venues)
        self._update_header()
        if detail:
            self._show_paper(note=False)

    def action_undo(self) -> None:
        """Revert the last step through the store (its reply: :meth:`undone`)."""
        if self.model is None or self.ws is None:
            return
        self.flush()  # a note still being saved is a step of its own, before the undo
        self.note_steps.clear()
        self._write("undo", lambda store: store.undo(), None)

    def reveal_row(self, row: int) -> None:
        """Put the list's cursor on catalog ``row``; when the view does not hold it, widen
        the view (the status filter, the search, then the Library node) until it does."""
        if self.model is None:
            return
        self._show_rows(keep=row)
        if row in self.paper_list.rows:
            return
        self.status_filter = None
        bar = self.query_one(SearchBar)
        if self.query_text:
            self.query_text = bar.value = ""
            bar.cursor = 0
            bar.display = False
        self._show_rows(keep=row)
        if row not in self.paper_list.rows:
            self.selection = ALL
            self.query_one(NavTree).reveal(ALL)
            self._show_rows(keep=row)

"""Marks and undo: one key sets a status, shown at once and written on the writer thread.

A mark changes the in-memory model and redraws one line at once; the store write runs on the
writer thread, and a failure reverts the mark (:mod:`.replies`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType

from paperdesk.tui.screens.desk.base import DeskBase
from paperdesk.tui.widgets.nav_tree import NavTree

if TYPE_CHECKING:
    pass


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

    def set_status(self, rows: list[int], status: str, *, undoable: bool = True) -> None:
        """Show ``status`` on ``rows`` now and queue the write."""
        model, ws = self.model, self.ws
        if model is None or ws is None:
            return
        previous = model.set_status(rows, status)
        if not previous:
            return
        if undoable:
            self.undo_stack.append(previous)
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
        if self.model is None:
            return
        if not self.undo_stack:
            self.notify("Nothing to undo.", timeout=2)
            return
        previous = self.undo_stack.pop()
        by_status: dict[str, list[int]] = defaultdict(list)
        for row, status in previous.items():
            by_status[status].append(row)
        for status, rows in by_status.items():
            self.set_status(rows, status, undoable=False)

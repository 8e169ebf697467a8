"""Marks, undo and the inbox: one key sets a status, shown at once and written on the writer
thread; a mark of any status, or ``d``, takes a paper out of the inbox.

Bulk marks are one step each, so one ``z`` takes them back: the status keys on the papers
picked in the list (asked first from :data:`ASK_FROM` papers on), ``A`` on every paper the list
shows (a venue, a topic, a saved view, a smart list, as searched and filtered) and ``K`` on
those above the cursor; ``A`` and ``K`` ask for the status, then to confirm.

A mark changes the in-memory model and redraws one line at once; the store write runs on the
writer thread, and a failure reverts the mark (:mod:`.replies`). Every mark is a step in the
store's log, and ``z`` reverts the last step through the store, exactly as ``paperdesk undo``
does: after a restart too, and a step made from the command line or on another machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType

from paperdesk.tui.screens.desk.base import DeskBase
from paperdesk.tui.selection import ALL, INBOX
from paperdesk.tui.widgets.nav_tree import NavTree
from paperdesk.tui.widgets.paper_list import PaperList
from paperdesk.tui.widgets.search_bar import SearchBar

#: Picked papers are marked without a question below this many.
ASK_FROM = 10
#: More changed rows than this redraw the whole list rather than line by line.
BULK_REDRAW = 32


def papers_noun(count: int) -> str:
    return f"{count} paper" if count == 1 else f"{count} papers"


class DeskMarks(DeskBase):
    """Status keys and undo."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "mark('read')", "Read", id="desk.mark_read"),
        Binding("i", "mark('reading')", "Reading", id="desk.mark_reading"),
        Binding("a", "mark('queued')", "Queue", id="desk.mark_queued"),
        Binding("x", "mark('skipped')", "Skip", id="desk.mark_skipped"),
        Binding("u", "mark('unread')", "Unread", show=False, id="desk.mark_unread"),
        Binding("z", "undo", "Undo", id="desk.undo"),
        Binding("d", "dismiss", "Dismiss", id="desk.dismiss"),
        Binding("D", "dismiss_view", "Dismiss all here", show=False, id="desk.dismiss_view"),
        Binding("A", "mark_all", "Mark all shown", show=False, id="desk.mark_all"),
        Binding("K", "mark_above", "Mark all above", show=False, id="desk.mark_above"),
    ]

    def action_mark(self, status: str) -> None:
        picked = self.paper_list.picked_rows()
        if picked:
            what = f"the {papers_noun(len(picked))} picked"
            if len(picked) < ASK_FROM:
                self._mark_many(picked, status)
            else:
                self._confirm_mark(picked, status, what)
            return
        row = self.current_row
        if self.model is None or row is None:
            return
        if status == "read" and self.model.status_of(row) == "read":
            status = "unread"
        self.set_status([row], status)

    def action_mark_all(self) -> None:
        """Every paper the list shows, after asking which status and whether to."""
        rows = list(self.paper_list.rows)
        if not rows:
            self.notify("No papers here.", timeout=2)
            return
        self._choose_and_mark(rows, f"all {papers_noun(len(rows))} shown in {self.view_name}")

    def action_mark_above(self) -> None:
        """Every paper above the cursor (not the one under it), after asking."""
        rows = list(self.paper_list.rows[: self.paper_list.cursor])
        if not rows:
            self.notify("No papers above the cursor.", timeout=2)
            return
        what = f"the {papers_noun(len(rows))} above the cursor in {self.view_name}"
        self._choose_and_mark(rows, what)

    def _choose_and_mark(self, rows: Sequence[int], what: str) -> None:
        from paperdesk.tui.screens.status_choice import StatusChoice

        ids = self._ids_of(rows)

        def chosen(status: str | None) -> None:
            if status:
                self._confirm_mark(self._rows_of(ids), status, what)

        self.app.push_screen(StatusChoice(f"Mark {what} as…"), chosen)

    def _confirm_mark(self, rows: Sequence[int], status: str, what: str) -> None:
        from paperdesk.tui.screens.confirm import ConfirmScreen

        ids = self._ids_of(rows)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._mark_many(self._rows_of(ids), status)

        question = f"Mark {what} as {status}? One z takes it back."
        self.app.push_screen(ConfirmScreen(question), confirmed)

    def _ids_of(self, rows: Sequence[int]) -> list[str]:
        """The papers of ``rows`` by id: a question may be answered after a sync has rebuilt
        the catalog, whose rows are numbered anew."""
        model = self.model
        return [] if model is None else [model.paper_id(row) for row in rows]

    def _rows_of(self, ids: Sequence[str]) -> list[int]:
        """The rows of the papers ``ids`` in the catalog shown now (papers gone are left out)."""
        model = self.model
        if model is None:
            return []
        return [row for row in map(model.row_of, ids) if row is not None]

    def _mark_many(self, rows: Sequence[int], status: str) -> None:
        """Mark ``rows`` in one step, let go of the picks, and say how many changed."""
        changed = self.set_status(list(rows), status)
        self.paper_list.drop_picks()
        if changed:
            self.notify(f"Marked {papers_noun(changed)} {status} (z undoes).", timeout=3)
        else:
            self.notify(f"Already {status}: nothing to change.", timeout=2)

    def set_status(self, rows: list[int], status: str) -> int:
        """Show ``status`` on ``rows`` now and queue the write (one step of the log); how many
        papers changed status."""
        model, ws = self.model, self.ws
        if model is None or ws is None:
            return 0
        previous = model.set_status(rows, status)
        left = model.leave_inbox(rows)  # any mark deals with a new paper, even an unchanged one
        if not previous and not left:
            return 0
        papers = [model.paper(row) for row in dict.fromkeys([*previous, *left])]
        for row in previous:
            model.writing_status[model.paper(row).id] += 1
        self._status_shown([*previous, *left])
        self._write(
            "status",
            lambda store: store.set_status(papers, status),
            (previous, status, [model.paper(row).id for row in left]),
        )
        return len(previous)

    def _status_shown(self, rows: dict[int, str] | list[int]) -> None:
        """Redraw what a status change touches: its lines at once; counts, header and detail
        right after that frame, so the mark itself is on screen in one cheap repaint."""
        assert self.model is not None
        if len(rows) > BULK_REDRAW:  # a bulk mark: one repaint beats a search per row
            self.paper_list.refresh()
        else:
            for row in rows:
                self.paper_list.refresh_row(row)
        if self.triage_screen is not None:
            self.triage_screen.statuses_changed(rows)
        self.call_after_refresh(self._counts_shown, list(rows), self.current_row in rows)

    def _counts_shown(self, rows: list[int], detail: bool) -> None:
        self.query_one(NavTree).update_counts(rows)
        self._update_header()
        if detail:
            self._show_paper(note=False)

    def on_paper_list_picks_changed(self, event: PaperList.PicksChanged) -> None:
        self.picks = event.count
        self._title_list(len(self.paper_list.rows))

    def action_dismiss(self) -> None:
        """Take the paper out of the inbox without marking it."""
        row = self.current_row
        if self.model is None or row is None:
            return
        if not self.dismiss([row]):
            self.notify("This paper is not in the inbox.", timeout=2)

    def action_dismiss_view(self) -> None:
        """Take every paper of the current view (selection, search, filter) out of the inbox."""
        model = self.model
        if model is None:
            return
        rows = model.view(self.selection, self.query_text, self.status_filter)
        count = self.dismiss(rows)
        if self.selection.key == INBOX:
            self._show_rows()
        noun = "paper" if count == 1 else "papers"
        self.notify(f"Dismissed {count} new {noun} from the inbox.", timeout=3)

    def dismiss(self, rows: list[int]) -> int:
        """Dismiss ``rows`` from the inbox now and queue the write; how many were in it."""
        model = self.model
        if model is None or self.ws is None:
            return 0
        left = model.leave_inbox(rows)
        if left:
            ids = [model.paper(row).id for row in left]
            self._status_shown(left)
            self._write("dismiss", lambda store: store.dismiss(ids), ids)
        return len(left)

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

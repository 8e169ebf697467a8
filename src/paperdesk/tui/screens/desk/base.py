"""What every part of the desk shares: the open workspace and model, the view, the cursor.

The desk screen is assembled from parts (:mod:`.marks`, :mod:`.notes`, :mod:`.tasks`,
:mod:`.replies`), each a layer of the screen class with its own keys and handlers; this base
holds the state they share and the redraws they ask for: the list of the current view, the
header, and the detail pane and note editor that follow the cursor. Store writes are queued
here too, for the marks and the notes alike.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.content import Content
from textual.screen import Screen

from paperdesk.errors import QueryError
from paperdesk.tui.selection import ALL, LIBRARY_ONLY, SORT_LABELS
from paperdesk.tui.text import clean
from paperdesk.tui.triage_model import TriagePositions
from paperdesk.tui.widgets.desk_header import DeskHeader, HeaderCounts
from paperdesk.tui.widgets.paper_detail import PaperDetail
from paperdesk.tui.widgets.paper_list import PaperList
from paperdesk.tui.widgets.search_bar import SearchBar
from paperdesk.tui.writer import Job

if TYPE_CHECKING:
    from textual.timer import Timer

    from paperdesk.catalog.records import Paper
    from paperdesk.state.models import MergeInfo, PaperState
    from paperdesk.state.store import Store
    from paperdesk.tui.desk_model import DeskModel, MetadataSource
    from paperdesk.tui.screens.triage import TriageScreen
    from paperdesk.tui.services import DeskApp
    from paperdesk.tui.widgets.note_editor import NoteEditor
    from paperdesk.workspace import Workspace

#: The detail pane and the note editor follow the cursor once it rests this long, so a held-down
#: j or a burst of search keystrokes repaints only the list (a TextArea reload even costs a
#: layout pass); one key at a time, the pane is there before the eye gets to it.
DETAIL_FOLLOW_SECONDS = 0.05
NOTE_FOLLOW_SECONDS = 0.12
#: While a search is being typed they wait for a pause in the typing instead: a follow-up that
#: lands between two keystrokes would hold up the next narrowing of the list.
TYPING_FOLLOW_SECONDS = 0.3


class DeskBase(Screen[None]):
    """The desk's shared state and redraws; see the module docstring."""

    def __init__(self) -> None:
        super().__init__(id="desk")
        self.ws: Workspace | None = None
        self.model: DeskModel | None = None
        self.selection = ALL
        self.query_text = ""
        self.status_filter: str | None = None
        self.sort = "list"
        #: Made here rather than in compose: :attr:`current_row` reads it at any time.
        self.paper_list = PaperList(id="papers")
        #: Paper id -> the step its note's current editing session writes (one step for all
        #: the autosaves of one session, so ``z`` takes back the edit, not its last second).
        self.note_steps: dict[str, str] = {}
        #: Merges from other machines up to this time are not news (before the desk opened,
        #: or told already).
        self.merges_seen_since = dt.datetime.now(dt.UTC)
        self.unsaved_notes: dict[str, tuple[Paper, str]] = {}
        self.metadata_source: MetadataSource | None = None
        self._polling = False
        self._note_timer: Timer | None = None
        self._detail_timer: Timer | None = None
        #: Mounted just after the first frame (see :meth:`_add_note_editor`).
        self.note_editor: NoteEditor | None = None
        self._editor_mounting = False
        self._editor_mounted = asyncio.Event()
        #: The store is open and its validated states are shown (see :meth:`_settled`).
        self.settled = False
        #: TODO conferences overdue and due within a week, for the header.
        self.todo_due = (0, 0)
        self._list_title = ""
        #: Papers picked in the list for a bulk mark (the list's lower border says how many).
        self.picks = 0
        #: Where triage was left per venue (a store setting), and the triage screen while open:
        #: the desk's replies (a revert, an undo, another process's change) redraw it too.
        self.triage_positions = TriagePositions()
        self.triage_screen: TriageScreen | None = None

    @property
    def desk_app(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    @property
    def view_name(self) -> str:
        """What the header calls the current view."""
        model = self.model
        selection = self.selection
        hides_feeds = model is not None and model.in_library is not None
        if hides_feeds and selection.kind == "smart" and selection.key in LIBRARY_ONLY:
            return f"{selection.label} in lists"
        return selection.label

    def _update_header(self) -> None:
        model = self.model
        if model is None:
            return
        overdue, soon = self.todo_due
        counts = HeaderCounts(
            read=model.library_counts["read"],
            total=model.library_total,
            reading=model.counts["reading"],
            queued=model.counts["queued"],
            notes=model.smart_count("notes"),
            overdue=overdue,
            due_soon=soon,
        )
        self.query_one(DeskHeader).show_counts(self.view_name, counts)

    @property
    def current_row(self) -> int | None:
        """The catalog row under the list's cursor, read from the list itself: a key pressed
        before its Highlighted message arrives acts on the paper the user sees."""
        return self.paper_list.highlighted_row

    @property
    def current_paper(self) -> Paper | None:
        if self.model is None or self.current_row is None:
            return None
        return self.model.paper(self.current_row)

    def _show_paper(self, *, note: bool = True) -> None:
        """Show the highlighted paper; ``note`` also brings the editor along, a moment later."""
        if self._detail_timer is not None:
            if not note:
                return  # a follow-up is due anyway, and it also brings the note along
            self._detail_timer.stop()
            self._detail_timer = None
        model = self.model
        paper = self.current_paper
        state = model.states.get(paper.id) if model and paper else None
        metadata = model.metadata.get(paper.id) if model and paper else None
        dblp = model.dblp.get(paper.id) if model and paper else None
        status = model.status_of(self.current_row) if model and self.current_row is not None else ""
        self.query_one(PaperDetail).show_paper(paper, status, state, metadata, dblp)
        if note:
            if self._note_timer is not None:
                self._note_timer.stop()
            delay = NOTE_FOLLOW_SECONDS - DETAIL_FOLLOW_SECONDS
            self._note_timer = self.set_timer(delay, self._load_note)

    def _load_note(self) -> None:
        """Put the highlighted paper's note in the editor (saving what was typed before)."""
        if self._note_timer is not None:
            self._note_timer.stop()
            self._note_timer = None
        model = self.model
        paper = self.current_paper
        editor = self.note_editor
        if editor is None:
            return  # it loads the note itself once mounted
        if paper is None or model is None:
            editor.show_note(None, None)
        elif paper.id in self.unsaved_notes:
            state = model.states.get(paper.id)
            stored = state.note if state else None
            editor.show_note(paper, stored, unsaved=self.unsaved_notes[paper.id][1])
        else:
            editor.show_note(paper, model.notes.get(paper.id))
        editor.border_subtitle = ""

    def catch_up(self) -> None:
        """Bring the detail pane and the editor up to the cursor now (before they are used)."""
        if self._detail_timer is not None:
            self._show_paper()
        if self._note_timer is not None:
            self._load_note()

    def _write(self, kind: str, call: Callable[[Store], object], data: object) -> None:
        """Queue a store write; its reply also says whether another process wrote first
        (the states it wrote, and the store's last merge from other machines).

        A write re-reads the file under its lock, so it would silently absorb another
        process's changes that the next poll then never sees; checking just before the write
        catches them.
        """
        ws = self.ws
        assert ws is not None

        def run() -> tuple[object, tuple[dict[str, PaperState], set[str]] | None, MergeInfo | None]:
            store = ws.store  # opened on this, the writer thread, by its first job
            if store.reload_if_changed():
                return call(store), (store.states(), set(store.inbox())), store.last_merge()
            return call(store), None, None

        self.desk_app.submit(Job(kind, run, self, data))

    def _show_rows(self, *, keep: int | None = None, typing: bool = False) -> None:
        """Show the rows of the view. A query with a mistake is shown under the search bar;
        while ``typing`` the list keeps the last good answer meanwhile, else (another list,
        filter or sort) it shows its rows as if there were no query."""
        if self.model is None:
            return
        bar = self.query_one(SearchBar)
        try:
            rows = self.model.view(self.selection, self.query_text, self.status_filter, self.sort)
        except QueryError as error:
            bar.show_error(error.column, error.reason)
            if typing:
                bar.refresh()
                return
            rows = self.model.view(self.selection, "", self.status_filter, self.sort)
        else:
            bar.show_error(None)
        self.paper_list.show_rows(rows, keep=keep)
        self._title_list(len(rows))

    def _title_list(self, count: int) -> None:
        """Name the list pane. While searching the count is in the search bar instead: a new
        border title repaints the whole pane, the search bar only its own line."""
        pane = self.query_one("#middle")
        noun = "paper" if count == 1 else "papers"
        bar = self.query_one(SearchBar)
        if self.query_text.strip():
            bar.show_matches(count)
            title = self.selection.label
        else:
            bar.show_matches(None)
            title = f"{self.selection.label} · {count} {noun}"
        if title != self._list_title:  # user text (a venue, a topic): never read as markup
            self._list_title = title
            pane.border_title = Content(clean(title))
        parts = [f"{self.picks} picked"] if self.picks else []
        if self.status_filter:
            parts.append(f"only {self.status_filter}")
        parts.append(f"sort: {SORT_LABELS[self.sort]}")
        subtitle = " · ".join(parts)
        if pane.border_subtitle != subtitle:
            pane.border_subtitle = subtitle

    def on_paper_list_highlighted(self, event: PaperList.Highlighted) -> None:
        # the detail pane and the note follow once the cursor rests (see DETAIL_FOLLOW_SECONDS)
        if self._detail_timer is not None:
            self._detail_timer.stop()
        typing = self.query_one(SearchBar).has_focus
        delay = TYPING_FOLLOW_SECONDS if typing else DETAIL_FOLLOW_SECONDS
        self._detail_timer = self.set_timer(delay, self._show_paper)
        if self._note_timer is not None:
            self._note_timer.stop()
            self._note_timer = None

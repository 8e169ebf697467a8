"""The desk: navigation tree, paper list and the highlighted paper with its note.

The screen owns what the panes share — the selection, the search, the status filter and sort,
the highlighted paper — and the paper actions (marks, undo, note, copy, open), which work from
the list and the detail pane alike. A mark changes the in-memory model and redraws one line at
once; the store write runs on the writer thread and a failure reverts the mark.
"""

from __future__ import annotations

import asyncio
import gc
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from paperdesk.tui.opening import AFTER_FIRST_FRAME
from paperdesk.tui.selection import ALL, SORT_LABELS, SORTS, Selection
from paperdesk.tui.widgets.desk_header import DeskHeader
from paperdesk.tui.widgets.key_bar import KeyBar
from paperdesk.tui.widgets.nav_tree import NavTree
from paperdesk.tui.widgets.paper_detail import PaperDetail
from paperdesk.tui.widgets.paper_list import PaperList
from paperdesk.tui.widgets.search_bar import SearchBar
from paperdesk.tui.writer import Job, JobDone, JobFailed

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.dom import DOMNode
    from textual.timer import Timer

    from paperdesk.arxiv import EnrichReport
    from paperdesk.models import ArxivMetadata, PaperState
    from paperdesk.records import Paper
    from paperdesk.store import Store
    from paperdesk.sync import SyncResult
    from paperdesk.tui.app import PaperdeskApp
    from paperdesk.tui.desk_model import DeskModel, MetadataSource
    from paperdesk.tui.opening import Settled
    from paperdesk.tui.screens.export import ExportRequest
    from paperdesk.tui.widgets.note_editor import NoteEditor
    from paperdesk.workspace import Workspace

POLL_SECONDS = 1.5
#: The detail pane and the note editor follow the cursor once it rests this long, so a held-down
#: j or a burst of search keystrokes repaints only the list (a TextArea reload even costs a
#: layout pass); one key at a time, the pane is there before the eye gets to it.
DETAIL_FOLLOW_SECONDS = 0.05
NOTE_FOLLOW_SECONDS = 0.12
#: While a search is being typed they wait for a pause in the typing instead: a follow-up that
#: lands between two keystrokes would hold up the next narrowing of the list.
TYPING_FOLLOW_SECONDS = 0.3


def settle(writing: Counter[str], ids: Iterable[str]) -> None:
    """One write per id has landed (or failed)."""
    for paper_id in ids:
        writing[paper_id] -= 1
        if writing[paper_id] <= 0:
            del writing[paper_id]


class DeskScreen(Screen[None]):
    """The main screen."""

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (110, "-wide")]
    AUTO_FOCUS = "#papers"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "mark('read')", "Read", id="desk.mark_read"),
        Binding("i", "mark('reading')", "Reading", id="desk.mark_reading"),
        Binding("a", "mark('queued')", "Queue", id="desk.mark_queued"),
        Binding("x", "mark('skipped')", "Skip", id="desk.mark_skipped"),
        Binding("u", "mark('unread')", "Unread", show=False, id="desk.mark_unread"),
        Binding("z", "undo", "Undo", id="desk.undo"),
        Binding("n", "edit_note", "Note", id="desk.note"),
        Binding("slash", "search", "Search", id="desk.search"),
        Binding("f", "cycle_filter", "Filter", id="desk.filter"),
        Binding("s", "cycle_sort", "Sort", id="desk.sort"),
        Binding("y", "copy_url", "Copy URL", show=False, id="desk.copy_url"),
        Binding("Y", "copy_bibtex", "Copy BibTeX", show=False, id="desk.copy_bibtex"),
        Binding("o", "open_url", "Open link", show=False, id="desk.open_url"),
        Binding("t", "todo", "TODO", id="desk.todo"),
        Binding("S", "stats", "Stats", show=False, id="desk.stats"),
        Binding("e", "enrich", "Enrich", show=False, id="desk.enrich"),
        Binding("escape", "clear_search", "Clear search", show=False, id="desk.clear_search"),
        Binding("tab", "app.focus_next", "Next pane", show=False, id="desk.next_pane"),
        Binding(
            "shift+tab", "app.focus_previous", "Previous pane", show=False, id="desk.prev_pane"
        ),
    ]

    #: Actions with no key of their own: (name, action, help) for the palette and the help.
    PALETTE_ACTIONS: ClassVar[list[tuple[str, str, str]]] = [
        ("Sync now", "sync", "re-fetch the lists imported from a URL"),
        ("Export…", "export", "write the papers as markdown, BibTeX, CSV or JSON"),
    ]

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
        self.undo_stack: list[dict[int, str]] = []
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

    @property
    def desk_app(self) -> PaperdeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="header")
        with Container(id="panes"):
            yield NavTree(id="nav")
            with Vertical(id="middle"):
                yield SearchBar(id="search")
                yield self.paper_list
            with Vertical(id="right"):
                yield PaperDetail(id="detail")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(DeskHeader).show_loading()
        self.query_one("#nav").border_title = "Library"
        self.query_one("#right").border_title = "Paper"
        self._title_list(0)
        self.desk_app.desk_mounted()  # the panes exist: fill them, before the first frame
        self.call_after_refresh(self.set_timer, AFTER_FIRST_FRAME, self._add_note_editor)

    async def _add_note_editor(self) -> None:
        """Mount the note editor once the first frame is out: the TextArea under it costs a
        tenth of the whole start-up (import, styles, render), and shows nothing before the
        highlighted paper's note is loaded anyway. Also awaited by ``n`` pressed before."""
        if self._editor_mounting:
            await self._editor_mounted.wait()
            return
        self._editor_mounting = True
        right = self.query_one("#right")
        if not right.is_attached:  # the desk is closing already (it could not open)
            self._editor_mounted.set()
            return
        from paperdesk.tui.widgets.note_editor import NoteEditor

        editor = NoteEditor(id="note")
        editor.border_title = "Note"
        await right.mount(editor)
        self.note_editor = editor
        if self.current_row is not None and self._detail_timer is None:
            self._load_note()
        self._editor_mounted.set()

    # -- loading -------------------------------------------------------------------------

    def load(self, ws: Workspace, model: DeskModel) -> None:
        """Fill the panes from the first look (called by the app, on the UI thread)."""
        self.ws = ws
        self.model = model
        self.paper_list.set_model(model)
        self.paper_list.empty_text = "No papers here."
        self.query_one(NavTree).populate(model)
        self._show_rows()
        self._update_header()

    def _settled(self, settled: Settled, first_look: DeskModel) -> None:
        """The store is open: its validated states replace the first look, the metadata and
        the new papers of the last sync arrive, and polling for other processes starts.
        (A sync that finished first brought a model with newer states: those stay.)"""
        model = self.model
        assert model is not None
        self.settled = True
        self.metadata_source = settled.metadata_source
        model.metadata = settled.metadata
        if model is first_look:
            model.new_since_sync = settled.new_since_sync
            self._reloaded(settled.states)  # recounts the tree, "New since sync" included
        self.set_interval(POLL_SECONDS, self._poll)
        gc.freeze()  # the validated states and the search index live as long as the desk

    @property
    def list_name(self) -> str:
        if self.model is None:
            return ""
        first = next(iter(self.model.catalog.sources), None)
        return (first.title or first.name) if first else "no list"

    def _update_header(self) -> None:
        if self.model is not None:
            self.query_one(DeskHeader).show_counts(self.list_name, self.model)

    # -- the list --------------------------------------------------------------------------

    def _show_rows(self, *, keep: int | None = None) -> None:
        if self.model is None:
            return
        rows = self.model.view(self.selection, self.query_text, self.status_filter, self.sort)
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
        if pane.border_title != title:
            pane.border_title = title
        parts = []
        if self.status_filter:
            parts.append(f"only {self.status_filter}")
        parts.append(f"sort: {SORT_LABELS[self.sort]}")
        subtitle = " · ".join(parts)
        if pane.border_subtitle != subtitle:
            pane.border_subtitle = subtitle

    def on_nav_tree_highlighted(self, event: NavTree.Highlighted) -> None:
        self._select(event.node.data)

    def _select(self, selection: Selection | None) -> None:
        if selection is None or selection.kind in ("group", "website"):
            return
        if selection != self.selection:
            self.selection = selection
            self._show_rows()

    def on_nav_tree_selected(self, event: NavTree.Selected) -> None:
        selection = event.node.data
        if selection is None:
            return
        if selection.kind == "website" and selection.url:
            self.desk_app.open_link(selection.url)
        elif selection.kind == "group":
            event.node.toggle()
        else:
            self._select(selection)
            self.set_focus(self.paper_list)

    def on_nav_tree_link_requested(self, event: NavTree.LinkRequested) -> None:
        if event.copy:
            self.desk_app.copy_text(event.url, "the link")
        else:
            self.desk_app.open_link(event.url)

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

    def on_paper_list_opened(self, event: PaperList.Opened) -> None:
        self.set_focus(self.query_one(PaperDetail))

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
        status = model.status_of(self.current_row) if model and self.current_row is not None else ""
        self.query_one(PaperDetail).show_paper(paper, status, state, metadata)
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

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget is self.note_editor:
            self.catch_up()

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

    # -- search, filter, sort --------------------------------------------------------------

    def action_search(self) -> None:
        bar = self.query_one(SearchBar)
        bar.display = True
        self.set_focus(bar)  # now, not after a refresh: the next key may already be queued

    def on_search_bar_changed(self, event: SearchBar.Changed) -> None:
        self.query_text = event.value
        if self.model is None:  # still opening: show the text, the search runs on load
            self.query_one(SearchBar).show_matches(None)
        self._show_rows()

    def on_search_bar_kept(self, _: SearchBar.Kept) -> None:
        if not self.query_text.strip():
            self.query_one(SearchBar).display = False
        self.set_focus(self.paper_list)
        self.paper_list.move_to(0)

    def on_search_bar_cleared(self, _: SearchBar.Cleared) -> None:
        self.query_one(SearchBar).display = False
        self.query_text = ""
        self._show_rows(keep=self.current_row)
        self.set_focus(self.paper_list)

    def action_clear_search(self) -> None:
        bar = self.query_one(SearchBar)
        bar.action_clear()

    def action_cycle_filter(self) -> None:
        from paperdesk.records import STATUSES

        filters = (None, *STATUSES)  # None: every status
        self.status_filter = filters[(filters.index(self.status_filter) + 1) % len(filters)]
        self._show_rows(keep=self.current_row)
        self.notify(f"Showing {self.status_filter or 'every status'}", timeout=2)

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._show_rows(keep=self.current_row)
        self.notify(f"Sorted by {SORT_LABELS[self.sort]}", timeout=2)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "search":
            return not self.query_one(SearchBar).has_focus
        if action == "clear_search":
            return bool(self.query_text) or self.query_one(SearchBar).display
        return True

    # -- marks -----------------------------------------------------------------------------

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

    # -- notes -----------------------------------------------------------------------------

    async def action_edit_note(self) -> None:
        if self.note_editor is None:  # n right after start: the keys after it wait for this
            await self._add_note_editor()
        self.catch_up()
        editor = self.note_editor
        if editor is None or editor.paper is None:
            return
        self.set_focus(editor)  # now: the text typed right after n must land in the note
        editor.move_cursor(editor.document.end)

    def on_note_editor_left(self, _: NoteEditor.Left) -> None:
        self.set_focus(self.paper_list)

    def on_note_editor_save(self, event: NoteEditor.Save) -> None:
        if not event.taken:
            event.taken = True
            self.save_note(event.paper, event.text)

    def save_note(self, paper: Paper, text: str) -> None:
        model, ws = self.model, self.ws
        if model is None or ws is None:
            return
        note = text if text.strip() else None
        had_note = paper.id in model.notes
        model.set_note(paper.id, note)
        model.writing_notes[paper.id] += 1
        if had_note != (note is not None):
            self.query_one(NavTree).update_counts(())
            self._update_header()
        self.unsaved_notes[paper.id] = (paper, text)
        self._write("note", lambda store: store.set_note(paper, note), paper)

    def _write(self, kind: str, call: Callable[[Store], object], data: object) -> None:
        """Queue a store write; its reply also says whether another process wrote first.

        A write re-reads the file under its lock, so it would silently absorb another
        process's changes that the next poll then never sees; checking just before the write
        catches them.
        """
        ws = self.ws
        assert ws is not None

        def run() -> tuple[object, dict[str, PaperState] | None]:
            store = ws.store  # opened on this, the writer thread, by its first job
            foreign = store.states() if store.reload_if_changed() else None
            return call(store), foreign

        self.desk_app.submit(Job(kind, run, self, data))

    def flush(self) -> None:
        """Queue every note change not yet written: the editor's, and retries of failed ones."""
        if self.note_editor is not None:
            for paper, text in self.note_editor.take_unsaved():
                self.save_note(paper, text)
        if self.model is None:
            return
        for paper, text in list(self.unsaved_notes.values()):
            if self.model.writing_notes[paper.id] == 0:
                self.save_note(paper, text)

    # -- store replies ---------------------------------------------------------------------

    def on_job_done(self, message: JobDone) -> None:
        job = message.job
        model = self.model
        if model is None:
            return
        if job.kind == "settle":
            self._settled(job.result, job.data)
            return
        if job.kind in ("status", "note"):
            result, foreign = job.result
            if foreign is not None:
                self._reloaded(foreign)  # before settling: this write's paper keeps its state
        else:
            result = job.result
        if job.kind == "status":
            previous, _ = job.data
            settle(model.writing_status, (model.paper(row).id for row in previous))
            model.remember(result or [])
            if self.current_row in previous:
                self._show_paper(note=False)
        elif job.kind == "note":
            paper: Paper = job.data
            settle(model.writing_notes, [paper.id])
            if result is not None:
                model.remember([result])
            if model.writing_notes[paper.id] == 0:
                self.unsaved_notes.pop(paper.id, None)
            editor = self.note_editor
            if editor and editor.paper and editor.paper.id == paper.id and not editor.unsaved:
                editor.border_subtitle = "saved"
            if self.current_row is not None and model.paper(self.current_row).id == paper.id:
                self._show_paper(note=False)
        elif job.kind == "poll":
            self._polling = False
            states, metadata = result
            paper = self.current_paper
            enriched = False
            if metadata is not None:
                before = model.metadata.get(paper.id) if paper else None
                model.metadata = metadata
                enriched = paper is not None and metadata.get(paper.id) != before
            if states is not None:
                self._reloaded(states)
            elif enriched:
                self._show_paper(note=False)

    def on_job_failed(self, message: JobFailed) -> None:
        job = message.job
        model = self.model
        if model is None:
            return
        if job.kind == "settle":
            self.desk_app.fail(message.error)
            return
        if job.kind == "status":
            previous, status = job.data
            settle(model.writing_status, (model.paper(row).id for row in previous))
            reverted = {row: old for row, old in previous.items() if model.status_of(row) == status}
            for row, old in reverted.items():
                model.set_status([row], old)
            if self.undo_stack and self.undo_stack[-1] is previous:
                self.undo_stack.pop()
            self._status_shown(reverted)
            self.notify(
                f"Could not save the mark, reverted: {message.error}",
                severity="error",
                markup=False,
            )
        elif job.kind == "note":
            paper = job.data
            settle(model.writing_notes, [paper.id])
            self.notify(
                f"Could not save the note (kept in the editor): {message.error}",
                severity="error",
                markup=False,
            )
        elif job.kind == "poll":
            self._polling = False

    # -- other processes -------------------------------------------------------------------

    def _poll(self) -> None:
        """Ask the writer whether another process changed the store (never blocks the UI)."""
        ws = self.ws
        if ws is None or self._polling or self.desk_app.writer_busy:
            return
        self._polling = True
        source = self.metadata_source

        def changes() -> tuple[dict[str, PaperState] | None, dict[str, ArxivMetadata] | None]:
            store = ws.store
            states = store.states() if store.reload_if_changed() else None
            return states, source.all() if source is not None else None

        self.desk_app.submit(Job("poll", changes, self))

    def _reloaded(self, states: dict[str, PaperState]) -> None:
        model = self.model
        assert model is not None
        editor = self.note_editor
        keep_notes = set(model.writing_notes) | set(self.unsaved_notes)
        if editor is not None and editor.paper is not None and editor.unsaved:
            keep_notes.add(editor.paper.id)
        model.replace_states(states, model.writing_status, keep_notes)
        self.paper_list.refresh()
        self.query_one(NavTree).update_counts()
        self._update_header()
        self._show_paper(note=False)
        if editor is not None and editor.paper is not None and editor.paper.id not in keep_notes:
            editor.replace_saved(model.notes.get(editor.paper.id))

    # -- links -----------------------------------------------------------------------------

    def _paper_url(self) -> str | None:
        paper = self.current_paper
        if paper is None:
            return None
        url = paper.url or next((link.url for link in paper.links), None)
        if url is None:
            self.notify("This paper has no link.", severity="warning")
        return url

    def action_copy_url(self) -> None:
        url = self._paper_url()
        if url:
            self.desk_app.copy_text(url, "the link")

    def action_open_url(self) -> None:
        url = self._paper_url()
        if url:
            self.desk_app.open_link(url)

    def action_copy_bibtex(self) -> None:
        paper = self.current_paper
        if paper is None:
            return
        try:
            from paperdesk.bibtex import entry_for
        except ImportError:
            self.notify("BibTeX needs paperdesk.bibtex, missing here.", severity="error")
            return
        metadata = self.model.metadata.get(paper.id) if self.model else None
        self.desk_app.copy_text(entry_for(paper, metadata), "the BibTeX entry")

    # -- other screens ---------------------------------------------------------------------

    def action_todo(self) -> None:
        if self.ws is None:
            return
        from paperdesk.tui.screens.todo import TodoScreen

        self.app.push_screen(TodoScreen(self.ws))

    def action_stats(self) -> None:
        if self.ws is None:
            return
        from paperdesk.tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen(self.ws))

    # -- background tasks: enrich, sync, export ---------------------------------------------
    #
    # Each runs in a thread worker (exit_on_error=False) and ends in on_worker_state_changed,
    # which tells the user; a failure is one notification and the desk lives on.

    class Activity(Message):
        """A worker's progress line for the header (posted from its thread)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def on_desk_screen_activity(self, message: Activity) -> None:
        self.query_one(DeskHeader).show_activity(message.text)

    def _busy(self, name: str) -> bool:
        if any(w.name == name and not w.is_finished for w in self.workers):
            self.notify(f"Already running: {name}.", timeout=3)
            return True
        return False

    def action_enrich(self) -> None:
        paper = self.current_paper
        if self.ws is None or paper is None or self._busy("enrich"):
            return
        self.query_one(DeskHeader).show_activity(f"enriching {paper.title[:40]}…")
        self._enrich(self.ws, paper)

    @work(thread=True, exit_on_error=False, name="enrich")
    def _enrich(
        self, ws: Workspace, paper: Paper
    ) -> tuple[Paper, EnrichReport, dict[str, ArxivMetadata]]:
        from paperdesk.arxiv import MetadataCache, enrich

        report = enrich(ws, [paper], force=False)
        return paper, report, MetadataCache(ws.locations).all()

    def _enriched(self, paper: Paper, report: EnrichReport, metadata: dict) -> None:
        if self.model is not None:
            self.model.metadata = metadata
            if self.current_paper is not None and self.current_paper.id == paper.id:
                self._show_paper(note=False)
        title = paper.title if len(paper.title) <= 60 else paper.title[:59] + "…"
        if report.errors:
            self.notify(
                f"Could not enrich {title}: {report.errors[0]}", severity="error", markup=False
            )
        elif report.matched:
            found = metadata.get(paper.id)
            where = f" (arXiv {found.arxiv_id})" if found is not None else ""
            self.notify(f"Enriched {title}{where}.", markup=False, timeout=4)
        elif report.skipped:
            self.notify(f"Already enriched: {title}.", markup=False, timeout=4)
        else:
            self.notify(f"No arXiv match for {title}.", severity="warning", markup=False)

    def action_sync(self) -> None:
        if self.ws is None or self._busy("sync"):
            return
        self.query_one(DeskHeader).show_activity("syncing…")
        self._sync(self.ws)

    @work(thread=True, exit_on_error=False, name="sync")
    def _sync(self, ws: Workspace) -> tuple[list[SyncResult], DeskModel]:
        """Sync with a store object of its own, as another process would: the writer thread
        keeps serving marks meanwhile, and the store's lock orders the two."""
        from paperdesk.sync import new_since_last_sync, sync_sources
        from paperdesk.tui.desk_model import DeskModel

        own = ws.fork()
        results = sync_sources(
            own, progress=lambda text: self.post_message(self.Activity(f"sync: {text}"))
        )
        catalog = own.catalog
        catalog.venues  # noqa: B018 - built here, off the UI thread
        catalog.search_keys  # noqa: B018 - and so is the search index
        model = DeskModel(
            catalog, own.store.states(), new_since_sync=new_since_last_sync(ws.locations)
        )
        return results, model

    def _synced(self, results: list[SyncResult], model: DeskModel) -> None:
        lines = []
        for result in results:
            if result.error:
                lines.append(f"{result.name}: {result.error}")
            elif result.unchanged or result.report is None:
                lines.append(f"{result.name}: unchanged")
            else:
                report = result.report
                lines.append(
                    f"{result.name}: {len(report.new_papers)} new, {len(report.removed)} removed,"
                    f" {len(report.relinked)} relinked, {len(report.new_venues)} new venues"
                )
        if not results:
            lines.append("No source was imported from a URL: nothing to sync.")
        failed = any(result.error for result in results)
        self.notify(
            "\n".join(lines),
            title="Sync",
            severity="warning" if failed else "information",
            markup=False,
            timeout=10 if failed else 6,
        )
        if any(result.report is not None for result in results):
            self._adopt(model)

    def _adopt(self, model: DeskModel) -> None:
        """Show a rebuilt catalog, keeping the selection, the paper, the notes being typed and
        undo. Waits for the writes in flight: their replies name rows of the old catalog."""
        old = self.model
        if old is None:
            return
        if old.writing_status or old.writing_notes:
            self.set_timer(0.05, partial(self._adopt, model))
            return
        paper = self.current_paper
        model.metadata = old.metadata
        for paper_id, (_, text) in self.unsaved_notes.items():
            model.set_note(paper_id, text if text.strip() else None)
        self.undo_stack = [
            {
                new_row: status
                for row, status in entry.items()
                if (new_row := model.row_of(old.paper(row).id)) is not None
            }
            for entry in self.undo_stack
        ]
        self.model = model
        if self.ws is not None:
            self.ws.adopt_catalog(model.catalog)
        self.paper_list.set_model(model)
        tree = self.query_one(NavTree)
        tree.populate(model)
        if not tree.reveal(self.selection):
            self.selection = ALL
        self._show_rows(keep=model.row_of(paper.id) if paper is not None else None)
        self._update_header()
        self._show_paper(note=False)

    def action_export(self) -> None:
        if self.ws is None:
            return
        from paperdesk.export import FORMATS
        from paperdesk.tui.screens.export import ExportForm

        self.app.push_screen(ExportForm(FORMATS), self._export_chosen)

    def _export_chosen(self, request: ExportRequest | None) -> None:
        if request is None or self.ws is None or self._busy("export"):
            return
        self.flush()
        self.query_one(DeskHeader).show_activity(f"exporting {request.fmt}…")
        self._export(self.ws, request)

    @work(thread=True, exit_on_error=False, name="export")
    def _export(self, ws: Workspace, request: ExportRequest) -> str:
        """Export what the store holds once the writes queued before it have landed, read
        through a store object of its own (the writer thread owns the desk's)."""
        from paperdesk.export import export_to

        writer = self.desk_app.writer
        if writer is not None:
            writer.join()
        return export_to(ws.fork(), request.fmt, request.path)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name not in ("enrich", "sync", "export"):
            return
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.query_one(DeskHeader).show_activity(None)
        if event.state == WorkerState.SUCCESS:
            result = worker.result
            if worker.name == "enrich":
                self._enriched(*result)  # type: ignore[misc]
            elif worker.name == "sync":
                self._synced(*result)  # type: ignore[misc]
            else:
                summary = str(result)
                self.notify(f"{summary[:1].upper()}{summary[1:]}.", markup=False, timeout=6)
        elif event.state == WorkerState.ERROR:
            from paperdesk.tui.text import clean

            self.notify(
                f"Could not {worker.name}: {clean(str(worker.error))}",
                severity="error",
                markup=False,
            )

    def key_nodes(self) -> list[tuple[str, DOMNode]]:
        """Where the desk's keys live, pane by pane, for the help screen and the palette."""
        nodes: list[tuple[str, DOMNode]] = [
            ("Papers (list and detail)", self),
            ("Paper list", self.paper_list),
            ("Library tree", self.query_one(NavTree)),
            ("Paper detail", self.query_one(PaperDetail)),
        ]
        if self.note_editor is not None:
            nodes.append(("Note editor", self.note_editor))
        return [*nodes, ("Search", self.query_one(SearchBar))]

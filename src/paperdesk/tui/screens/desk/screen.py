"""The desk: navigation tree, paper list and the highlighted paper with its note.

The screen lays out the panes and owns what they share — the selection, the search, the status
filter and sort — and the paper actions that work from the list and the detail pane alike
(copy, open, other screens). The rest of the desk is composed from its parts, one module
each: :mod:`.marks` (status keys, bulk marks and undo), :mod:`.navigation` (next unread and
repeat counts), :mod:`.notes` (the note editor), :mod:`.reading` (saved views and the queue's
order), :mod:`.tasks` (enrich, sync and export workers) and
:mod:`.replies` (the store's answers), over the state they share in :mod:`.base`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical

from paperdesk.catalog.records import STATUSES
from paperdesk.tui.desk_model import due_counts
from paperdesk.tui.opening import AFTER_FIRST_FRAME, VIEW_SETTING, DeskView
from paperdesk.tui.screens.desk.marks import DeskMarks
from paperdesk.tui.screens.desk.navigation import DeskNavigation
from paperdesk.tui.screens.desk.notes import DeskNotes
from paperdesk.tui.screens.desk.reading import DeskReading
from paperdesk.tui.screens.desk.replies import DeskReplies
from paperdesk.tui.screens.desk.tasks import DeskTasks
from paperdesk.tui.selection import SORTS, Selection
from paperdesk.tui.triage_model import TRIAGE_SETTING, fetched_venues, venue_target
from paperdesk.tui.widgets.desk_header import DeskHeader
from paperdesk.tui.widgets.key_bar import KeyBar
from paperdesk.tui.widgets.nav_tree import NavTree
from paperdesk.tui.widgets.paper_detail import PaperDetail
from paperdesk.tui.widgets.paper_list import PaperList
from paperdesk.tui.widgets.search_bar import SearchBar
from paperdesk.tui.writer import Job

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.dom import DOMNode

    from paperdesk.tui.desk_model import DeskModel
    from paperdesk.workspace import Workspace


class DeskScreen(DeskReplies, DeskTasks, DeskReading, DeskNotes, DeskMarks, DeskNavigation):
    """The main screen."""

    PALETTE_ACTIONS: ClassVar[list[tuple[str, str, str]]] = [
        *DeskTasks.PALETTE_ACTIONS,
        *DeskReading.PALETTE_ACTIONS,
    ]

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (110, "-wide")]
    AUTO_FOCUS = "#papers"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="desk.search"),
        Binding("f", "cycle_filter", "Filter", id="desk.filter"),
        Binding("s", "cycle_sort", "Sort", id="desk.sort"),
        Binding("y", "copy_url", "Copy URL", show=False, id="desk.copy_url"),
        Binding("Y", "copy_bibtex", "Copy BibTeX", show=False, id="desk.copy_bibtex"),
        Binding("o", "open_url", "Open link", show=False, id="desk.open_url"),
        Binding("t", "todo", "TODO", id="desk.todo"),
        Binding("T", "triage", "Triage venue", show=False, id="desk.triage"),
        Binding("S", "stats", "Stats", show=False, id="desk.stats"),
        # escape cancels a running fetch (see .tasks) or else clears the search
        Binding("escape", "cancel_fetch", "Cancel fetch", id="desk.cancel_fetch"),
        Binding("escape", "clear_search", "Clear search", show=False, id="desk.clear_search"),
        Binding("tab", "app.focus_next", "Next pane", show=False, id="desk.next_pane"),
        Binding(
            "shift+tab", "app.focus_previous", "Previous pane", show=False, id="desk.prev_pane"
        ),
    ]

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

    def load(
        self,
        ws: Workspace,
        model: DeskModel,
        view: DeskView | None = None,
        todo_due: tuple[int, int] = (0, 0),
    ) -> None:
        """Fill the panes from the first look, in the view the desk was left in (called by the
        app, on the UI thread, before the first frame when the data is there in time)."""
        self.ws = ws
        self.model = model
        self.todo_due = todo_due
        self.paper_list.set_model(model)
        self.paper_list.empty_text = "No papers here."
        tree = self.query_one(NavTree)
        keep = None
        if view is not None:
            chosen = view.selection
            if chosen and chosen.kind not in ("group", "website") and tree.populate(model, chosen):
                self.selection = chosen
            else:
                tree.populate(model)
            self.sort = view.sort if view.sort in SORTS else "list"
            self.status_filter = view.status if view.status in STATUSES else None
            if view.search.strip():
                self.query_text = view.search
                self.query_one(SearchBar).show_value(view.search)
            keep = model.row_of(view.paper) if view.paper else None
        else:
            tree.populate(model)
        self._show_rows(keep=keep)
        self._update_header()
        if view is not None and view.focus in ("nav", "detail"):
            self.set_focus(tree if view.focus == "nav" else self.query_one(PaperDetail))

    def current_view(self) -> DeskView:
        """What :meth:`load` restores the next time the desk opens on this home."""
        focused = self.focused
        focus = "papers"
        if focused is self.query_one(NavTree):
            focus = "nav"
        elif focused is self.query_one(PaperDetail):
            focus = "detail"
        paper = self.current_paper
        return DeskView(
            selection=self.selection,
            sort=self.sort,
            status=self.status_filter,
            search=self.query_text,
            paper=paper.id if paper is not None else None,
            focus=focus,
        )

    def flush(self) -> None:
        """Queue every unsaved note, and the view to reopen in (a desk on a ``--catalog`` file
        is a look at another list: it leaves the home's view alone)."""
        super().flush()
        ws = self.ws
        if ws is None or self.model is None or ws.catalog_override is not None:
            return
        text = self.current_view().dumps()
        self.desk_app.submit(Job("setting", lambda: ws.store.set_setting(VIEW_SETTING, text)))
        self.save_triage_positions()

    def save_triage_positions(self) -> None:
        """Queue where triage was left, when it moved since the last time (see .triage)."""
        ws = self.ws
        if ws is None or ws.catalog_override is not None or not self.triage_positions.dirty:
            return
        text = self.triage_positions.dumps()
        self.desk_app.submit(Job("setting", lambda: ws.store.set_setting(TRIAGE_SETTING, text)))

    def on_screen_resume(self) -> None:
        """Back from the TODO screen (or any other): the header's deadlines may have changed."""
        ws = self.ws
        if ws is None or not self.settled:
            return

        def due() -> tuple[int, int]:
            return due_counts([(item.date, item.done) for item in ws.todos()], dt.date.today())

        self.desk_app.submit(Job("todo-due", due, self))

    def on_nav_tree_highlighted(self, event: NavTree.Highlighted) -> None:
        self._select(event.node.data)

    def _select(self, selection: Selection | None) -> None:
        if selection is None or selection.kind in ("group", "website"):
            return
        if selection != self.selection:
            self.selection = selection
            self._show_rows()
            self._update_header()

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

    def on_paper_list_opened(self, event: PaperList.Opened) -> None:
        self.set_focus(self.query_one(PaperDetail))

    def action_search(self) -> None:
        bar = self.query_one(SearchBar)
        bar.display = True
        self.set_focus(bar)  # now, not after a refresh: the next key may already be queued

    def on_search_bar_changed(self, event: SearchBar.Changed) -> None:
        self.query_text = event.value
        if self.model is None:  # still opening: show the text, the search runs on load
            self.query_one(SearchBar).show_matches(None)
        self._show_rows(typing=True)

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
        """The next status filter; the list pane's lower border says which (no toast)."""
        filters = (None, *STATUSES)  # None: every status
        self.status_filter = filters[(filters.index(self.status_filter) + 1) % len(filters)]
        self._show_rows(keep=self.current_row)

    def action_cycle_sort(self) -> None:
        """The next sort; the list pane's lower border says which (no toast)."""
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._show_rows(keep=self.current_row)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "search":
            return not self.query_one(SearchBar).has_focus
        if action == "clear_search":
            return bool(self.query_text) or self.query_one(SearchBar).display
        return super().check_action(action, parameters)

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
        if paper is None or self.ws is None:
            return
        self._cite(self.ws, paper)

    def action_todo(self) -> None:
        if self.ws is None:
            return
        from paperdesk.tui.screens.todo import TodoScreen

        self.app.push_screen(TodoScreen(self.ws))

    def action_triage(self) -> None:
        """Triage the venue under the cursor: the Library's venue or venue source, or the
        highlighted paper's venue when the list (or the detail) has the focus."""
        model = self.model
        if model is None:
            return
        tree = self.query_one(NavTree)
        node = tree.cursor_node if self.focused is tree else None
        selection = node.data if node is not None else self.selection
        names: list[str] = []
        if selection is not None:
            fetched = selection.kind == "source" and selection.key in fetched_venues(model.catalog)
            if fetched or selection.kind == "venue":
                names.append(selection.key)
            elif selection.kind == "topic" and selection.venue:
                names.append(selection.venue)
        paper = self.current_paper
        in_fetched = selection is not None and selection.kind == "source" and bool(names)
        if node is None and paper is not None and paper.venue and not in_fetched:
            names.insert(0, paper.venue)
        if not names:
            self.notify("Put the cursor on a venue (or one of its papers) to triage it.")
            return
        self.open_triage(names[0])

    def open_triage(self, venue: str) -> None:
        """Triage ``venue``, resuming where it was left."""
        model = self.model
        if model is None:
            return
        from paperdesk.tui.screens.triage import TriageScreen

        target = venue_target(model.catalog, venue)
        if target is None or not target.rows:
            self.notify(f"No venue {venue!r} in the catalog to triage.", markup=False)
            return
        if self.triage_screen is not None:
            self.triage_screen.turn_to(target)
            return
        screen = TriageScreen(self, target)
        self.triage_screen = screen

        def closed(_: object) -> None:
            if self.triage_screen is screen:
                self.triage_screen = None

        self.app.push_screen(screen, closed)

    def action_stats(self) -> None:
        if self.ws is None:
            return
        from paperdesk.tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen(self.ws))

    def key_nodes(self) -> list[tuple[str, DOMNode]]:
        """Where the desk's keys live, pane by pane, for the help screen and the palette."""
        nodes: list[tuple[str, DOMNode]] = [
            ("Desk (list, detail and Library)", self),
            ("Paper list", self.paper_list),
            ("Library", self.query_one(NavTree)),
            ("Paper detail", self.query_one(PaperDetail)),
        ]
        if self.note_editor is not None:
            nodes.append(("Note editor", self.note_editor))
        return [*nodes, ("Search", self.query_one(SearchBar))]

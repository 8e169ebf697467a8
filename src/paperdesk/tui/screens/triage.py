"""Triage of a venue (``T``): one paper at a time, one key to pick, skip or read it.

A thin screen over :class:`~paperdesk.tui.triage_model.TriageModel`. Marks are the desk's own
(:meth:`set_status` of the desk screen): shown at once, written on the writer thread as one
step each, so ``z`` here and in the desk undoes them alike, and the desk's replies settle or
revert them. After a mark the card moves on to the next untriaged paper. Where the cursor is
goes back to the desk, which keeps it per venue in the store's settings, so triage resumes
there — also after a restart.

When the last paper of the venue is triaged and a TODO conference names the venue, the screen
asks whether to mark it done (never silently).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from textual import work
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from paperdesk.catalog.fetched import fetched_fields
from paperdesk.errors import QueryError
from paperdesk.state.triage import PICK, READ, SKIP
from paperdesk.tui.screens.confirm import ConfirmScreen
from paperdesk.tui.triage_model import (
    TriageModel,
    TriagePositions,
    TriageTarget,
    todo_of_venue,
    venue_target,
)
from paperdesk.tui.widgets.key_bar import KeyBar
from paperdesk.tui.widgets.triage_card import CardPaper, TriageCard
from paperdesk.tui.widgets.triage_header import TriageHeader
from paperdesk.tui.writer import Job, JobDone, JobFailed

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.app import ComposeResult
    from textual.dom import DOMNode

    from paperdesk.tui.desk_model import DeskModel
    from paperdesk.tui.services import DeskApp
    from paperdesk.workspace import Workspace


class TriageDesk(Protocol):
    """What triage asks of the desk screen: its model, its marks and undo, the positions."""

    ws: Workspace | None
    model: DeskModel | None
    triage_positions: TriagePositions

    def set_status(self, rows: list[int], status: str) -> None: ...

    def action_undo(self) -> None: ...

    def save_triage_positions(self) -> None: ...


class TriageScreen(Screen[None]):
    """One venue's papers, one at a time."""

    CSS_PATH = "triage.tcss"
    AUTO_FOCUS = "#triage-card"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (110, "-wide")]
    #: The keys the key bar may cut at 80 columns, shown on the card's lower border.
    CARD_KEYS: ClassVar[tuple[tuple[tuple[str, ...], str], ...]] = (
        (("untriaged(True)", "untriaged(False)"), "next/previous untriaged"),
        (("move(1)", "move(-1)"), "move"),
        (("close",), "back"),
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", f"mark('{PICK}')", "Pick", id="triage.pick"),
        Binding("x", f"mark('{SKIP}')", "Skip", id="triage.skip"),
        Binding("r", f"mark('{READ}')", "Read", id="triage.read"),
        Binding("z", "undo", "Undo", id="triage.undo"),
        Binding("n", "untriaged(True)", "Untriaged", id="triage.next"),
        Binding("N", "untriaged(False)", "Previous untriaged", show=False, id="triage.previous"),
        Binding("j,down", "move(1)", "Next paper", show=False, id="triage.down"),
        Binding("k,up", "move(-1)", "Previous paper", show=False, id="triage.up"),
        Binding("slash", "filter", "Filter", id="triage.filter"),
        Binding("escape", "close", "Back", id="triage.back"),
    ]

    def __init__(self, desk: TriageDesk, target: TriageTarget) -> None:
        super().__init__(id="triage")
        self.desk = desk
        self.triage = self._resumed(target)
        #: Authors and abstracts by paper id, as fetching gave them (read by a worker).
        self.fetched: dict[str, dict[str, Any]] = {}
        self._fetched_worker: Worker[dict[str, dict[str, Any]]] | None = None
        self._asked = False

    @property
    def desk_app(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield TriageHeader(id="triage-header")
        yield TriageCard(id="triage-card")
        yield Input(placeholder="filter: words or a query, enter keeps it", id="triage-filter")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#triage-filter").display = False
        self.query_one(TriageCard).border_subtitle = Content(self._card_keys())
        self.show()
        self._read_fetched_rows()

    def _card_keys(self) -> str:
        """``n/N next/previous untriaged · j/k move · esc back``, with the user's remaps."""
        from paperdesk.tui.keymap import key_help

        keys = {item.action: item.keys[0] for item in key_help(self) if item.keys}
        parts = []
        for actions, what in self.CARD_KEYS:
            shown = "/".join(keys[action] for action in actions if action in keys)
            if shown:
                parts.append(f"{shown} {what}")
        return " · ".join(parts)

    @property
    def desk_model(self) -> DeskModel:
        model = self.desk.model
        assert model is not None, "triage opens on a loaded desk"
        return model

    def _model_of(self, target: TriageTarget) -> TriageModel:
        """A triage of ``target`` that reads statuses and ids from the desk's model now."""
        model = self.desk_model
        return TriageModel(target, model.status_of, model.paper_id, model.search)

    def _resumed(self, target: TriageTarget) -> TriageModel:
        """A triage of ``target`` on the paper where it was last left (see TriagePositions)."""
        triage = self._model_of(target)
        triage.resume(self.desk.triage_positions.get(target.name))
        return triage

    def turn_to(self, target: TriageTarget) -> None:
        """Triage another venue in this screen (one triage is open at a time), resuming it
        where it was left."""
        self.desk.save_triage_positions()
        self.triage = self._resumed(target)
        self._asked = False
        if self.is_mounted:  # else on_mount shows it
            self._close_filter(keep=False)
            self._read_fetched_rows()

    def catalog_rebuilt(self) -> None:
        """The desk shows a rebuilt catalog (a sync, a fetch): go on with the same venue on
        its new rows, on the same paper, so that the next key marks the paper on the card.
        With the venue gone, the card says there are no papers (a dialog may be over it)."""
        name = self.triage.name
        target = venue_target(self.desk_model.catalog, name)
        if target is None:
            if self.triage.all_rows:  # said once, not at every sync after
                self.notify(f"{name} is no longer in the catalog.", markup=False)
            target = TriageTarget(name, ())
        triage = self._model_of(target)
        triage.carry_on(self.triage)
        self.triage = triage
        if not triage.progress().done:  # papers added: finishing them asks about the TODO again
            self._asked = False
        if self.is_mounted:  # else on_mount shows it
            self.show()
            self._read_fetched_rows()

    def key_nodes(self) -> list[tuple[str, DOMNode]]:
        return [("Triage", self), ("Triage card", self.query_one(TriageCard))]

    # -- showing -----------------------------------------------------------------------------

    def show(self) -> None:
        """The paper under the cursor on the card, and the progress line."""
        triage, model = self.triage, self.desk_model
        row = triage.current
        if row is None:
            empty = f"No paper of {triage.name} matches {triage.filter!r}."
            self.query_one(TriageCard).show(None, empty if triage.filter else "No papers.")
        else:
            paper = model.paper(row)
            found = self.fetched.get(paper.id)
            if found is None:  # until the worker has read them: what the desk holds
                found = fetched_fields(
                    paper, model.metadata.get(paper.id), model.dblp.get(paper.id)
                )
            card = CardPaper(
                title=paper.title,
                venue=paper.venue,
                topics=paper.topics,
                status=model.status_of(row),
                place=triage.cursor + 1,
                of=len(triage.rows),
                authors=found.get("authors") or (),
                abstract=found.get("abstract"),
                url=paper.url,
            )
            self.query_one(TriageCard).show(card)
            self.desk.triage_positions.put(triage.name, paper.id)
        self._show_progress()

    def _show_progress(self) -> None:
        triage = self.triage
        filtered = triage.shown_progress() if triage.filter else None
        self.query_one(TriageHeader).show(triage.name, triage.progress(), triage.filter, filtered)

    def statuses_changed(self, rows: Iterable[int] | None) -> None:
        """The desk's statuses of ``rows`` (None: any) changed — a reply, a revert, another
        process's write: redraw the card if it shows one of them, and the progress."""
        if rows is None or self.triage.current in set(rows):
            self.show()
        else:
            self._show_progress()

    def undone(self, rows: list[int]) -> None:
        """An undo reverted ``rows``: show the first of them, the paper it gave back."""
        if rows and self.triage.go_to(rows[0]):
            self._asked = False
        self.show()

    # -- keys --------------------------------------------------------------------------------

    def action_mark(self, status: str) -> None:
        triage = self.triage
        row = triage.current
        if row is None:
            return
        self.desk.set_status([row], status)
        triage.next_untriaged()
        self.show()
        if triage.progress().done:
            self._venue_done()

    def action_undo(self) -> None:
        self.desk.action_undo()

    def action_untriaged(self, forward: bool) -> None:
        if self.triage.next_untriaged(forward=forward):
            self.show()
        else:
            self.notify("Every paper here is triaged.", timeout=2)

    def action_move(self, offset: int) -> None:
        if self.triage.move(offset):
            self.show()

    def action_filter(self) -> None:
        box = self.query_one("#triage-filter", Input)
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        try:
            self.triage.set_filter(event.value)
        except QueryError as error:
            self.query_one(TriageHeader).show(
                self.triage.name, self.triage.progress(), f"{event.value} ({error.reason})"
            )
            return
        self.show()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._close_filter(keep=True)

    def _close_filter(self, *, keep: bool) -> None:
        box = self.query_one("#triage-filter", Input)
        if not keep:
            box.value = ""
            self.triage.set_filter("")
            self.show()
        box.display = bool(self.triage.filter)
        self.query_one(TriageCard).focus()

    def action_close(self) -> None:
        """Back to the desk; with a filter kept (or typed), escape clears it first, as it
        clears the search in the desk."""
        box = self.query_one("#triage-filter", Input)
        if box.has_focus or self.triage.filter:
            self._close_filter(keep=False)
            return
        self.desk.save_triage_positions()
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # while the filter box is typed in, it takes the letters: only escape acts
        return action == "close" or not self.query_one("#triage-filter", Input).has_focus

    # -- the TODO conference -----------------------------------------------------------------

    def _venue_done(self) -> None:
        """Every paper is triaged: ask (once) whether to mark the venue's TODO done."""
        ws = self.desk.ws
        if ws is None or self._asked:
            return
        self._asked = True

        def open_todos() -> list[str]:
            return [item.name for item in ws.todos() if not item.done]

        self.desk_app.submit(Job("triage-todos", open_todos, self))

    def on_job_done(self, message: JobDone) -> None:
        job = message.job
        if job.kind == "triage-todos":
            name = todo_of_venue(job.result, self.triage.name)
            if name is not None:
                question = f"Every paper of {self.triage.name} is triaged. Mark {name} done?"
                screen = ConfirmScreen(question)
                self.app.push_screen(screen, lambda yes: self._todo_done(name, yes))
        elif job.kind == "triage-todo-done":
            self.notify(f"Marked {job.data} done.", markup=False, timeout=3)

    def on_job_failed(self, message: JobFailed) -> None:
        self.notify(
            f"Could not update the TODO list: {message.error}", severity="error", markup=False
        )

    def _todo_done(self, name: str, yes: bool | None) -> None:
        ws = self.desk.ws
        if not yes or ws is None:
            return

        def done() -> None:
            ws.seed_todos([name])
            ws.store.update_todo(name, done=True)

        self.desk_app.submit(Job("triage-todo-done", done, self, name))

    # -- what fetching added -----------------------------------------------------------------

    def _read_fetched_rows(self) -> None:
        """Read the fetched fields of the venue shown; only the latest read is kept (an older
        one may finish after it, with another venue's or catalog's papers)."""
        ws = self.desk.ws
        if ws is not None:
            self._fetched_worker = self._read_fetched(ws, self.desk_model, self.triage.all_rows)

    @work(thread=True, exit_on_error=False, name="triage-fetched")
    def _read_fetched(
        self, ws: Workspace, model: DeskModel, rows: tuple[int, ...]
    ) -> dict[str, dict[str, Any]]:
        """Authors and abstracts of the venue's papers, read off the UI thread (the catalog
        never changes, so its papers can be built here)."""
        own = ws.fork()
        papers = [model.paper(row) for row in rows]
        return {paper.id: own.fetched(paper) for paper in papers}

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is self._fetched_worker and event.state == WorkerState.SUCCESS:
            self.fetched = event.worker.result or {}
            self.show()

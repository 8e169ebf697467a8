"""The TODO conferences: dates, days left or overdue, done; add, edit, mark done, remove.

The list is ``Workspace.todos()`` (the store's TODOs plus listed ones it has not met), in list
order or by date (``s``). Every change seeds the listed TODOs into the store first, then edits
the store, all on the writer thread; the table is redrawn from what the store says afterwards.
A line under the table shows the selected conference in full, since at 80 columns the table
cuts its note and link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Label, Static

from paperdesk.catalog.models import TodoItem
from paperdesk.tui.screens.confirm import ConfirmScreen
from paperdesk.tui.text import clean, literal
from paperdesk.tui.triage_model import todo_target, todo_venue_names
from paperdesk.tui.widgets.key_bar import KeyBar
from paperdesk.tui.writer import Job, JobDone, JobFailed

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.dom import DOMNode

    from paperdesk.state.store import Store
    from paperdesk.tui.services import DeskApp
    from paperdesk.workspace import Workspace

SOON_DAYS = 14


def days_text(item: TodoItem, today: dt.date, colours: dict[str, str]) -> Text:
    """``12 days left`` / ``3 days overdue`` / ``today``, coloured by urgency."""
    if item.date is None:
        return Text("")
    days = (item.date - today).days
    if item.done:
        return Text(_days(days), style="dim")
    if days < 0:
        return Text(f"{-days} d overdue", style=f"bold {colours.get('error', 'red')}")
    if days <= SOON_DAYS:
        label = "today" if days == 0 else f"{days} d left"
        return Text(label, style=colours.get("warning", "yellow"))
    return Text(f"{days} d left", style=colours.get("success", "green"))


def _days(days: int) -> str:
    return f"{-days} d ago" if days < 0 else f"in {days} d"


class TodoScreen(Screen[None]):
    """Conferences still to review."""

    CSS_PATH = "todo.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor('down')", "Down", show=False, id="todo.down"),
        Binding("k,up", "cursor('up')", "Up", show=False, id="todo.up"),
        # priority: the table's own home/end scroll sideways
        Binding("g,home", "cursor('first')", "First", show=False, priority=True, id="todo.first"),
        Binding("G,end", "cursor('last')", "Last", show=False, priority=True, id="todo.last"),
        Binding("s", "cycle_sort", "Sort", id="todo.sort"),
        Binding("a", "add", "Add", id="todo.add"),
        Binding("e", "edit", "Edit", id="todo.edit"),
        Binding("d,space", "toggle_done", "Done", id="todo.done"),
        Binding("T", "triage", "Triage", id="todo.triage"),
        Binding("delete,X", "remove", "Remove", id="todo.remove"),
        Binding("o", "open_url", "Open link", id="todo.open"),
        Binding("y", "copy_url", "Copy link", id="todo.copy"),
        Binding("escape,t", "close", "Back", id="todo.back"),
    ]

    SORTS: ClassVar[dict[str, str]] = {"list": "list order", "date": "date"}

    def __init__(self, ws: Workspace, *, today: dt.date | None = None) -> None:
        super().__init__(id="todo")
        self.ws = ws
        self.today = today
        self.items: list[TodoItem] = []
        self.listed: list[TodoItem] = []
        self.sort = "list"

    @property
    def desk_app(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("", id="todo-title")
        table: DataTable[Any] = DataTable(id="todo-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="todo-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(" ", "Conference", "Date", "When", "Note", "Link")
        table.focus()
        self._list()

    def key_nodes(self) -> list[tuple[str, DOMNode]]:
        return [("TODO conferences", self)]

    def on_screen_resume(self) -> None:
        """Back from triage, which may have marked a conference done."""
        self._list()

    # -- store -----------------------------------------------------------------------------

    def _list(self) -> None:
        self.desk_app.submit(Job("todos", self.ws.todos, self))

    def _change(self, change: Callable[[Store], object]) -> None:
        """Run ``change`` on the store (after seeding the listed TODOs), then list again."""
        ws = self.ws

        def run() -> list[TodoItem]:
            ws.seed_todos()
            change(ws.store)
            return ws.todos()

        self.desk_app.submit(Job("todos", run, self))

    def on_job_done(self, message: JobDone) -> None:
        self.listed = list(message.job.result or [])
        self.show(self.listed)

    def on_job_failed(self, message: JobFailed) -> None:
        self.notify(f"{message.error}", severity="error", markup=False)

    def show(self, items: list[TodoItem]) -> None:
        table = self.query_one(DataTable)
        current = self.current
        self.items = list(items)
        if self.sort == "date":  # soonest first; undated ones, then done ones, last
            self.items.sort(
                key=lambda item: (item.done, item.date is None, item.date or dt.date.max)
            )
        table.clear()
        today = self.today or dt.date.today()
        colours = self.app.theme_variables
        for item in self.items:
            table.add_row(
                Text("✓" if item.done else " ", style="bold"),
                literal(item.name, "dim" if item.done else ""),
                Text(item.date.isoformat() if item.date else ""),
                days_text(item, today, colours),
                literal(item.note or ""),
                literal(item.url or "", "dim"),
            )
        if current is not None:
            for index, item in enumerate(self.items):
                if item.name.casefold() == current.name.casefold():
                    table.move_cursor(row=index)
        open_count = sum(1 for item in self.items if not item.done)
        self.query_one("#todo-title", Static).update(
            literal(
                f"TODO conferences · {open_count} open · {len(self.items)} in all"
                f" · sort: {self.SORTS[self.sort]}"
            )
        )
        self._show_detail()

    def _show_detail(self) -> None:
        """The selected conference in full, on the line under the table."""
        item = self.current
        if item is None:
            self.query_one("#todo-detail", Static).update("")
            return
        today = self.today or dt.date.today()
        line = Text.assemble(" ", literal(item.name, "bold"))
        if item.date:
            line.append(f" · {item.date.isoformat()} (")
            line.append_text(days_text(item, today, self.app.theme_variables))
            line.append(")")
        if item.done:
            line.append(" · done")
        if item.note:
            line.append(" · ")
            line.append_text(literal(item.note))
        if item.url:
            line.append(" · ")
            line.append_text(literal(item.url, "dim"))
        self.query_one("#todo-detail", Static).update(line)

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self._show_detail()

    @property
    def current(self) -> TodoItem | None:
        table = self.query_one(DataTable)
        if not self.items or table.cursor_row is None:
            return None
        if 0 <= table.cursor_row < len(self.items):
            return self.items[table.cursor_row]
        return None

    # -- actions ---------------------------------------------------------------------------

    def action_cursor(self, where: str) -> None:
        table = self.query_one(DataTable)
        if where == "down":
            table.action_cursor_down()
        elif where == "up":
            table.action_cursor_up()
        elif self.items:
            table.move_cursor(row=0 if where == "first" else len(self.items) - 1)

    def action_cycle_sort(self) -> None:
        """List order, or by date (soonest first)."""
        order = list(self.SORTS)
        self.sort = order[(order.index(self.sort) + 1) % len(order)]
        self.show(self.listed)

    def action_add(self) -> None:
        def added(item: TodoItem | None) -> None:
            if item is not None:
                self._change(lambda store: store.add_todo(item))

        self.app.push_screen(TodoForm(), added)

    def action_edit(self) -> None:
        item = self.current
        if item is None:
            return
        name = item.name

        def edited(new: TodoItem | None) -> None:
            if new is None:
                return
            changes: dict[str, Any] = {
                "url": new.url,
                "date": new.date,
                "note": new.note,
            }
            if new.name != name:
                changes["name"] = new.name
            self._change(lambda store: store.update_todo(name, **changes))

        self.app.push_screen(TodoForm(item), edited)

    def action_toggle_done(self) -> None:
        item = self.current
        if item is not None:
            done = not item.done
            self._change(lambda store: store.update_todo(item.name, done=done))

    def action_remove(self) -> None:
        item = self.current
        if item is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._change(lambda store: store.remove_todo(item.name))

        self.app.push_screen(ConfirmScreen(f"Remove {item.name} from the TODO list?"), confirmed)

    def action_triage(self) -> None:
        """Triage the conference's venue; one not fetched yet is fetched from DBLP first, once
        the user says so (it is a network request and a new source). A venue the lists hold a
        few papers of is not its accepted list: that asks too, and a no triages those."""
        item = self.current
        if item is None:
            return
        target = todo_target(self.ws.catalog, item.name)
        if target is not None and target.fetched:
            self.desk_app.triage(target.name)
            return
        venue = todo_venue_names(item.name)[0]
        question = f"{venue} is not fetched yet. Fetch its accepted papers from DBLP?"
        if target is not None:
            held = f"{len(target.rows)} paper{'s' if len(target.rows) != 1 else ''}"
            question = (
                f"{venue} is not fetched yet: your lists hold {held} of it. Fetch its accepted "
                f"papers from DBLP? (no: triage the {held})"
            )

        def answered(yes: bool | None) -> None:
            if yes:
                self.desk_app.fetch_venue(venue)
            elif target is not None:
                if yes is False:  # an n; escape (None) backs out
                    self.desk_app.triage(target.name)
            else:
                self.notify(
                    f'To fetch it later: T again, or paperdesk venue fetch "{venue}".',
                    markup=False,
                    timeout=6,
                )

        self.app.push_screen(ConfirmScreen(question), answered)

    def action_open_url(self) -> None:
        item = self.current
        if item is not None and item.url:
            self.desk_app.open_link(item.url)

    def action_copy_url(self) -> None:
        item = self.current
        if item is not None and item.url:
            self.desk_app.copy_text(item.url, "the link")

    def action_close(self) -> None:
        self.dismiss()


class TodoForm(ModalScreen[TodoItem | None]):
    """Add or edit a TODO conference; enter saves, escape cancels."""

    CSS_PATH: ClassVar[list[str]] = ["dialogs.tcss", "todo.tcss"]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="todo_form.cancel"),
    ]

    def __init__(self, item: TodoItem | None = None) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        item = self.item
        with Vertical(id="todo-form") as form:
            form.border_title = "Edit conference" if item else "Add a conference"
            form.border_subtitle = "enter saves · tab next field · escape cancels"
            yield Label("Name")
            yield Input(clean(item.name) if item else "", id="todo-name")
            yield Label("Date (YYYY-MM-DD)")
            yield Input(item.date.isoformat() if item and item.date else "", id="todo-date")
            yield Label("URL")
            yield Input(clean(item.url or "") if item else "", id="todo-url")
            yield Label("Note")
            yield Input(clean(item.note or "") if item else "", id="todo-note")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = self.query_one("#todo-name", Input).value.strip()
        date_text = self.query_one("#todo-date", Input).value.strip()
        if not name:
            self.notify("A conference needs a name.", severity="error")
            self.query_one("#todo-name", Input).focus()
            return
        try:
            date = dt.date.fromisoformat(date_text) if date_text else None
        except ValueError:
            self.notify(
                f"{date_text!r} is not a date like 2025-10-13.", severity="error", markup=False
            )
            self.query_one("#todo-date", Input).focus()
            return
        url = self.query_one("#todo-url", Input).value.strip() or None
        note = self.query_one("#todo-note", Input).value.strip() or None
        done = self.item.done if self.item else False
        self.dismiss(TodoItem(name=name, url=url, date=date, note=note, done=done))

    def action_cancel(self) -> None:
        self.dismiss(None)

"""Property tests: any sequence of store operations matches a plain in-memory model, on disk too."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from paperdesk.catalog import identity
from paperdesk.catalog.models import TodoItem
from paperdesk.catalog.records import STATUSES, Paper
from paperdesk.errors import NotFoundError
from paperdesk.state.store import DuplicateTodoError, Store

TITLES = ["Alpha: a paper", "Beta [draft] **bold**", "Γάμμα ünïcode", "Delta\ttab", "Ε"]
PAPERS = [
    Paper(id=identity.paper_id(t), title=t, venue="NSDI 2025", source="awesome-papers")
    for t in TITLES
]
# Any text a user can type or a file can hold, lone surrogates (undecodable bytes) included.
NOTES = st.text(st.characters(exclude_categories=()), max_size=40)
TODO_NAMES = st.sampled_from(["OSDI", "osdi", "SOSP", "Sosp", "ATC"])  # clashes are common
DATES = st.none() | st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31))
URLS = st.none() | st.sampled_from(["https://a.example", "https://b.example/[x]"])

paper_indexes = st.integers(0, len(PAPERS) - 1)


class StoreModel(RuleBasedStateMachine):
    """The model: status/note per paper id, and TODOs in order, keyed by casefolded name.

    Checked against the open store after every step, and against a fresh open at the end.
    """

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="paperdesk-props-"))
        self.path = self.dir / "store.json"
        self.store = Store.open(self.path)
        self.status: dict[str, str] = {}
        self.history: dict[str, list[str]] = {}
        self.notes: dict[str, str] = {}
        self.todos: dict[str, dict[str, object]] = {}  # insertion-ordered
        #: Undoable steps, oldest first: what each status or note change replaced.
        self.steps: list[dict[str, tuple[str, list[str], str | None]]] = []

    def teardown(self) -> None:
        try:
            store = Store.open(self.path)
            self.compare(store)
            folds, todos = store.rebuild()  # the store is what its log makes
            for paper_id, fold in folds.items():
                state = store.state(paper_id)
                assert {name: getattr(state, name) for name in fold.reading()} == fold.reading()
            live = {t.name.casefold(): t for t in store.todos(include_removed=True)}
            assert {k: live[k] for k in todos} == todos
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def remember_step(self, paper_ids: list[str]) -> None:
        """Before a change: what ``undo`` must bring back."""
        self.steps.append(
            {
                pid: (
                    self.status.get(pid, "unread"),
                    list(self.history.get(pid, [])),
                    self.notes.get(pid),
                )
                for pid in paper_ids
            }
        )

    @rule()
    def reopen(self) -> None:
        self.store = Store.open(self.path)

    @invariant()
    def matches_the_model(self) -> None:
        self.compare(self.store)

    def compare(self, store: Store) -> None:
        for paper in PAPERS:
            state = store.state(paper.id)
            assert store.status_of(paper.id) == self.status.get(paper.id, "unread")
            assert store.note_of(paper.id) == self.notes.get(paper.id)
            history = [h.status for h in state.history] if state else []
            assert history == self.history.get(paper.id, [])
        todos = [t.model_dump(exclude={"updated_at"}) for t in store.todos(include_removed=True)]
        assert todos == list(self.todos.values())
        assert store.todos() == [t for t in store.todos(include_removed=True) if not t.removed]


class PaperRules(StoreModel):
    @rule(indexes=st.lists(paper_indexes, min_size=1, max_size=4), status=st.sampled_from(STATUSES))
    def set_status(self, indexes: list[int], status: str) -> None:
        states = self.store.set_status([PAPERS[i] for i in indexes], status)
        assert [s.id for s in states] == [PAPERS[i].id for i in indexes]
        assert all(s.status == status for s in states)
        changed = [
            PAPERS[i].id
            for i in dict.fromkeys(indexes)
            if self.status.get(PAPERS[i].id, "unread") != status
        ]
        if changed:
            self.remember_step(changed)
        for i in dict.fromkeys(indexes):
            pid = PAPERS[i].id
            if self.status.get(pid, "unread") != status:
                self.history.setdefault(pid, []).append(status)
            self.status[pid] = status

    @rule(i=paper_indexes, note=st.none() | NOTES)
    def set_note(self, i: int, note: str | None) -> None:
        self.store.set_note(PAPERS[i], note)
        if (note or None) != self.notes.get(PAPERS[i].id):
            self.remember_step([PAPERS[i].id])
        if note:
            self.notes[PAPERS[i].id] = note
        else:
            self.notes.pop(PAPERS[i].id, None)

    @rule(i=paper_indexes, text=NOTES)
    def append_note(self, i: int, text: str) -> None:
        self.store.append_note(PAPERS[i], text)
        pid = PAPERS[i].id
        if text:
            self.remember_step([pid])
        if text:
            self.notes[pid] = f"{self.notes[pid]}\n{text}" if pid in self.notes else text

    @rule()
    def undo(self) -> None:
        """The last change comes back exactly; the undone mark leaves the history."""
        report = self.store.undo()
        if not self.steps:
            assert report is None
            return
        assert report is not None
        for pid, (status, history, note) in self.steps.pop().items():
            self.status[pid] = status
            self.history[pid] = history
            if note is None:
                self.notes.pop(pid, None)
            else:
                self.notes[pid] = note


class TodoRules(StoreModel):
    @rule(name=TODO_NAMES, url=URLS, done=st.booleans())
    def add_todo(self, name: str, url: str | None, done: bool) -> None:
        key = name.casefold()
        current = self.todos.get(key)
        try:
            self.store.add_todo(TodoItem(name=name, url=url, done=done))
        except DuplicateTodoError:
            assert current is not None and not current["removed"]
            return
        assert current is None or current["removed"]
        fields = {"name": name, "url": url, "note": None, "date": None, "done": done}
        if current is None:
            self.todos[key] = {**fields, "removed": False, "added_by": "user"}
        else:
            current.update(fields, removed=False, added_by="user")

    @rule(
        name=TODO_NAMES,
        date=DATES,
        done=st.none() | st.booleans(),
        note=st.none() | NOTES,
        rename=st.none() | TODO_NAMES,
    )
    def update_todo(
        self,
        name: str,
        date: dt.date | None,
        done: bool | None,
        note: str | None,
        rename: str | None,
    ) -> None:
        changes: dict[str, object] = {"date": date}
        if done is not None:
            changes["done"] = done
        if note is not None:
            changes["note"] = note
        if rename is not None:
            changes["name"] = rename
        key = name.casefold()
        current = self.todos.get(key)
        if current is None or current["removed"]:
            try:
                self.store.update_todo(name, **changes)
            except NotFoundError:
                return
            raise AssertionError("updated a TODO that does not exist")
        clash = self.todos.get(rename.casefold()) if rename is not None else None
        if clash is not None and clash is not current and not clash["removed"]:
            try:
                self.store.update_todo(name, **changes)
            except DuplicateTodoError:
                return
            raise AssertionError("renamed onto an existing TODO")
        self.store.update_todo(name, **changes)
        old = dict(current)
        current.update(changes)
        if rename is not None and rename.casefold() != key:
            # the renamed item keeps its place under the new name; its old name stays as a
            # tombstone, in the place of a tombstone of the new name, else at the end
            new_key, tomb = rename.casefold(), {**old, "removed": True}
            todos: dict[str, dict[str, object]] = {}
            for k, v in self.todos.items():
                if k == key:
                    todos[new_key] = current
                elif k == new_key:
                    todos[key] = tomb
                else:
                    todos[k] = v
            todos.setdefault(key, tomb)
            self.todos = todos

    @rule(name=TODO_NAMES)
    def remove_todo(self, name: str) -> None:
        current = self.todos.get(name.casefold())
        try:
            self.store.remove_todo(name)
        except NotFoundError:
            assert current is None or current["removed"]
            return
        assert current is not None and not current["removed"]
        current["removed"] = True

    @rule(items=st.lists(st.tuples(TODO_NAMES, st.booleans()), max_size=4))
    def seed_todos(self, items: list[tuple[str, bool]]) -> None:
        added = self.store.seed_todos(TodoItem(name=n, done=d) for n, d in items)
        expected = []
        for name, done in items:
            if name.casefold() not in self.todos:
                self.todos[name.casefold()] = {
                    "name": name,
                    "url": None,
                    "note": None,
                    "date": None,
                    "done": done,
                    "removed": False,
                    "added_by": "import",
                }
                expected.append(name)
        assert added == expected


PaperRules.TestCase.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)
TodoRules.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
TestPaperOperations = PaperRules.TestCase
TestTodoOperations = TodoRules.TestCase


@settings(max_examples=60, deadline=None)
@given(note=NOTES.filter(bool), more=NOTES)
def test_any_note_round_trips_verbatim(note: str, more: str) -> None:
    directory = Path(tempfile.mkdtemp(prefix="paperdesk-note-"))
    try:
        path = directory / "store.json"
        store = Store.open(path)
        store.set_note(PAPERS[0], note)
        store.append_note(PAPERS[0], more)
        expected = f"{note}\n{more}" if more else note
        assert Store.open(path).note_of(PAPERS[0].id) == expected
        path.read_bytes().decode("utf-8")  # the file stays valid UTF-8 whatever the note
    finally:
        shutil.rmtree(directory, ignore_errors=True)

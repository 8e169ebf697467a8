"""The reading-state log beside the store: written ahead, replayed, migrated, rebuilt."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
from pathlib import Path

import pytest

from paperdesk.catalog import identity
from paperdesk.catalog.models import TodoItem
from paperdesk.catalog.records import STATUSES, Paper
from paperdesk.errors import NotFoundError, StoreError
from paperdesk.state.clock import Clock
from paperdesk.state.events import StatusEvent, decode, encode, new_id
from paperdesk.state.log import log_name
from paperdesk.state.store import DuplicateTodoError, Store


def paper(title: str, venue: str = "OSDI 2024") -> Paper:
    return Paper(id=identity.paper_id(title), title=title, venue=venue, source="awesome-papers")


PAPERS = [paper(f"Paper number {n} on serving") for n in range(12)]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "desk" / "store.json"


def own_log(store: Store) -> Path:
    return store.log.path(store.log.own)


def log_lines(store: Store) -> list[dict]:
    return [json.loads(line) for line in own_log(store).read_text().splitlines()]


def assert_rebuilds(store: Store) -> None:
    """The store equals the state its log makes, computed from the log alone."""
    folds, todos = Store.open(store.path).rebuild()
    states = Store.open(store.path).states()
    assert set(folds) <= set(states)
    for paper_id, fold in folds.items():
        state = states[paper_id]
        assert {name: getattr(state, name) for name in fold.reading()} == fold.reading()
    stored = {t.name.casefold(): t for t in Store.open(store.path).todos(include_removed=True)}
    assert {k: t.model_dump() for k, t in todos.items()} == {
        k: stored[k].model_dump() for k in todos
    }


def random_ops(store: Store, rng: random.Random, count: int) -> None:
    for i in range(count):
        choice = rng.random()
        picked = rng.sample(PAPERS, rng.randint(1, 4))
        if choice < 0.35:
            store.set_status(picked, rng.choice(STATUSES))
        elif choice < 0.55:
            store.set_note(picked[0], rng.choice([None, f"note {i}", f"línea {i}\n**x**"]))
        elif choice < 0.65:
            store.append_note(picked[0], f"added {i}")
        elif choice < 0.75:
            store.undo()
        elif choice < 0.82:
            name = rng.choice(["OSDI", "SOSP", "nsdi"])
            try:
                store.add_todo(TodoItem(name=name, note=f"t{i}"))
            except DuplicateTodoError:
                store.update_todo(name, done=rng.random() < 0.5)
        elif choice < 0.86:
            with contextlib.suppress(NotFoundError):
                store.remove_todo(rng.choice(["OSDI", "SOSP", "nsdi"]))
        elif choice < 0.9:
            store.seed_todos([TodoItem(name=rng.choice(["FAST", "OSDI", "ATC"]))])
        else:
            store = Store.open(store.path)


def test_every_change_is_an_event_of_this_machine_with_a_later_clock(path: Path) -> None:
    store = Store.open(path)
    store.set_status(PAPERS[:3], "read")
    store.set_note(PAPERS[0], "first")
    store.append_note(PAPERS[0], "second")
    store.add_todo(TodoItem(name="OSDI 2025"))
    lines = log_lines(store)
    assert [line["kind"] for line in lines] == ["status"] * 3 + ["note", "note", "todo"]
    assert {line["machine"] for line in lines} == {store.machine.id}
    assert len({line["id"] for line in lines}) == len(lines)
    assert len({line["step"] for line in lines[:3]}) == 1  # one bulk mark, one step
    clocks = [line["clock"] for line in lines]
    assert clocks == sorted(clocks) and len(set(clocks[2:])) == 4
    assert lines[4]["base"] == [lines[3]["id"]] and lines[4]["note"] == "first\nsecond"
    assert own_log(store).name == log_name(store.machine.id)
    assert json.loads(path.read_text())["meta"]["1"]["log"] == {
        own_log(store).name: own_log(store).stat().st_size
    }


def test_the_machine_id_is_made_once_per_home(path: Path, tmp_path: Path) -> None:
    first = Store.open(path).machine
    assert Store.open(path).machine == first
    other = Store.open(tmp_path / "elsewhere" / "store.json").machine
    assert other.id != first.id and other.label == first.label


@pytest.mark.parametrize("seed", range(4))
def test_the_store_equals_a_rebuild_from_its_log(path: Path, seed: int) -> None:
    store = Store.open(path)
    random_ops(store, random.Random(seed), 80)
    assert_rebuilds(store)


def test_events_a_killed_writer_appended_are_applied_at_the_next_open(path: Path) -> None:
    store = Store.open(path)
    store.set_status([PAPERS[0]], "queued")
    # a writer that appended its event and died before writing the store
    clock = Clock.parse(json.loads(path.read_text())["meta"]["1"]["clock"])
    event = StatusEvent(
        id=new_id(),
        machine=store.machine.id,
        label=store.machine.label,
        clock=str(Clock(clock.wall_ms + 5)),
        step=new_id(),
        paper=PAPERS[1].id,
        title=PAPERS[1].title,
        status="read",
    )
    with own_log(store).open("ab") as handle:
        handle.write(encode(event))
    assert Store.open(path).status_of(PAPERS[1].id) == "read"
    assert_rebuilds(store)


def test_a_line_cut_short_by_a_kill_is_ignored_and_removed(path: Path) -> None:
    store = Store.open(path)
    store.set_status([PAPERS[0]], "queued")
    size = own_log(store).stat().st_size
    with own_log(store).open("ab") as handle:
        handle.write(b'{"v":1,"id":"cut","kind":"sta')
    reopened = Store.open(path)
    assert reopened.status_of(PAPERS[0].id) == "queued"
    assert own_log(store).stat().st_size == size  # cut at the open's catch-up
    reopened.set_status([PAPERS[1]], "read")
    assert [line["status"] for line in log_lines(store)] == ["queued", "read"]


def test_a_failed_store_write_takes_its_events_back(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(path)
    store.set_status([PAPERS[0]], "queued")
    before = own_log(store).read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("paperdesk.state.storage.atomic_write_bytes", broken)
    with pytest.raises(StoreError, match="No space left"):
        store.set_status([PAPERS[1]], "read")
    monkeypatch.undo()
    assert own_log(store).read_bytes() == before
    assert Store.open(path).status_of(PAPERS[1].id) == "unread"


def test_a_log_line_from_a_newer_paperdesk_is_refused_in_one_line(path: Path) -> None:
    store = Store.open(path)
    store.set_status([PAPERS[0]], "queued")
    line = log_lines(store)[0]
    line.update(v=99, id="from-the-future")
    with own_log(store).open("a") as handle:
        handle.write(json.dumps(line) + "\n")
    with pytest.raises(StoreError, match="newer paperdesk") as info:
        Store.open(path)
    assert "\n" not in str(info.value) and own_log(store).name in str(info.value)


def test_a_v1_store_becomes_this_machines_first_events_losing_nothing(path: Path) -> None:
    at = [dt.datetime(2024, 5, 1, 10, m, tzinfo=dt.UTC) for m in range(4)]
    a, b, c = PAPERS[:3]
    v1 = {
        "meta": {"1": {"schema_version": 1, "created_at": at[0].isoformat()}},
        "papers": {
            a.id: {
                "status": "read",
                "history": [
                    {"status": "queued", "at": at[0].isoformat()},
                    {"status": "reading", "at": at[1].isoformat()},
                    {"status": "read", "at": at[2].isoformat()},
                ],
                "note": "written by v1",
                "title": a.title,
                "previous_ids": ["an-older-id"],
                "created_at": at[0].isoformat(),
                "updated_at": at[3].isoformat(),
            },
            b.id: {
                "status": "skipped",  # hand-edited: the history does not end with it
                "title": b.title,
                "created_at": at[0].isoformat(),
                "updated_at": at[1].isoformat(),
            },
            c.id: {
                "note": "only a note",
                "created_at": at[0].isoformat(),
                "updated_at": at[0].isoformat(),
            },
        },
        "todos": {
            "1": {"name": "OSDI 2024", "done": True, "added_by": "import"},
            "2": {"name": "SOSP", "removed": True},
        },
    }
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(v1))
    store = Store.open(path)
    state = store.state(a.id)
    assert (state.status, state.note, state.previous_ids) == (
        "read",
        "written by v1",
        ["an-older-id"],
    )
    assert [(h.status, h.at) for h in state.history] == list(
        zip(["queued", "reading", "read"], at[:3], strict=True)
    )
    assert store.status_of(b.id) == "skipped" and store.note_of(c.id) == "only a note"
    todos = {t.name: t for t in store.todos(include_removed=True)}
    assert todos["OSDI 2024"].done and todos["OSDI 2024"].added_by == "import"
    assert todos["SOSP"].removed
    lines = log_lines(store)
    assert {line["origin"] for line in lines} == {"migrate"}
    assert len(lines) == 4 + 1 + 1 + 2  # a's history and note, b's status, c's note, TODOs
    assert store.undo() is None  # a migration is not a step to undo
    assert_rebuilds(store)
    # opening again (or a migration cut short and run again) adds nothing
    assert len(log_lines(Store.open(path))) == len(lines)


def test_a_migration_cut_short_is_finished_from_the_log(path: Path) -> None:
    a = PAPERS[0]
    v1 = {
        "meta": {"1": {"schema_version": 1, "created_at": "2024-05-01T10:00:00Z"}},
        "papers": {
            a.id: {
                "status": "read",
                "history": [{"status": "read", "at": "2024-05-01T10:00:00Z"}],
                "created_at": "2024-05-01T10:00:00Z",
                "updated_at": "2024-05-01T10:00:00Z",
            }
        },
    }
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(v1))
    Store.open(path).set_note(a, "after the migration")
    path.write_text(json.dumps(v1))  # the v1 store comes back (a backup restored, say)
    store = Store.open(path)
    assert store.note_of(a.id) == "after the migration" and store.status_of(a.id) == "read"
    assert len(log_lines(store)) == 2


def test_a_deleted_log_is_seeded_again_from_the_store(path: Path) -> None:
    store = Store.open(path)
    store.set_status([PAPERS[0]], "reading")
    store.set_note(PAPERS[0], "kept")
    own_log(store).unlink()
    reopened = Store.open(path)
    assert (
        reopened.status_of(PAPERS[0].id) == "reading" and reopened.note_of(PAPERS[0].id) == "kept"
    )
    assert {line["origin"] for line in log_lines(reopened)} == {"migrate"}
    assert_rebuilds(reopened)


def test_relinks_are_events_another_rebuild_follows(path: Path) -> None:
    store = Store.open(path)
    old, new = paper("Serving models the old way"), paper("Serving models the new way")
    store.set_status([old], "reading")
    store.set_note(old, "moves along")
    store.set_status([new], "read")
    store.set_status([new], "unread")  # a record that carries nothing
    store.relink({old.id: new})
    state = store.state(new.id)
    assert (state.status, state.note, state.previous_ids) == ("reading", "moves along", [old.id])
    assert store.state(old.id) is None
    assert [line["kind"] for line in log_lines(store)][-1] == "relink"
    assert_rebuilds(store)
    store.set_status([new], "read")
    assert_rebuilds(store)


def test_event_lines_round_trip(path: Path) -> None:
    store = Store.open(path)
    store.set_note(PAPERS[0], "lone \ud800 surrogate and ünïcode")
    for line in own_log(store).read_bytes().splitlines(keepends=True):
        assert encode(decode(line)) == line


def test_a_log_file_rewritten_rather_than_appended_to_is_applied_whole(path: Path) -> None:
    store = Store.open(path)
    store.set_status([PAPERS[0]], "queued")
    store.set_status([PAPERS[1]], "read")
    old = own_log(store).read_bytes().splitlines(keepends=True)
    clock = Clock.parse(json.loads(path.read_text())["meta"]["1"]["clock"])
    new = StatusEvent(
        id=new_id(),
        machine=store.machine.id,
        clock=str(Clock(clock.wall_ms + 5)),
        step=new_id(),
        paper=PAPERS[2].id,
        status="skipped",
    )
    # another tool rewrote the file: an event in the middle, the old ones in another order
    own_log(store).write_bytes(old[1] + encode(new) + old[0])
    reopened = Store.open(path)
    assert reopened.status_of(PAPERS[2].id) == "skipped"
    assert reopened.status_of(PAPERS[0].id) == "queued"

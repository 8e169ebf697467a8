"""The Store on real files: state operations, corruption, schema versions, backups, doctor."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from paperdesk.catalog import identity
from paperdesk.catalog.models import TodoItem
from paperdesk.catalog.records import STATUSES, Paper
from paperdesk.errors import (
    EXIT_FAILURE,
    EXIT_USAGE,
    InputError,
    NotFoundError,
    StoreError,
    UnknownStatusError,
)
from paperdesk.state.clock import Clock
from paperdesk.state.file_format import STORE_SCHEMA_VERSION
from paperdesk.state.storage import backup_paths
from paperdesk.state.store import (
    MIGRATIONS,
    DuplicateTodoError,
    Store,
)

NOTE = "Ünïcode ✓ [bold]not markup[/] **stars** `code`\n\n- a list\r\n\ttabbed \u2028 " + "x" * 5000


def paper(title: str, venue: str = "OSDI 2024", source: str = "awesome-papers") -> Paper:
    return Paper(id=identity.paper_id(title), title=title, venue=venue, source=source)


A = paper("ServerlessLLM: Low-Latency Serverless Inference for Large Language Models")
B = paper("Llumnix: Dynamic Scheduling for Large Language Model Serving")
C = paper("DistServe: Disaggregating Prefill and Decoding")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "desk" / "store.json"


@pytest.fixture
def store(path: Path) -> Store:
    return Store.open(path)


def write_id(path: Path) -> bytes:
    return path.read_bytes().split(b"\n", 1)[0]


def test_open_creates_directory_and_file_with_meta(path: Path) -> None:
    assert not path.parent.exists()
    store = Store.open(path)
    assert store.path == path
    meta = json.loads(path.read_text())["meta"]["1"]
    assert meta["schema_version"] == STORE_SCHEMA_VERSION
    assert dt.datetime.fromisoformat(meta["created_at"]).tzinfo is not None
    assert store.states() == {} and store.todos() == []


def test_set_status_appends_history_only_on_change(store: Store, path: Path) -> None:
    [state] = store.set_status([A], "reading")
    assert (state.status, [h.status for h in state.history]) == ("reading", ["reading"])
    assert state.history[0].at.utcoffset() == dt.timedelta(0)
    assert (state.title, state.venue, state.source) == (A.title, "OSDI 2024", "awesome-papers")
    before = path.read_bytes()
    [same] = store.set_status([A], "reading")
    assert [h.status for h in same.history] == ["reading"]
    assert path.read_bytes() == before  # nothing changed: nothing written
    store.set_status([A], "read")
    reopened = Store.open(path)
    assert [h.status for h in reopened.state(A.id).history] == ["reading", "read"]
    assert reopened.status_of(A.id) == "read"
    assert reopened.status_of(B.id) == "unread" and reopened.state(B.id) is None


def test_marking_a_paper_without_state_unread_writes_nothing(store: Store, path: Path) -> None:
    before = path.read_bytes()
    [state] = store.set_status([A], "unread")
    assert state.status == "unread" and state.id == A.id
    assert path.read_bytes() == before and store.state(A.id) is None


def test_batch_set_status_is_one_write(path: Path) -> None:
    store = Store.open(path, backup_interval=0)  # every write rotates: backups count writes
    store.set_note(C, "first")
    before = path.read_bytes()
    store.set_status([A, B, C], "queued")
    assert backup_paths(path)[0].read_bytes() == before
    assert {s.status for s in Store.open(path).states().values()} == {"queued"}


def test_unknown_status_lists_the_valid_ones(store: Store, path: Path) -> None:
    before = path.read_bytes()
    with pytest.raises(UnknownStatusError) as info:
        store.set_status([A], "done")
    assert isinstance(info.value, ValueError) and info.value.exit_code == EXIT_USAGE
    assert all(status in str(info.value) for status in STATUSES)
    assert path.read_bytes() == before


def test_notes_are_stored_verbatim(store: Store, path: Path) -> None:
    store.set_note(A, NOTE)
    assert Store.open(path).note_of(A.id) == NOTE
    store.append_note(A, "[appended] line")
    assert Store.open(path).note_of(A.id) == NOTE + "\n[appended] line"
    store.append_note(B, "first line")
    assert Store.open(path).note_of(B.id) == "first line"
    store.set_note(A, "")
    store.set_note(B, None)
    reopened = Store.open(path)
    assert reopened.note_of(A.id) is None and reopened.note_of(B.id) is None
    assert reopened.state(A.id) is not None  # state stays; only the note went


def test_states_and_records_are_compact_on_disk(store: Store, path: Path) -> None:
    store.set_status([A], "read")
    record = json.loads(path.read_text())["papers"][A.id]
    assert "id" not in record and "note" not in record and "previous_ids" not in record
    assert Store.open(path).states()[A.id].id == A.id


def test_todos_add_update_remove_and_revive(store: Store, path: Path) -> None:
    store.add_todo(TodoItem(name="OSDI 2025", url="https://osdi.example", note="due soon"))
    with pytest.raises(DuplicateTodoError) as info:
        store.add_todo(TodoItem(name="osdi 2025"))
    assert info.value.exit_code == EXIT_FAILURE and "\n" not in str(info.value)
    done = store.update_todo("OSDI 2025", done=True, date=dt.date(2025, 7, 7))
    assert done.done and done.date == dt.date(2025, 7, 7) and done.url == "https://osdi.example"
    store.update_todo("osdi 2025", name="OSDI '25")
    with pytest.raises(NotFoundError):
        store.update_todo("OSDI 2025", done=False)
    with pytest.raises(TypeError):
        store.update_todo("OSDI '25", colour="red")
    with pytest.raises(InputError):
        store.update_todo("OSDI '25", date="not a date")
    store.remove_todo("OSDI '25")
    with pytest.raises(NotFoundError):
        store.remove_todo("OSDI '25")
    reopened = Store.open(path)
    assert reopened.todos() == []
    # the rename left the old name as a tombstone, so a re-import does not bring it back
    tomb, old_name = reopened.todos(include_removed=True)
    assert tomb.removed and tomb.name == "OSDI '25" and tomb.done
    assert old_name.removed and old_name.name == "OSDI 2025"
    revived = reopened.add_todo(TodoItem(name="osdi '25", url="https://new"))
    assert not revived.removed and revived.url == "https://new" and not revived.done
    names = [t.name for t in Store.open(path).todos(include_removed=True)]
    assert names == ["osdi '25", "OSDI 2025"]


def test_rename_onto_a_removed_todo_replaces_its_tombstone(store: Store) -> None:
    store.add_todo(TodoItem(name="SOSP"))
    store.add_todo(TodoItem(name="NSDI"))
    store.remove_todo("NSDI")
    with pytest.raises(DuplicateTodoError):
        store.add_todo(TodoItem(name="sosp"))
    store.update_todo("SOSP", name="nsdi")
    # the renamed item keeps its place; the old name is the tombstone now
    todos = [(t.name, t.removed) for t in store.todos(include_removed=True)]
    assert todos == [("nsdi", False), ("SOSP", True)]


def test_seed_todos_adds_only_names_never_seen(store: Store, path: Path) -> None:
    store.add_todo(TodoItem(name="EuroSys 2026", note="mine"))
    store.update_todo("EuroSys 2026", done=True)
    store.add_todo(TodoItem(name="ATC 2025"))
    store.remove_todo("ATC 2025")
    listed = [
        TodoItem(name="eurosys 2026", note="from the list"),
        TodoItem(name="ATC 2025"),
        TodoItem(name="FAST 2026", done=True),
        TodoItem(name="fast 2026"),
    ]
    assert store.seed_todos(listed) == ["FAST 2026"]
    before = path.read_bytes()
    assert store.seed_todos(listed) == []
    assert path.read_bytes() == before
    todos = {t.name: t for t in Store.open(path).todos(include_removed=True)}
    assert todos["EuroSys 2026"].note == "mine" and todos["EuroSys 2026"].done
    assert todos["ATC 2025"].removed
    assert todos["FAST 2026"].added_by == "import" and todos["FAST 2026"].done


def test_settings(store: Store, path: Path) -> None:
    assert store.get_setting("theme") is None
    store.set_setting("theme", "nord")
    assert Store.open(path).get_setting("theme") == "nord"


def test_relink_moves_state_and_never_clobbers(store: Store, path: Path) -> None:
    old = paper("Serverless LLM: Low Latency Serverless Inference for LLMs", venue="OSDI 2023")
    new = paper("ServerlessLLM: Low-Latency Serverless Inference for LLMs", venue="OSDI 2024")
    store.set_status([old], "reading")
    store.set_note(old, "my note")
    taken_old, taken_new = paper("Taken old"), paper("Taken new")
    store.set_note(taken_old, "old note")
    store.set_status([taken_new], "read")
    blank_old, blank_new = paper("Blank old"), paper("Blank new")
    store.set_status([blank_old], "queued")
    store.set_status([blank_new], "read")
    store.set_status([blank_new], "unread")  # has a record, but carries nothing

    moved = store.relink(
        {old.id: new, taken_old.id: taken_new, blank_old.id: blank_new, "gone-0": A}
    )
    assert [s.id for s in moved] == [new.id, blank_new.id]
    reopened = Store.open(path)
    state = reopened.state(new.id)
    assert reopened.state(old.id) is None
    assert (state.status, state.note, state.previous_ids) == ("reading", "my note", [old.id])
    assert (state.title, state.venue) == (new.title, "OSDI 2024")
    assert [h.status for h in state.history] == ["reading"]
    assert reopened.note_of(taken_old.id) == "old note"  # skipped, so nothing lost
    assert reopened.status_of(taken_new.id) == "read"
    assert reopened.status_of(blank_new.id) == "queued"
    assert reopened.state(A.id) is None


def test_touch_papers_refreshes_the_copy_in_one_write_only_if_needed(
    store: Store, path: Path
) -> None:
    store.set_status([A, B], "read")
    updated_at = store.state(A.id).updated_at
    before = path.read_bytes()
    assert store.touch_papers([A, B, C]) == 0
    assert path.read_bytes() == before
    moved_a = dataclasses.replace(A, venue="OSDI 2025", title=A.title + " (extended)")
    assert store.touch_papers(iter([moved_a, B, C])) == 1
    state = Store.open(path).state(A.id)
    assert (state.venue, state.title) == ("OSDI 2025", moved_a.title)
    assert state.updated_at == updated_at and state.status == "read"
    assert Store.open(path).state(C.id) is None


def test_doctor_counts_orphans_and_backups(path: Path) -> None:
    store = Store.open(path, backup_interval=0)
    store.set_status([A], "read")
    store.set_note(B, "orphaned note")
    store.set_status([C], "queued")
    store.set_status([C], "unread")  # an orphan that carries nothing is not listed
    store.add_todo(TodoItem(name="SOSP"))
    report = store.doctor({A.id})
    assert report.path == path and report.size_bytes == path.stat().st_size
    assert report.schema_version == STORE_SCHEMA_VERSION
    assert report.counts.states == 3 and report.counts.notes == 1 and report.counts.todos == 1
    assert report.counts.by_status == {
        "unread": 2,
        "queued": 0,
        "reading": 0,
        "read": 1,
        "skipped": 0,
    }
    [orphan] = report.orphans
    assert (orphan.id, orphan.title, orphan.note, orphan.status) == (
        B.id,
        B.title,
        "orphaned note",
        "unread",
    )
    assert (orphan.venue, orphan.source) == ("OSDI 2024", "awesome-papers")
    assert [b.path for b in report.backups] == backup_paths(path)
    assert all(b.readable and b.size > 0 for b in report.backups)
    assert report.problems == []
    json.dumps(report.model_dump(mode="json"))
    # The orphan comes back when its paper does, with the same id.
    assert store.doctor({A.id, B.id}).orphans == []


def test_doctor_reports_bad_records_and_backups_without_raising(store: Store, path: Path) -> None:
    store.set_note(A, "fine")
    data = json.loads(path.read_text())
    data["papers"]["broken-000000000000"] = {"status": "finished", "created_at": "x"}
    path.write_text(json.dumps(data))
    backup_paths(path)[0].write_bytes(b"{trunc")
    report = Store.open(path).doctor(set())
    [record] = [p for p in report.problems if "broken-000000000000" in p]
    assert record.endswith(
        f"to repair it, edit or delete that record in {path} (no backup is good to restore instead)"
    )
    assert any("backup" in p for p in report.problems)
    assert report.counts.notes == 1 and [o.id for o in report.orphans] == [A.id]
    good = backup_paths(path)[1]
    good.write_text(json.dumps({"papers": {}, "todos": {}, "meta": data["meta"]}))
    [record] = [p for p in Store.open(path).doctor(set()).problems if "broken-0000" in p]
    assert record.endswith(f", or run 'paperdesk doctor --restore' to go back to backup {good}")


def test_an_invalid_record_raises_one_line_and_is_not_overwritten(store: Store, path: Path) -> None:
    store.set_status([A], "read")
    data = json.loads(path.read_text())
    data["papers"][A.id]["status"] = "finished"
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    reopened = Store.open(path)
    with pytest.raises(StoreError) as info:
        reopened.state(A.id)
    assert str(path) in str(info.value) and A.id in str(info.value)
    assert "\n" not in str(info.value)
    with pytest.raises(StoreError):
        reopened.set_note(A, "would lose the bad record's history")
    assert path.read_bytes() == before


def test_a_store_that_reads_refuse_is_not_written_either(store: Store, path: Path) -> None:
    """One validity rule: with one invalid record, writes to other papers, TODOs and
    settings are refused too, naming the record, and the file stays byte-identical."""
    store.set_status([A], "read")
    data = json.loads(path.read_text())
    data["papers"][A.id]["status"] = 5
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    reopened = Store.open(path)
    writes = [
        lambda: reopened.set_note(B, "another paper"),
        lambda: reopened.set_status([B], "queued"),
        lambda: reopened.add_todo(TodoItem(name="Probe Conf")),
        lambda: reopened.set_setting("theme", "nord"),
    ]
    for write in writes:
        with pytest.raises(StoreError) as info:
            write()
        message = str(info.value)
        assert f"papers record {A.id!r} is invalid (status:" in message
        assert "nothing was written" in message and "paperdesk doctor" in message
        assert "\n" not in message
    assert path.read_bytes() == before
    # repaired by hand, the same store object writes again
    data["papers"][A.id]["status"] = "read"
    path.write_text(json.dumps(data))
    reopened.set_note(B, "after the repair")
    assert Store.open(path).note_of(B.id) == "after the repair"


def test_an_old_store_with_an_invalid_record_is_not_migrated_on_disk(path: Path) -> None:
    """A store from before the meta table is migrated when opened; with a bad record the
    migration stays in memory: reading it still works as far as it can, nothing is written."""
    path.parent.mkdir()
    path.write_text('{"papers":{"1":{"status":5}}}')
    before = path.read_bytes()
    store = Store.open(path)
    assert store.todos() == []
    with pytest.raises(StoreError, match="papers record '1' is invalid"):
        store.states()
    with pytest.raises(StoreError, match="nothing was written"):
        store.add_todo(TodoItem(name="Probe Conf"))
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["store.json", "store.json.lock"]


@pytest.mark.parametrize(
    "content",
    [b'{"meta":{"1":{"schema_version":1', bytes(range(256)), b"[1, 2]", b""],
    ids=["truncated", "binary", "list", "empty"],
)
def test_corrupt_store_is_refused_kept_and_restorable(path: Path, content: bytes) -> None:
    store = Store.open(path, backup_interval=0)
    store.set_note(A, "in every backup")
    store.set_note(B, "only in the newest backup")
    store.set_note(C, "lost with the corrupt file")
    path.write_bytes(content)
    with pytest.raises(StoreError) as info:
        Store.open(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message and "doctor --restore" in message
    with pytest.raises(StoreError):
        store.set_note(A, "never written over a file that cannot be read")
    assert path.read_bytes() == content

    assert Store.restore_newest_backup(path) == backup_paths(path)[0]
    [aside] = path.parent.glob("store.json.corrupt-*")
    assert aside.read_bytes() == content
    restored = Store.open(path)
    assert restored.note_of(A.id) == "in every backup"
    assert restored.note_of(B.id) == "only in the newest backup"


def test_restore_skips_bad_backups_and_refuses_a_good_store(path: Path) -> None:
    store = Store.open(path, backup_interval=0)
    store.set_note(A, "one")
    store.set_note(A, "two")
    store.set_note(A, "three")
    with pytest.raises(StoreError, match="nothing to restore"):
        Store.restore_newest_backup(path)
    one, two, _ = backup_paths(path)
    one.write_bytes(b"garbage")
    path.write_bytes(b"{")
    assert Store.restore_newest_backup(path) == two
    restored = json.loads(path.read_bytes())["papers"][A.id]
    assert restored["note"] == "one"  # the backup as it was...
    assert Store.open(path).note_of(A.id) == "three"  # ...then what the log holds since
    assert one.read_bytes() == b"garbage"


def test_restore_without_any_good_backup_changes_nothing(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"{")
    with pytest.raises(StoreError, match="no good backup") as info:
        Store.restore_newest_backup(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == b"{"
    assert list(path.parent.glob("*corrupt*")) == []


def test_restore_brings_back_a_removed_store(path: Path) -> None:
    store = Store.open(path, backup_interval=0)
    store.set_note(A, "kept")
    store.set_note(B, "newer")
    path.unlink()
    with pytest.raises(StoreError, match="removed"):
        store.set_note(C, "x")
    Store.restore_newest_backup(path)
    assert Store.open(path).note_of(A.id) == "kept"


def test_newer_schema_is_refused_untouched(path: Path) -> None:
    Store.open(path).set_note(A, "from the future")
    data = json.loads(path.read_text())
    data["meta"]["1"]["schema_version"] = STORE_SCHEMA_VERSION + 1
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer paperdesk") as info:
        Store.open(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    assert path.read_bytes() == before


def test_v0_store_migrates_and_keeps_the_original_as_backup(path: Path) -> None:
    """v0: the layout before the meta table (papers and todos only)."""
    assert set(MIGRATIONS) == set(range(STORE_SCHEMA_VERSION))
    at = "2024-05-01T10:00:00Z"
    v0 = {
        "papers": {
            A.id: {
                "id": A.id,
                "status": "read",
                "history": [{"status": "read", "at": at}],
                "note": "written by v0",
                "title": A.title,
                "created_at": at,
                "updated_at": at,
            }
        },
        "todos": {"1": {"name": "OSDI 2024", "done": True}},
    }
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(v0, indent=2))
    original = path.read_bytes()
    store = Store.open(path)
    assert store.note_of(A.id) == "written by v0" and store.status_of(A.id) == "read"
    assert [t.name for t in store.todos()] == ["OSDI 2024"]
    assert json.loads(path.read_text())["meta"]["1"]["schema_version"] == STORE_SCHEMA_VERSION
    assert backup_paths(path)[0].read_bytes() == original
    assert Store.open(path).note_of(A.id) == "written by v0"


def test_reload_if_changed_sees_another_writer(path: Path) -> None:
    mine, theirs = Store.open(path), Store.open(path)
    assert mine.reload_if_changed() is False
    theirs.set_note(A, "theirs")
    assert mine.note_of(A.id) is None
    assert mine.reload_if_changed() is True
    assert mine.note_of(A.id) == "theirs"
    assert mine.reload_if_changed() is False


def test_interleaved_writers_never_lose_each_other(path: Path) -> None:
    one, two = Store.open(path), Store.open(path)
    one.set_note(A, "one")
    two.set_note(B, "two")
    one.append_note(B, "one adds")
    two.append_note(A, "two adds")
    one.add_todo(TodoItem(name="SOSP"))
    two.add_todo(TodoItem(name="OSDI"))
    final = Store.open(path)
    assert final.note_of(A.id) == "one\ntwo adds"
    assert final.note_of(B.id) == "two\none adds"
    assert [t.name for t in final.todos()] == ["SOSP", "OSDI"]


def test_transaction_batches_and_rolls_back(path: Path) -> None:
    store = Store.open(path, backup_interval=0)
    store.set_note(C, "before")
    before = path.read_bytes()
    with store.transaction():
        store.set_note(A, "a")
        store.set_status([B], "read")
        store.add_todo(TodoItem(name="SOSP"))
    assert backup_paths(path)[0].read_bytes() == before  # one write for all three
    after = path.read_bytes()
    with pytest.raises(DuplicateTodoError), store.transaction():
        store.set_note(A, "rolled back")
        store.add_todo(TodoItem(name="sosp"))
    assert path.read_bytes() == after
    assert store.note_of(A.id) == "a"


def test_errors_are_paperdesk_errors_with_one_line(store: Store) -> None:
    with pytest.raises(NotFoundError) as info:
        store.remove_todo("never added")
    assert "'never added'" in str(info.value) and "\n" not in str(info.value)


def test_changes_keep_their_order_when_the_clock_goes_back(store: Store, path: Path) -> None:
    """Records written while the clock was a day ahead (or, the same thing, a clock set back
    a day since): later changes are still dated after them, in history and "last changed",
    because the home's hybrid logical clock never goes back."""
    store.set_status([A], "read")
    store.set_status([B], "queued")
    ahead = dt.timedelta(days=1)
    data = json.loads(path.read_text())
    for record in data["papers"].values():
        record["updated_at"] = (dt.datetime.fromisoformat(record["updated_at"]) + ahead).isoformat()
        for change in record["history"]:
            change["at"] = (dt.datetime.fromisoformat(change["at"]) + ahead).isoformat()
    meta = data["meta"]["1"]  # the home's clock, which stamped those records, was ahead too
    clock = Clock.parse(meta["clock"])
    meta["clock"] = str(Clock(clock.wall_ms + int(ahead.total_seconds() * 1000), clock.count))
    path.write_text(json.dumps(data))
    reopened = Store.open(path)
    newest = max(s.updated_at for s in reopened.states().values())
    assert newest > dt.datetime.now(dt.UTC) + dt.timedelta(hours=23)

    [a] = reopened.set_status([A], "reading")
    [c] = reopened.set_status([C], "skipped")
    b = reopened.set_note(B, "noted last")
    assert newest < a.updated_at < c.updated_at < b.updated_at
    assert [h.status for h in a.history] == ["read", "reading"]
    assert a.history[0].at < a.history[1].at
    by_last_change = sorted(reopened.states().values(), key=lambda s: s.updated_at)
    assert [s.id for s in by_last_change] == [A.id, C.id, B.id]
    # another process's write is seen: its newer time is the floor of the next change
    Store.open(path).set_status([A], "queued")
    assert reopened.set_status([C], "read")[0].updated_at > Store.open(path).state(A.id).updated_at

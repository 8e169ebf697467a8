"""Reading state (statuses with history, notes, TODO conferences, settings) in one TinyDB file.

``$PAPERDESK_HOME/store.json`` is a TinyDB database on
:class:`~paperdesk.state.storage.AtomicJSONStorage` with these tables:

- ``papers``: one :class:`PaperState` per paper, keyed by the paper id itself (TinyDB's file
  format keys documents by strings), so a lookup is one dict access and a write one record.
  Records are stored compactly: the id is the key, not repeated inside, and fields at their
  default are left out (validation fills them back in) -- at 50k states that is 16% fewer bytes
  to write and fsync per write. A schema change that alters a default must migrate;
- ``todos``: :class:`StoredTodo` records under counter ids; a removed one stays as a tombstone so
  a re-import does not bring it back;
- ``meta``: the single :class:`StoreMeta` record (schema version, settings);
- ``citekeys``: one :class:`CitationKey` per paper that was ever exported to BibTeX or cited,
  keyed by paper id (a table an older paperdesk ignores and keeps);
- ``views``: :class:`SavedView` records keyed by folded name;
- ``queue``: the single :class:`QueueOrder` record, the order the user gave the queued papers.
- ``inbox``: one :class:`InboxEntry` per paper a source gained since the user last dealt with
  it (see :mod:`paperdesk.state.inbox`); a mark of any status or a dismissal takes it out.

Every write method is one transaction: lock, re-read if another process wrote, change, one atomic
write. One validity rule holds for reads and writes: a store holding a record that a read refuses
is not written either (not even migrated), so no command saves over it before the user repaired
it; the error names the record and ``paperdesk doctor`` says how to repair it. Records are
validated by the pydantic models on the way in, and lazily on the way out (cached per record
object), so a write never re-validates the 50,000 others. The Store edits the
storage's tables directly rather than through ``tinydb.Table``, which rebuilds the whole table and
mutates records in place on every call and so defeats the storage's per-record serialisation.

Times of changes never go backwards in a store: every change is dated by the home's hybrid
logical clock (:mod:`paperdesk.state.clock`), which is later than every stamp the home issued or
saw, so history and "last changed" keep the order in which things happened when a clock is set
back (a dead RTC, a wrong time zone fix).

Orphans are derived, not stored: states whose id is not in the current catalog. They are kept
forever and show again when their paper returns with the same id.

Every change of reading state is also an event in the home's log (:mod:`paperdesk.state.log`),
which is what travels between machines. The log is written ahead: a transaction's events are
appended and fsynced under the lock before the store file is replaced, and ``meta.log`` records
how far the store has applied each log file, so events a killed process appended but never
applied are applied by the next transaction (or open). Local changes update the records
directly (the new event is the latest, so the result is what the merge rules give); events
from other machines, undo and relinks recompute the papers they touch from all of their
events (:mod:`paperdesk.state.merge`), so the store always equals a rebuild from its log
(``tests/test_state_log.py`` checks).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from paperdesk.atomic import atomic_write_bytes
from paperdesk.catalog.models import Model, TodoItem
from paperdesk.catalog.records import STATUSES, Paper, parse_status
from paperdesk.errors import (
    InputError,
    NotFoundError,
    PaperdeskError,
    StoreError,
    UsageError,
    validation_summary,
)
from paperdesk.locations import LOG_DIR_NAME, MACHINE_FILE_NAME
from paperdesk.state.clock import Clock, latest, tick
from paperdesk.state.events import (
    AnyEvent,
    NoteEvent,
    PaperEvent,
    RelinkEvent,
    StatusEvent,
    TodoEvent,
    new_id,
)
from paperdesk.state.file_format import (
    CITEKEYS,
    INBOX,
    META,
    META_ID,
    PAPERS,
    QUEUE,
    QUEUE_ID,
    STORE_SCHEMA_VERSION,
    TODOS,
    VIEW_NAME_MAX,
    VIEWS,
)
from paperdesk.state.log import EventLog, Machine
from paperdesk.state.merge import (
    PaperFold,
    aliases,
    fold_papers,
    fold_todos,
    resolve,
    todo_key,
    union,
)
from paperdesk.state.models import (
    CitationKey,
    InboxEntry,
    MergeInfo,
    PaperState,
    QueueOrder,
    SavedView,
    StatusChange,
    StoredTodo,
    StoreMeta,
)
from paperdesk.state.steps import Step, last_undoable, recent_steps, undo_message
from paperdesk.state.storage import (
    BACKUP_INTERVAL,
    RESTORE_HINT,
    AtomicJSONStorage,
    Tables,
    backup_paths,
    parse_tables,
)

TODO_FIELDS = ("name", "url", "note", "date", "done")

M = TypeVar("M", bound=Model)


class InvalidRecordError(StoreError):
    """A record of the store that its model refuses: which one, where, and why."""

    def __init__(self, path: Path, table: str, doc_id: str, reason: str, hint: str) -> None:
        self.path, self.table, self.doc_id, self.reason = path, table, doc_id, reason
        super().__init__(f"{self.what}; {hint}")

    @property
    def what(self) -> str:
        return f"store {self.path}: {self.table} record {self.doc_id!r} is invalid ({self.reason})"


def _invalid(path: Path, table: str, doc_id: str, exc: ValidationError) -> InvalidRecordError:
    return InvalidRecordError(
        path, table, doc_id, validation_summary(exc), f"fix it in the file, or {RESTORE_HINT}"
    )


class DuplicateTodoError(PaperdeskError):
    """A TODO conference whose name, ignoring case, is already in the store (exit 1)."""


class NoteConflictError(PaperdeskError):
    """The note changed (another process wrote it) since the edit being saved started."""


class OrphanInfo(Model):
    """State that carries something (a status or a note) for a paper no list holds now."""

    id: str
    title: str
    venue: str | None
    source: str
    status: str
    note: str | None


class BackupInfo(Model):
    path: Path
    size: int
    readable: bool


class StoreCounts(Model):
    states: int
    by_status: dict[str, int]
    notes: int
    todos: int


class LogInfo(Model):
    """This home's machine and how many events each machine's log file holds."""

    machine: str
    label: str
    path: Path
    events: dict[str, int]


class MergeReport(Model):
    """What a merge took in: new events, the papers whose state changed, from which machines."""

    events: int
    papers: list[str]
    machines: list[str]


@dataclasses.dataclass(frozen=True)
class UndoReport:
    """The step an undo reverted, the states of its papers now, and this machine's id."""

    step: Step
    states: list[PaperState]
    here: str

    def message(self) -> str:
        """What the CLI prints and the desk says (:func:`~paperdesk.state.steps.undo_message`)."""
        return undo_message(self.step, [state.status for state in self.states], self.here)


class StoreReport(Model):
    """What ``paperdesk doctor`` shows; any ``problems`` make it exit 1."""

    path: Path
    size_bytes: int
    schema_version: int
    counts: StoreCounts
    log: LogInfo
    orphans: list[OrphanInfo]
    backups: list[BackupInfo]
    problems: list[str]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _v0_to_v1(tables: Tables) -> None:
    """v0 stores predate the meta table: add it."""
    meta = StoreMeta(schema_version=1, created_at=_now())
    tables[META] = {META_ID: meta.model_dump(mode="json")}
    tables.setdefault(PAPERS, {})
    tables.setdefault(TODOS, {})


def _v1_to_v2(tables: Tables) -> None:
    """v2 adds the log: the records gain fields with defaults; the store's state becomes this
    machine's first events as the migration's second half (:meth:`Store._start_log`)."""


#: One function per schema step: ``MIGRATIONS[n]`` turns a version-n store into version n + 1.
MIGRATIONS: dict[int, Callable[[Tables], None]] = {0: _v0_to_v1, 1: _v1_to_v2}

#: The first schema with the log: stores older than this seed it when they migrate.
FIRST_LOGGED_SCHEMA = 2


def _schema_version(path: Path, tables: Tables) -> int:
    """The store's schema version (0 before the meta table); refuses a newer or broken one."""
    meta = tables.get(META, {}).get(META_ID)
    if meta is None:
        return 0
    version = meta.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise StoreError(f"store {path} has an invalid schema_version {version!r}; {RESTORE_HINT}")
    if version > STORE_SCHEMA_VERSION:
        raise StoreError(
            f"store {path} was written by a newer paperdesk (schema {version}, this one reads "
            f"up to {STORE_SCHEMA_VERSION}); upgrade paperdesk"
        )
    return version


def _check_tables(path: Path, tables: Tables) -> None:
    """Validate every record of a store file; StoreError on the first bad one."""
    version = _schema_version(path, tables)
    checks: list[tuple[str, type[Model]]] = [
        (PAPERS, PaperState),
        (TODOS, StoredTodo),
        (CITEKEYS, CitationKey),
        (VIEWS, SavedView),
        (QUEUE, QueueOrder),
        (INBOX, InboxEntry),
    ]
    if version:
        checks.append((META, StoreMeta))
    for table, model in checks:
        for doc_id, raw in tables.get(table, {}).items():
            try:
                model.model_validate(_with_id(table, doc_id, raw))
            except ValidationError as exc:
                raise _invalid(path, table, doc_id, exc) from None


def _with_id(table: str, doc_id: str, raw: Any) -> Any:
    """A stored record as its model reads it: a paper state's id is its key."""
    return {**raw, "id": doc_id} if table == PAPERS and isinstance(raw, dict) else raw


def _stored(table: str, record: Model) -> dict[str, Any]:
    """A record as it is stored (see the module docstring for the compact paper state)."""
    if table == PAPERS:
        return record.model_dump(mode="json", exclude={"id"}, exclude_defaults=True)
    return record.model_dump(mode="json")


def _file_is_good(path: Path) -> bool:
    try:
        _check_tables(path, parse_tables(path, path.read_bytes()))
    except (OSError, StoreError):
        return False
    return True


def _todo_name(name: str) -> str:
    """A TODO name a user gave, without surrounding whitespace; it must not be empty."""
    name = name.strip()
    if not name:
        raise InputError("a TODO conference needs a name (it was empty)")
    return name


def _todo_fields(item: TodoItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in TODO_FIELDS}


def _view_name(name: str) -> str:
    """A view name the user gave, stripped: one line of at most VIEW_NAME_MAX characters."""
    name = name.strip()
    if not name:
        raise UsageError("a saved view needs a name (it was empty)")
    if not name.isprintable():
        raise UsageError(f"view name {name!r} holds a control character; use plain text")
    if len(name) > VIEW_NAME_MAX:
        raise UsageError(f"view name {name[:20]!r}… is longer than {VIEW_NAME_MAX} characters")
    return name


def _queued_at(state: PaperState) -> dt.datetime:
    """When a queued paper was queued: its last status change."""
    return state.history[-1].at if state.history else state.updated_at


class Store:
    """The reading state of one home (see the module docstring); build it with :meth:`open`.

    Reads come from memory: call :meth:`reload_if_changed` to see other processes' writes
    (writes always see them). Returned models are shared with the cache: treat them as
    read-only.
    """

    path: Path

    def __init__(self, path: Path, storage: AtomicJSONStorage, log: EventLog) -> None:
        self.path = path
        self._storage = storage
        self.log = log
        self._cache: dict[str, dict[str, tuple[dict[str, Any], Any]]] = {
            PAPERS: {},
            TODOS: {},
            META: {},
            CITEKEYS: {},
            VIEWS: {},
            QUEUE: {},
            INBOX: {},
        }
        #: Events of the open transaction, written ahead of the store when it ends.
        self._pending: list[AnyEvent] | None = None
        #: The latest clock stamp this home issued or saw (kept in ``meta.clock``).
        self._clock: Clock | None = None

    @classmethod
    def open(cls, path: Path, *, backup_interval: float = BACKUP_INTERVAL) -> Store:
        """Open (or create, with its directory) the store at ``path``; migrate an older one.

        The log and the machine file live beside it (``log/``, ``machine.json``). Events in the
        log the store has not applied yet (a writer killed between the two) are applied now.
        Raises StoreError if the file is unreadable, corrupt or from a newer paperdesk.
        """
        path = Path(path)
        home = path.parent
        storage = AtomicJSONStorage(path, backup_interval=backup_interval)
        tables = storage.read()  # first: a store that cannot be read leaves the home as it was
        log = EventLog(home / LOG_DIR_NAME, home / MACHINE_FILE_NAME)
        store = cls(path, storage, log)
        if tables is None or _schema_version(path, tables) < STORE_SCHEMA_VERSION:
            with store._logged(backup=True, catch_up=False, check=False) as locked_tables:
                start = _schema_version(path, locked_tables)
                if store._migrate(locked_tables) and start < FIRST_LOGGED_SCHEMA:
                    store._start_log(locked_tables)
        store._meta()
        if not store._storage.trusted:
            store._vouch()
        if store.log.sizes() != store._meta().log:
            with store.transaction():
                pass  # applies what the log holds beyond the store
        return store

    @property
    def machine(self) -> Machine:
        return self.log.machine

    def _vouch(self) -> None:
        """Validate every record of a file that could not vouch for itself (edited by hand,
        migrated, or written before the checksum): when all are valid, the next write may
        vouch for the file again (see :mod:`paperdesk.state.file_format`); when one is not, the
        file is left to the errors of the reads that meet it, and writes refuse it."""
        with contextlib.suppress(StoreError):
            self._check_all()

    def _check_all(self) -> None:
        """Validate every record (each once: the cache keeps them) and trust the file."""
        with self._storage.mutex:
            self.states()
            self.todos(include_removed=True)
            self._meta()
            self.views()
            self._queue_ids()
            self.citation_key_records()
            self.inbox()
            self._storage.trust()

    def check_writable(self) -> None:
        """The write side of the one validity rule: every record valid, or nothing written
        (every transaction checks; a command that reads before it writes may check first)."""
        if self._storage.trusted:
            return
        try:
            self._check_all()
        except InvalidRecordError as exc:
            raise StoreError(
                f"{exc.what}; nothing was written: 'paperdesk doctor' says how to repair it"
            ) from None

    def _migrate(self, tables: Tables) -> bool:
        """Bring ``tables`` (read under the lock) to the current schema, one step at a time;
        False when a record is invalid: then the migration stays in memory (the first write
        refuses the store) and nothing more is done to the home."""
        version = _schema_version(self.path, tables)
        if version == STORE_SCHEMA_VERSION:
            return True
        while version < STORE_SCHEMA_VERSION:
            MIGRATIONS[version](tables)
            version += 1
            tables[META][META_ID] = {**tables[META][META_ID], "schema_version": version}
        try:
            _check_tables(self.path, tables)
        except InvalidRecordError:
            return False
        self._storage.write(tables, validated=True)
        return True

    def reload_if_changed(self) -> bool:
        """Re-read the file if another process wrote it (a stat and a 128-byte read otherwise)."""
        return self._storage.refresh()

    # -- reads --------------------------------------------------------------------------------

    def _table(self, name: str) -> dict[str, Any]:
        tables = self._storage.read()
        return tables.get(name, {}) if tables else {}

    def _valid(self, table: str, doc_id: str, raw: dict[str, Any], model: type[M]) -> M:
        """The validated record, from the cache while ``raw`` is the record it was made from."""
        cache = self._cache[table]
        cached = cache.get(doc_id)
        if cached is not None:
            if cached[0] is raw:
                return cached[1]
            if cached[0] == raw:  # the same record, re-read after another process wrote
                cache[doc_id] = (raw, cached[1])
                return cached[1]
        try:
            record = model.model_validate(_with_id(table, doc_id, raw))
        except ValidationError as exc:
            raise _invalid(self.path, table, doc_id, exc) from None
        cache[doc_id] = (raw, record)
        return record

    def state(self, paper_id: str) -> PaperState | None:
        raw = self._table(PAPERS).get(paper_id)
        return None if raw is None else self._valid(PAPERS, paper_id, raw, PaperState)

    def states(self) -> dict[str, PaperState]:
        """All states (validated once each, then served from the cache)."""
        cache = self._cache[PAPERS]
        result: dict[str, PaperState] = {}
        with self._storage.mutex:
            for paper_id, raw in self._table(PAPERS).items():
                cached = cache.get(paper_id)
                if cached is not None and cached[0] is raw:
                    result[paper_id] = cached[1]
                else:
                    result[paper_id] = self._valid(PAPERS, paper_id, raw, PaperState)
        return result

    def status_of(self, paper_id: str) -> str:
        state = self.state(paper_id)
        return state.status if state else "unread"

    def note_of(self, paper_id: str) -> str | None:
        state = self.state(paper_id)
        return state.note if state else None

    def _todo_items(self) -> list[tuple[str, StoredTodo]]:
        with self._storage.mutex:
            items = list(self._table(TODOS).items())
        items.sort(key=lambda item: (len(item[0]), item[0]))  # counter ids in numeric order
        return [(doc_id, self._valid(TODOS, doc_id, raw, StoredTodo)) for doc_id, raw in items]

    def todos(self, *, include_removed: bool = False) -> list[StoredTodo]:
        return [t for _, t in self._todo_items() if include_removed or not t.removed]

    def _meta(self) -> StoreMeta:
        raw = self._table(META).get(META_ID)
        if raw is None:
            raise StoreError(f"store {self.path} has no meta record; {RESTORE_HINT}")
        return self._valid(META, META_ID, raw, StoreMeta)

    def citation_key_records(self) -> dict[str, CitationKey]:
        """Every citation key given, by paper id."""
        with self._storage.mutex:
            items = list(self._table(CITEKEYS).items())
        return {pid: self._valid(CITEKEYS, pid, raw, CitationKey) for pid, raw in items}

    def get_setting(self, key: str) -> str | None:
        return self._meta().settings.get(key)

    def views(self) -> list[SavedView]:
        """The saved views, in the order they were first saved (the desk's keys 1-9)."""
        with self._storage.mutex:
            items = list(self._table(VIEWS).items())
        views = [self._valid(VIEWS, doc_id, raw, SavedView) for doc_id, raw in items]
        return sorted(views, key=lambda view: (view.created_at, view.name.casefold()))

    def _queue_ids(self) -> list[str]:
        raw = self._table(QUEUE).get(QUEUE_ID)
        return [] if raw is None else self._valid(QUEUE, QUEUE_ID, raw, QueueOrder).ids

    def queue(self) -> list[str]:
        """Ids of the queued papers in reading order: as the user ordered them, then the queued
        papers that order lacks, oldest first (a paper queued just now comes last)."""
        with self._storage.mutex:
            states = self.states()
            stored = self._queue_ids()
        queued = {pid: state for pid, state in states.items() if state.status == "queued"}
        order = [pid for pid in dict.fromkeys(stored) if pid in queued]
        placed = set(order)
        rest = sorted((_queued_at(s), pid) for pid, s in queued.items() if pid not in placed)
        return order + [pid for _, pid in rest]

    def backups(self) -> list[Path]:
        """The backups that exist, newest first."""
        paths = backup_paths(self._storage.path, self._storage.backup_count)
        return [p for p in paths if p.exists()]

    # -- writes -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """Lock the store, re-read it if another process wrote, and save every change made
        inside as one atomic write (nothing at all if an exception escapes), its events
        written to the log just before. A store with an invalid record is refused here, before
        anything changes."""
        with self._logged():
            yield self

    @contextlib.contextmanager
    def _logged(
        self, *, backup: bool = False, catch_up: bool = True, check: bool = True
    ) -> Iterator[Tables]:
        """A storage transaction whose events are appended to the log (fsynced) before the
        store is written. If the store write then fails, the append is cut back, so the
        change is nowhere; if the process dies in between, the next transaction applies it.
        ``catch_up``: first apply events in the log the store has not applied yet; ``check``:
        before anything, refuse a store with an invalid record (the one validity rule)."""
        with self._storage.locked():
            if self._pending is not None:  # nested: join the outer transaction
                with self._storage.transaction() as tables:
                    yield tables
                return
            appended: dict[str, int] | None = None
            try:
                with self._storage.transaction(backup=backup) as tables:
                    self._pending = []
                    if check:
                        self.check_writable()
                    if catch_up:
                        self._catch_up()
                    yield tables
                    appended = self._write_ahead()
            except BaseException:
                if appended is not None:
                    self.log.truncate(appended)
                raise
            finally:
                self._pending = None

    def _write_ahead(self) -> dict[str, int] | None:
        """Append the transaction's events and record the log's new sizes in the meta record;
        returns the sizes to cut back to if the store write fails (None: nothing appended)."""
        if not self._pending:
            return None
        before = self.log.sizes()
        self.log.append(self._pending)
        after = self.log.sizes()
        self._set_meta(log=after, clock=str(self._clock) if self._clock else None)
        return {name: before.get(name, 0) for name in after}

    def _set_meta(self, **changes: Any) -> None:
        meta = self._meta()
        if any(getattr(meta, name) != value for name, value in changes.items()):
            data = {**meta.model_dump(), **changes}
            self._put(META, META_ID, self._from_caller(StoreMeta, data, "store metadata"))

    def _catch_up(self) -> None:
        """Apply what the log holds beyond what the store applied (under the lock)."""
        meta = self._meta()
        self._clock = latest(self._clock, Clock.parse(meta.clock) if meta.clock else None)
        if self.log.sizes() == meta.log:
            return
        self.log.cut_partial_lines()
        sizes = self.log.sizes()
        fresh: list[AnyEvent] = []
        own = self.log.own
        reseed = own in meta.log and sizes.get(own, 0) < meta.log[own]
        for name, size in sizes.items():
            start = meta.log.get(name, 0)
            if size > start and not (name == own and reseed):
                if not self.log.line_starts_at(name, start):
                    start = 0  # rewritten, not appended to: apply it whole (that is idempotent)
                fresh.extend(self.log.read(name, start)[0])
        if fresh:
            self._clock = latest(self._clock, max(event.stamp for event in fresh))
            self._apply(fresh)
        self._set_meta(log=sizes)
        if reseed:  # this machine's log lost lines the store applied: it starts again from here
            seeded = self._seed_events(self._storage.read() or {}, origin="migrate")
            assert self._pending is not None
            self._pending.extend(seeded)
            self._apply(seeded, extra=seeded)

    # -- the log --------------------------------------------------------------------------------

    def _tick(self) -> Clock:
        self._clock = tick(self._clock)
        return self._clock

    def _record(self, event: AnyEvent) -> None:
        if self._pending is None:
            raise RuntimeError("store events need an open transaction()")
        self._pending.append(event)

    def _stamp(self, clock: Clock, step: str, origin: str = "user") -> dict[str, Any]:
        """What every event this machine makes carries."""
        machine = self.log.machine
        return {
            "id": new_id(),
            "machine": machine.id,
            "label": machine.label,
            "clock": str(clock),
            "step": step,
            "origin": origin,
        }

    @staticmethod
    def _about(paper: Paper | PaperState) -> dict[str, Any]:
        return {
            "paper": paper.id,
            "title": paper.title,
            "venue": paper.venue,
            "source": paper.source,
        }

    def _apply(self, events: Sequence[AnyEvent], extra: Sequence[AnyEvent] = ()) -> set[str]:
        """Bring the papers and TODOs ``events`` touch in line with the log (plus ``extra``,
        this transaction's events not appended yet); returns the papers that changed."""
        papers: set[str] = set()
        todos: set[str] = set()
        for event in events:
            if isinstance(event, PaperEvent):
                papers.add(event.paper)
            elif isinstance(event, RelinkEvent):
                papers.update((event.paper, event.old))
            elif isinstance(event, TodoEvent):
                todos.add(todo_key(event.todo))
        changed = self._recompute(papers, extra)
        self._recompute_todos(todos, extra)
        return changed

    def _folds(
        self, papers: set[str], extra: Sequence[AnyEvent] = ()
    ) -> tuple[dict[str, PaperFold], set[str], set[str]]:
        """The folds of the papers ``papers`` resolve to (through relinks), the ids they
        resolve to, and the old ids whose state moved to them."""
        relinks = [*self.log.relinks(), *(e for e in extra if isinstance(e, RelinkEvent))]
        moved = aliases(relinks)
        targets = {resolve(paper_id, moved) for paper_id in papers}
        related = targets | {old for old in moved if resolve(old, moved) in targets}
        events = self.log.events_about(related)
        events.extend(e for e in extra if _mentions(e, related))
        return fold_papers(events, self.log.machine.id), targets, related - targets

    def _recompute(self, papers: set[str], extra: Sequence[AnyEvent] = ()) -> set[str]:
        """Rewrite the states of ``papers`` from every event about them (module docstring)."""
        if not papers:
            return set()
        folds, targets, moved_away = self._folds(papers, extra)
        changed = set()
        for paper_id in moved_away:
            if self.state(paper_id) is not None:
                self._drop(paper_id)
                changed.add(paper_id)
        for paper_id in targets:
            fold = folds.get(paper_id)
            if fold is not None and self._put_fold(fold):
                changed.add(paper_id)
        return changed

    def _drop(self, paper_id: str) -> None:
        self._storage.delete(PAPERS, paper_id)
        self._cache[PAPERS].pop(paper_id, None)

    def _put_fold(self, fold: PaperFold, previous_ids: list[str] | None = None) -> bool:
        """Store a paper's folded state, keeping the record's copy of its paper; True if the
        record changed."""
        current = self.state(fold.id)
        if current is not None:
            data = current.model_dump()
        else:
            data = {
                "id": fold.id,
                "created_at": fold.created_at,
                "title": fold.title,
                "venue": fold.venue,
                "source": fold.source,
            }
        data.update(fold.reading(), updated_at=fold.updated_at)
        if previous_ids is None:
            previous_ids = [*data.get("previous_ids", []), *fold.previous_ids]
        data["previous_ids"] = [pid for pid in dict.fromkeys(previous_ids) if pid != fold.id]
        state = self._from_caller(PaperState, data, f"state of paper {fold.id}")
        if state == current:
            return False
        self._put(PAPERS, state.id, state)
        return True

    def _recompute_todos(self, keys: set[str], extra: Sequence[AnyEvent] = ()) -> None:
        if not keys:
            return
        events = [*self.log.todo_events(), *(e for e in extra if isinstance(e, TodoEvent))]
        folds = fold_todos(e for e in events if todo_key(e.todo) in keys)  # type: ignore[union-attr]
        for todo in folds.values():
            found = self._find_todo(todo.name)
            if found is not None and found[1] == todo:
                continue
            self._put(TODOS, found[0] if found else self._next_todo_id(), todo)

    def _seed_events(self, tables: Tables, *, origin: str) -> list[AnyEvent]:
        """The events that make the states and TODOs in ``tables``, as this machine's (records
        that do not validate are left to the reads that meet them)."""
        step = new_id()
        events: list[AnyEvent] = []
        for paper_id, raw in tables.get(PAPERS, {}).items():
            try:
                state = PaperState.model_validate(_with_id(PAPERS, paper_id, raw))
            except ValidationError:
                continue
            events.extend(self._events_of_state(state, step, origin))
        for raw in tables.get(TODOS, {}).values():
            try:
                todo = StoredTodo.model_validate(raw)
            except ValidationError:
                continue
            clock = Clock.of(todo.updated_at or _now())
            fields = todo.model_dump(include={*TODO_FIELDS, "removed", "added_by"})
            events.append(
                TodoEvent(**self._stamp(clock, step, origin), todo=todo.name, fields=fields)
            )
        return events

    def _events_of_state(self, state: PaperState, step: str, origin: str) -> list[AnyEvent]:
        """A stored state as events: its history, a status it does not end with, its note."""
        events: list[AnyEvent] = []
        last: Clock | None = None

        def at(when: dt.datetime) -> Clock:
            nonlocal last
            clock = Clock.of(when)
            last = clock if last is None or clock > last else tick(last, clock.wall_ms)
            return last

        before = "unread"
        for change in state.history:
            events.append(
                StatusEvent(
                    **self._stamp(at(change.at), step, origin),
                    **self._about(state),
                    status=change.status,
                    before=before,
                )
            )
            before = change.status
        if state.status != before:
            events.append(
                StatusEvent(
                    **self._stamp(at(state.updated_at), step, origin),
                    **self._about(state),
                    status=state.status,
                    before=before,
                )
            )
        if state.note:
            events.append(
                NoteEvent(
                    **self._stamp(at(state.updated_at), step, origin),
                    **self._about(state),
                    note=state.note,
                )
            )
        return events

    def _start_log(self, tables: Tables) -> None:
        """The second half of the v1 -> v2 migration (inside its transaction): the store's
        states and TODOs become this machine's first events, and the store is rebuilt from
        the log. If this machine's log already has events (a migration cut short, or a v1
        backup restored over a migrated store), it is not seeded again: the log wins."""
        assert self._pending is not None
        if not self.log.sizes().get(self.log.own):
            self._pending.extend(self._seed_events(tables, origin="migrate"))
        events = [*self.log.everything(), *self._pending]
        if events:
            self._clock = latest(self._clock, max(event.stamp for event in events))
        self._apply(events, extra=self._pending)
        if not self._pending:
            self._set_meta(log=self.log.sizes())

    def _put(self, table: str, doc_id: str, record: Model) -> None:
        raw = _stored(table, record)
        self._storage.put(table, doc_id, raw)
        self._cache[table][doc_id] = (raw, record)

    def _from_caller(self, model: type[M], data: dict[str, Any], what: str) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise InputError(f"invalid {what}: {validation_summary(exc)}") from None

    def _save(
        self, paper: Paper, current: PaperState | None, now: dt.datetime, **changes: Any
    ) -> PaperState:
        """Write ``paper``'s state with ``changes``, refreshing its copy of the paper's title."""
        data = current.model_dump() if current else {"id": paper.id, "created_at": now}
        data.update(title=paper.title, venue=paper.venue, source=paper.source, updated_at=now)
        data.update(changes)
        state = self._from_caller(PaperState, data, f"state of paper {paper.id}")
        self._put(PAPERS, state.id, state)
        return state

    @staticmethod
    def _unsaved(paper: Paper, now: dt.datetime) -> PaperState:
        """The state a paper without a record has (returned, never written)."""
        return PaperState(
            id=paper.id,
            title=paper.title,
            venue=paper.venue,
            source=paper.source,
            created_at=now,
            updated_at=now,
        )

    def set_status(
        self, papers: Sequence[Paper], status: str, *, step: str | None = None
    ) -> list[PaperState]:
        """Set ``status`` on every paper in one write, as one step (``step``: join that one);
        history grows where the status changes.

        Papers whose status is already ``status`` are returned as they are and not written. A
        mark of any status, even the one a paper has, takes it out of the inbox: the user has
        dealt with it.
        """
        status = parse_status(status)
        result = []
        with self.transaction():
            clock = self._tick()
            step = step or new_id()
            now = clock.at
            for paper in papers:
                self._leave_inbox(paper.id)
                current = self.state(paper.id)
                before = current.status if current else "unread"
                if before == status:
                    result.append(current or self._unsaved(paper, now))
                    continue
                self._record(
                    StatusEvent(
                        **self._stamp(clock, step),
                        **self._about(paper),
                        status=status,
                        before=before,
                    )
                )
                history = [
                    *(current.history if current else []),
                    StatusChange(status=status, at=now),
                ]
                result.append(
                    self._save(
                        paper, current, now, status=status, history=history, status_from=None
                    )
                )
            if status != "queued":
                self._unqueue({paper.id for paper in papers})
        return result

    def _unqueue(self, ids: Collection[str]) -> None:
        """Papers that left the queue leave its order too: queued again, they come last."""
        stored = self._queue_ids()
        if any(pid in ids for pid in stored):
            kept = [pid for pid in stored if pid not in ids]
            self._put(QUEUE, QUEUE_ID, QueueOrder(ids=kept))

    def place_in_queue(self, paper_id: str, *, before: str | None) -> list[str]:
        """Move the queued paper ``paper_id`` to just before the queued paper ``before`` (None:
        to the end); returns the new order. NotFoundError when either is not queued."""
        with self.transaction():
            order = self.queue()
            for pid in (paper_id, before):
                if pid is not None and pid not in order:
                    raise NotFoundError(
                        f"paper {pid} is not queued; queue it with 'paperdesk mark {pid} queued'"
                    )
            if before == paper_id:
                return order
            order.remove(paper_id)
            order.insert(len(order) if before is None else order.index(before), paper_id)
            self._put(QUEUE, QUEUE_ID, QueueOrder(ids=order))
        return order

    def save_view(self, name: str, query: str) -> tuple[SavedView, bool]:
        """Save the query as view ``name``; a view of that name (ignoring case) is replaced and
        keeps its place. Returns the view and whether it replaced one. The caller checks the
        query: the store keeps text."""
        name = _view_name(name)
        key = name.casefold()
        with self.transaction():
            raw = self._table(VIEWS).get(key)
            old = None if raw is None else self._valid(VIEWS, key, raw, SavedView)
            data = {
                "name": name,
                "query": query.strip(),
                "created_at": old.created_at if old else _now(),
            }
            view = self._from_caller(SavedView, data, "saved view")
            self._put(VIEWS, key, view)
        return view, old is not None

    def remove_view(self, name: str) -> SavedView:
        """Delete the saved view ``name`` (ignoring case); NotFoundError when there is none."""
        key = name.strip().casefold()
        with self.transaction():
            raw = self._table(VIEWS).get(key)
            if raw is None:
                raise NotFoundError(
                    f"no saved view named {name!r}; 'paperdesk view list' shows them"
                )
            view = self._valid(VIEWS, key, raw, SavedView)
            self._storage.delete(VIEWS, key)
            self._cache[VIEWS].pop(key, None)
        return view

    def set_note(self, paper: Paper, note: str | None, *, step: str | None = None) -> PaperState:
        """Replace the note verbatim; None or "" clears it. One step, or part of ``step`` (the
        desk saves a note as it is typed: one editing session is one step)."""
        note = note or None
        with self.transaction():
            current = self.state(paper.id)
            if (current.note if current else None) == note:
                return current or self._unsaved(paper, _now())
            clock = self._tick()
            event = NoteEvent(
                **self._stamp(clock, step or new_id()),
                **self._about(paper),
                note=note,
                base=list(current.note_heads) if current else [],
            )
            self._record(event)
            return self._save(paper, current, clock.at, note=note, note_heads=[event.id])

    def replace_note(self, paper: Paper, note: str | None, *, expected: str | None) -> PaperState:
        """:meth:`set_note` for an edit that started from note ``expected``: if the stored note
        is no longer that (another process appended meanwhile), raise NoteConflictError and
        write nothing, so neither text is lost."""
        with self.transaction():
            current = self.state(paper.id)
            if (current.note if current else None) != (expected or None):
                raise NoteConflictError(f"the note of {paper.id} changed during the edit")
            return self.set_note(paper, note)

    def append_note(self, paper: Paper, text: str) -> PaperState:
        """Add ``text`` as a new line of the note (empty text changes nothing)."""
        with self.transaction():
            current = self.state(paper.id)
            old = current.note if current else None
            if not text:
                return current or self._unsaved(paper, _now())
            return self.set_note(paper, f"{old}\n{text}" if old else text)

    def _find_todo(self, name: str) -> tuple[str, StoredTodo] | None:
        """The TODO named ``name`` ignoring case, a live one before a tombstone."""
        key = name.casefold()
        matches = [(i, t) for i, t in self._todo_items() if t.name.casefold() == key]
        matches.sort(key=lambda match: match[1].removed)
        return matches[0] if matches else None

    def _live_todo(self, name: str) -> tuple[str, StoredTodo]:
        found = self._find_todo(name)
        if found is None or found[1].removed:
            raise NotFoundError(
                f"no TODO conference named {name!r}; 'paperdesk todo list' shows them"
            )
        return found

    def _next_todo_id(self) -> str:
        ids = [int(doc_id) for doc_id in self._table(TODOS) if doc_id.isdigit()]
        return str(max(ids, default=0) + 1)

    def add_todo(self, item: TodoItem) -> StoredTodo:
        """Add a TODO conference; re-adding a removed one revives it with ``item``'s fields."""
        item = item.model_copy(update={"name": _todo_name(item.name)})
        with self.transaction():
            found = self._find_todo(item.name)
            if found is not None and not found[1].removed:
                raise DuplicateTodoError(
                    f"TODO conference {found[1].name!r} already exists; "
                    "change it with 'paperdesk todo edit'"
                )
            clock = self._tick()
            data = {**_todo_fields(item), "added_by": "user", "updated_at": clock.at}
            todo = self._from_caller(StoredTodo, data, "TODO conference")
            self._todo_event(todo, clock, new_id(), {*TODO_FIELDS, "removed", "added_by"})
            self._put(TODOS, found[0] if found else self._next_todo_id(), todo)
            return todo

    def _todo_event(
        self,
        todo: StoredTodo,
        clock: Clock,
        step: str,
        fields: set[str],
        *,
        origin: str = "user",
        name: str | None = None,
    ) -> None:
        """Record that ``todo`` (the TODO named ``name``, default its own) got ``fields``."""
        values = todo.model_dump(include=fields)
        self._record(
            TodoEvent(**self._stamp(clock, step, origin), todo=name or todo.name, fields=values)
        )

    def update_todo(self, name: str, /, **changes: Any) -> StoredTodo:
        """Change ``url``, ``note``, ``date``, ``done`` or ``name`` (a rename) of a TODO.

        ``name`` is positional-only so that ``name=`` can be one of the changes.
        """
        unknown = sorted(set(changes) - set(TODO_FIELDS))
        if unknown:
            raise TypeError(f"update_todo() got unknown fields: {', '.join(unknown)}")
        if "name" in changes:
            changes["name"] = _todo_name(changes["name"])
        with self.transaction():
            doc_id, todo = self._live_todo(name)
            clock, step = self._tick(), new_id()
            data = {**todo.model_dump(), **changes, "updated_at": clock.at}
            updated = self._from_caller(StoredTodo, data, "TODO conference")
            new_name = changes.get("name")
            if isinstance(new_name, str) and new_name.casefold() != todo.name.casefold():
                clash = self._find_todo(new_name)
                if clash is not None and not clash[1].removed:
                    raise DuplicateTodoError(
                        f"cannot rename {todo.name!r}: TODO conference {clash[1].name!r} exists"
                    )
                # The old name stays as a tombstone, so re-importing a list that still has it
                # does not bring the conference back twice (in the renamed item's old place
                # goes the renamed item; the tombstone takes the place of the one it replaces).
                tomb = todo.model_copy(update={"removed": True, "updated_at": clock.at})
                self._todo_event(tomb, clock, step, {"removed"})
                self._put(TODOS, clash[0] if clash else self._next_todo_id(), tomb)
                self._todo_event(updated, clock, step, {*TODO_FIELDS, "removed", "added_by"})
            else:
                self._todo_event(updated, clock, step, set(changes), name=todo.name)
            self._put(TODOS, doc_id, updated)
            return updated

    def remove_todo(self, name: str) -> None:
        """Mark a TODO removed; the tombstone keeps a re-import from bringing it back."""
        with self.transaction():
            doc_id, todo = self._live_todo(name)
            clock = self._tick()
            data = {**todo.model_dump(), "removed": True, "updated_at": clock.at}
            tomb = self._from_caller(StoredTodo, data, "TODO conference")
            self._todo_event(tomb, clock, new_id(), {"removed"})
            self._put(TODOS, doc_id, tomb)

    def seed_todos(self, items: Iterable[TodoItem]) -> list[str]:
        """Add the listed TODOs the store has never had (removed ones count as had).

        Existing records are never touched, so user edits and done marks survive re-imports.
        Returns the names added.
        """
        added: list[str] = []
        with self.transaction():
            present = {todo.name.casefold() for _, todo in self._todo_items()}
            clock, step = self._tick(), new_id()
            for item in items:
                if item.name.casefold() in present:
                    continue
                present.add(item.name.casefold())
                data = {**_todo_fields(item), "added_by": "import", "updated_at": clock.at}
                todo = self._from_caller(StoredTodo, data, "TODO conference")
                fields = {*TODO_FIELDS, "removed", "added_by"}
                self._todo_event(todo, clock, step, fields, origin="import")
                self._put(TODOS, self._next_todo_id(), todo)
                added.append(item.name)
        return added

    def relink(self, mapping: Mapping[str, Paper]) -> list[PaperState]:
        """Move state from old paper ids to the papers that replaced them (edited titles).

        Status, history and note move; the old id joins ``previous_ids``. A new id that already
        has a status or a note is never clobbered: that pair is skipped. Returns the moved states.
        Each move is a relink event, so other machines move the state too.
        """
        moved: list[PaperState] = []
        with self.transaction():
            pairs: list[tuple[str, Paper, PaperState, list[str]]] = []
            for old_id, paper in mapping.items():
                old = self.state(old_id)
                if old is None or old_id == paper.id:
                    continue
                existing = self.state(paper.id)
                if existing is not None and (existing.note or existing.status != "unread"):
                    continue
                earlier = [*old.previous_ids, old_id, *(existing.previous_ids if existing else [])]
                previous = [pid for pid in dict.fromkeys(earlier) if pid != paper.id]
                pairs.append((old_id, paper, old, previous))
            if not pairs:
                return moved
            targets = {paper.id for _, paper, _, _ in pairs}
            seen: dict[str, list[str]] = defaultdict(list)  # target -> its events so far
            for event in (*self.log.events_about(targets), *(self._pending or ())):
                if isinstance(event, PaperEvent) and event.paper in targets:
                    seen[event.paper].append(event.id)
            clock, step = self._tick(), new_id()
            for old_id, paper, _, _ in pairs:
                replaced = seen.get(paper.id, [])
                stamp = self._stamp(clock, step, "relink")
                self._record(RelinkEvent(**stamp, paper=paper.id, old=old_id, replaces=replaced))
            folds, _, _ = self._folds(targets, self._pending or ())
            for old_id, paper, old, previous in pairs:
                fold = folds.get(paper.id)
                self._drop(paper.id)  # it carried nothing; what it becomes is the old state
                if fold is None:  # a record without events: nothing to fold, move it as it is
                    base = old.model_copy(update={"id": paper.id})
                else:
                    self._put_fold(fold)
                    base = self.state(paper.id) or old
                moved.append(self._save(paper, base, base.updated_at, previous_ids=previous))
                self._drop(old_id)
            renamed = {pid: state.id for state in moved for pid in state.previous_ids}
            stored = self._queue_ids()
            if any(pid in renamed for pid in stored):
                ids = [renamed.get(pid, pid) for pid in stored]
                self._put(QUEUE, QUEUE_ID, QueueOrder(ids=list(dict.fromkeys(ids))))
        return moved

    def citation_keys(
        self,
        papers: Sequence[Paper],
        choose: Callable[[Mapping[str, str]], Mapping[str, str]],
    ) -> dict[str, str]:
        """The citation key of each of ``papers``, paper id -> key. Papers without one get the
        key ``choose`` picks for them, given every key stored so far (paper id -> key), and it
        is stored in the same transaction: a key, once given, never changes and never goes to
        another paper. Nothing is written when every paper has its key."""
        with self.transaction():
            stored = {pid: record.key for pid, record in self.citation_key_records().items()}
            missing = [p for p in {p.id: p for p in papers}.values() if p.id not in stored]
            if missing:
                chosen = choose(stored)
                now = _now()
                for paper in missing:
                    data = {
                        "key": chosen[paper.id],
                        "title": paper.title,
                        "source": paper.source,
                        "assigned_at": now,
                    }
                    self._put(CITEKEYS, paper.id, self._from_caller(CitationKey, data, "key"))
                    stored[paper.id] = chosen[paper.id]
        return {paper.id: stored[paper.id] for paper in papers}

    def move_citation_keys(self, mapping: Mapping[str, Paper]) -> int:
        """Give the citation keys of old paper ids to the papers that replaced them (edited
        titles), unless the new paper has a key already; returns how many moved."""
        moved = 0
        with self.transaction():
            records = self.citation_key_records()
            for old_id, paper in mapping.items():
                old = records.get(old_id)
                if old is None or old_id == paper.id or paper.id in records:
                    continue
                data = {**old.model_dump(), "title": paper.title, "source": paper.source}
                self._put(CITEKEYS, paper.id, self._from_caller(CitationKey, data, "key"))
                self._storage.delete(CITEKEYS, old_id)
                self._cache[CITEKEYS].pop(old_id, None)
                records[paper.id] = records.pop(old_id)
                moved += 1
        return moved

    def touch_papers(self, papers: Iterable[Paper]) -> int:
        """Refresh the title/venue/source copy of existing states in one write; returns how many
        changed (0 writes nothing). ``updated_at`` is left alone: the reading state did not change.
        """
        changed = 0
        with self.transaction():
            for paper in papers:
                state = self.state(paper.id)
                if state is None or (state.title, state.venue, state.source) == (
                    paper.title,
                    paper.venue,
                    paper.source,
                ):
                    continue
                data = {
                    **state.model_dump(),
                    "title": paper.title,
                    "venue": paper.venue,
                    "source": paper.source,
                }
                self._put(PAPERS, paper.id, self._from_caller(PaperState, data, "paper state"))
                changed += 1
        return changed

    # -- other machines, undo, history ------------------------------------------------------------

    def known_ids(self) -> set[str]:
        """The ids of every event in the log (read from the text, not parsed)."""
        known: set[str] = set()
        for name in self.log.names():
            known |= self.log.ids(name)
        return known

    def merge(self, events: Iterable[AnyEvent]) -> MergeReport:
        """Take in events from other machines (``state sync``, ``state import``): those the
        log lacks are appended to their machines' files and the papers and TODOs they touch
        are recomputed by the merge rules, in one transaction."""
        incoming = list(events)
        with self.transaction():
            known = self.known_ids()
            new = [event for event in union(incoming) if event.id not in known]
            if not new:
                return MergeReport(events=0, papers=[], machines=[])
            assert self._pending is not None
            self._pending.extend(new)
            self._clock = latest(self._clock, max(event.stamp for event in new))
            changed = self._apply(new, extra=new)
            own = self.log.machine.id
            machines = sorted({e.label or e.machine for e in new if e.machine != own})
            if machines:
                info = MergeInfo(at=_now(), machines=machines, events=len(new), papers=len(changed))
                self._set_meta(merged=info)
            return MergeReport(events=len(new), papers=sorted(changed), machines=machines)

    def last_merge(self) -> MergeInfo | None:
        """When events from other machines last came in (the desk says so when it changes)."""
        return self._meta().merged

    def undo(self) -> UndoReport | None:
        """Revert the last undoable step (:mod:`paperdesk.state.steps`) as a new step of its
        own, so the undo syncs like any change; None when there is nothing to undo."""
        with self.transaction():
            step = last_undoable(self.log.newest_first())
            if step is None:
                return None
            clock, undo_step = self._tick(), new_id()
            marks: dict[tuple[str, str], PaperEvent] = {}
            for event in step.events:
                fields = {
                    **self._stamp(clock, undo_step, "undo"),
                    **self._about_event(event),
                    "undoes": step.id,
                }
                if isinstance(event, StatusEvent):
                    marks[(event.paper, "status")] = StatusEvent(**fields, status=event.before)
                elif isinstance(event, NoteEvent):
                    marks[(event.paper, "note")] = NoteEvent(**fields)
            assert self._pending is not None
            self._pending.extend(marks.values())
            self._recompute(set(step.papers), self._pending)
            moved = aliases([*self.log.relinks(), *self._pending])
            states = {}
            for paper_id in step.papers:
                state = self.state(resolve(paper_id, moved))
                if state is not None:
                    states[paper_id] = state
            # the undo's events say what the papers are now (for history and other readers)
            for index, event in enumerate(self._pending):
                state = states.get(event.paper) if isinstance(event, PaperEvent) else None
                if state is not None and isinstance(event, StatusEvent):
                    self._pending[index] = event.model_copy(update={"status": state.status})
                elif state is not None and isinstance(event, NoteEvent):
                    self._pending[index] = event.model_copy(update={"note": state.note})
            return UndoReport(step, list(states.values()), self.log.machine.id)

    @staticmethod
    def _about_event(event: PaperEvent) -> dict[str, Any]:
        return {
            "paper": event.paper,
            "title": event.title,
            "venue": event.venue,
            "source": event.source,
        }

    def steps(self, papers: Collection[str] | None = None, limit: int | None = 20) -> list[Step]:
        """The last ``limit`` steps (all: None), newest first; ``papers``: only steps that
        touched one of these ids (a paper and its previous ids)."""
        if papers is None:
            return recent_steps(self.log.newest_first(), None, limit)
        wanted = set(papers)
        stream = (e for e in self.log.newest_first() if _mentions(e, wanted))
        return recent_steps(stream, None, limit)

    def events(self) -> list[AnyEvent]:
        """Every event of the log, in its total order (``state export``)."""
        return union(self.log.everything())

    def rebuild(self) -> tuple[dict[str, PaperFold], dict[str, StoredTodo]]:
        """The reading state the log makes, computed from nothing but the log: a store that
        is right equals it (what :meth:`PaperFold.reading` covers)."""
        events = self.log.everything()
        return fold_papers(events, self.log.machine.id), fold_todos(events)

    # -- the inbox (see paperdesk.state.inbox) ------------------------------------------------

    def inbox(self) -> dict[str, InboxEntry]:
        """Paper id -> its inbox entry, papers no list holds now included."""
        with self._storage.mutex:
            items = list(self._table(INBOX).items())
        return {pid: self._valid(INBOX, pid, raw, InboxEntry) for pid, raw in items}

    def add_to_inbox(self, paper_ids: Iterable[str], source: str) -> int:
        """Put papers in the inbox (those already there keep their arrival); how many were added."""
        added = 0
        with self.transaction():
            present = set(self._table(INBOX))
            now = _now()
            for paper_id in paper_ids:
                if paper_id not in present:
                    present.add(paper_id)
                    self._put(INBOX, paper_id, InboxEntry(since=now, source=source))
                    added += 1
        return added

    def dismiss(self, paper_ids: Iterable[str]) -> int:
        """Take papers out of the inbox without marking them; how many were in it."""
        with self.transaction():
            return sum(self._leave_inbox(paper_id) for paper_id in paper_ids)

    def _leave_inbox(self, paper_id: str) -> bool:
        if paper_id not in self._table(INBOX):
            return False
        self._storage.delete(INBOX, paper_id)
        self._cache[INBOX].pop(paper_id, None)
        return True

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            meta = self._meta()
            if meta.settings.get(key) == value:
                return
            data = {**meta.model_dump(), "settings": {**meta.settings, key: value}}
            self._put(META, META_ID, self._from_caller(StoreMeta, data, "setting"))

    # -- maintenance --------------------------------------------------------------------------

    def doctor(self, catalog_ids: Collection[str]) -> StoreReport:
        """Counts, orphans, backups and problems (invalid records never raise here); each
        invalid record's problem says how to repair it."""
        self.reload_if_changed()
        problems: list[str] = []
        invalid: list[InvalidRecordError] = []
        by_status = dict.fromkeys(STATUSES, 0)
        notes = 0
        orphans: list[OrphanInfo] = []
        with self._storage.mutex:
            papers = list(self._table(PAPERS).items())
            todo_docs = list(self._table(TODOS).items())
        for paper_id, raw in papers:
            try:
                state = self._valid(PAPERS, paper_id, raw, PaperState)
            except InvalidRecordError as exc:
                invalid.append(exc)
                continue
            by_status[state.status] += 1
            notes += bool(state.note)
            if paper_id not in catalog_ids and (state.note or state.status != "unread"):
                orphans.append(
                    OrphanInfo(
                        id=state.id,
                        title=state.title,
                        venue=state.venue,
                        source=state.source,
                        status=state.status,
                        note=state.note,
                    )
                )
        for check in (self.views, self._queue_ids):
            try:
                check()
            except StoreError as exc:
                problems.append(str(exc))
        live_todos = 0
        for doc_id, raw in todo_docs:
            try:
                live_todos += not self._valid(TODOS, doc_id, raw, StoredTodo).removed
            except InvalidRecordError as exc:
                invalid.append(exc)
        backups = []
        for backup in self.backups():
            readable = _file_is_good(backup)
            backups.append(BackupInfo(path=backup, size=backup.stat().st_size, readable=readable))
            if not readable:
                problems.append(f"backup {backup} is unreadable or invalid")
        good = next((b.path for b in backups if b.readable), None)
        instead = (
            f", or run 'paperdesk doctor --restore' to go back to backup {good}"
            if good is not None
            else " (no backup is good to restore instead)"
        )
        problems[:0] = [
            f"{exc.what}; to repair it, edit or delete that record in {self.path}{instead}"
            for exc in invalid
        ]
        if self._storage.backup_problem:
            problems.append(self._storage.backup_problem)
        try:
            size = os.stat(self.path).st_size
        except OSError:
            size = 0
        machine = self.log.machine
        log = LogInfo(
            machine=machine.id,
            label=machine.label,
            path=self.log.directory,
            events={name: self.log.raw(name).count(b"\n") for name in self.log.names()},
        )
        return StoreReport(
            path=self.path,
            size_bytes=size,
            log=log,
            schema_version=self._meta().schema_version,
            counts=StoreCounts(
                states=len(papers), by_status=by_status, notes=notes, todos=live_todos
            ),
            orphans=orphans,
            backups=backups,
            problems=problems,
        )

    @staticmethod
    def restore_newest_backup(path: Path) -> Path:
        """Replace a broken store with its newest backup that parses and validates.

        The broken file is kept as ``<store>.corrupt-<UTC time>``; a store that is fine is
        refused, so a restore can never throw away good recent state. Returns the backup used.
        """
        storage = AtomicJSONStorage(path)
        path = storage.path  # a symlinked store: the file it points to
        with storage.locked():
            if path.is_file() and _file_is_good(path):
                raise StoreError(
                    f"store {path} is readable and valid; nothing to restore "
                    "('paperdesk doctor' lists its backups)"
                )
            candidates = [p for p in backup_paths(path, storage.backup_count) if p.exists()]
            for backup in candidates:
                try:
                    data = backup.read_bytes()
                    _check_tables(backup, parse_tables(backup, data))
                except (OSError, StoreError):
                    continue
                try:
                    if path.exists():
                        _keep_aside(path)
                    atomic_write_bytes(path, data)
                except OSError as exc:
                    raise StoreError(
                        f"cannot restore store {path} from {backup} ({exc.strerror or exc})"
                    ) from None
                return backup
        raise StoreError(
            f"no good backup of store {path} ({len(candidates)} found, none readable); "
            "the store was left as it is"
        )


def _mentions(event: AnyEvent, papers: Collection[str]) -> bool:
    if isinstance(event, PaperEvent):
        return event.paper in papers
    if isinstance(event, RelinkEvent):
        return event.paper in papers or event.old in papers
    return False


def _keep_aside(path: Path) -> None:
    """Keep the damaged store as ``<name>.corrupt-<UTC time>`` before it is replaced."""
    stamp = _now().strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    try:
        os.link(path, aside)
    except OSError:  # no hard links here: copy (the original stays until replaced)
        atomic_write_bytes(aside, path.read_bytes())

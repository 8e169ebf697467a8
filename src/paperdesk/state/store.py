"""Reading state (statuses with history, notes, TODO conferences, settings) in one TinyDB file.

``$PAPERDESK_HOME/store.json`` is a TinyDB database on
:class:`~paperdesk.state.storage.AtomicJSONStorage` with three tables:

- ``papers``: one :class:`PaperState` per paper, keyed by the paper id itself (TinyDB's file
  format keys documents by strings), so a lookup is one dict access and a write one record.
  Records are stored compactly: the id is the key, not repeated inside, and fields at their
  default are left out (validation fills them back in) -- at 50k states that is 16% fewer bytes
  to write and fsync per write. A schema change that alters a default must migrate;
- ``todos``: :class:`StoredTodo` records under counter ids; a removed one stays as a tombstone so
  a re-import does not bring it back;
- ``meta``: the single :class:`StoreMeta` record (schema version, settings);
- ``citekeys``: one :class:`CitationKey` per paper that was ever exported to BibTeX or cited,
  keyed by paper id (a table an older paperdesk ignores and keeps).
- ``views``: :class:`SavedView` records keyed by folded name;
- ``queue``: the single :class:`QueueOrder` record, the order the user gave the queued papers.

Every write method is one transaction: lock, re-read if another process wrote, change, one atomic
write. One validity rule holds for reads and writes: a store holding a record that a read refuses
is not written either (not even migrated), so no command saves over it before the user repaired
it; the error names the record and ``paperdesk doctor`` says how to repair it. Records are
validated by the pydantic models on the way in, and lazily on the way out (cached per record
object), so a write never re-validates the 50,000 others. The Store edits the
storage's tables directly rather than through ``tinydb.Table``, which rebuilds the whole table and
mutates records in place on every call and so defeats the storage's per-record serialisation.

Times of changes never go backwards in a store: a change made while the clock is behind the
newest change already stored is dated just after it, so history and "last changed" keep the
order in which things happened when a clock is set back (a dead RTC, a wrong time zone fix).

Orphans are derived, not stored: states whose id is not in the current catalog. They are kept
forever and show again when their paper returns with the same id.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
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
from paperdesk.state.file_format import (
    CITEKEYS,
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
from paperdesk.state.models import (
    CitationKey,
    PaperState,
    QueueOrder,
    SavedView,
    StatusChange,
    StoredTodo,
    StoreMeta,
)
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


class StoreReport(Model):
    """What ``paperdesk doctor`` shows; any ``problems`` make it exit 1."""

    path: Path
    size_bytes: int
    schema_version: int
    counts: StoreCounts
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


#: One function per schema step: ``MIGRATIONS[n]`` turns a version-n store into version n + 1.
MIGRATIONS: dict[int, Callable[[Tables], None]] = {0: _v0_to_v1}


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

    def __init__(self, path: Path, storage: AtomicJSONStorage) -> None:
        self.path = path
        self._storage = storage
        self._cache: dict[str, dict[str, tuple[dict[str, Any], Any]]] = {
            PAPERS: {},
            TODOS: {},
            META: {},
            CITEKEYS: {},
            VIEWS: {},
            QUEUE: {},
        }
        #: The storage generation and the newest change time known in it (see :meth:`_now`).
        self._newest: tuple[int, dt.datetime] | None = None

    @classmethod
    def open(cls, path: Path, *, backup_interval: float = BACKUP_INTERVAL) -> Store:
        """Open (or create, with its directory) the store at ``path``; migrate an older one.

        Raises StoreError if the file is unreadable, corrupt or from a newer paperdesk.
        """
        path = Path(path)
        store = cls(path, AtomicJSONStorage(path, backup_interval=backup_interval))
        tables = store._storage.read()
        if tables is None or _schema_version(path, tables) < STORE_SCHEMA_VERSION:
            with store._storage.transaction(backup=True) as locked_tables:
                store._migrate(locked_tables)
        store._meta()
        if not store._storage.trusted:
            store._vouch()
        return store

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
            self._storage.trust()

    def _writable(self) -> None:
        """The write side of the one validity rule: every record valid, or nothing written."""
        if self._storage.trusted:
            return
        try:
            self._check_all()
        except InvalidRecordError as exc:
            raise StoreError(
                f"{exc.what}; nothing was written: 'paperdesk doctor' says how to repair it"
            ) from None

    def _migrate(self, tables: Tables) -> None:
        """Bring ``tables`` (read under the lock) to the current schema, one step at a time."""
        version = _schema_version(self.path, tables)
        if version == STORE_SCHEMA_VERSION:
            return
        while version < STORE_SCHEMA_VERSION:
            MIGRATIONS[version](tables)
            version += 1
            tables[META][META_ID] = {**tables[META][META_ID], "schema_version": version}
        try:
            _check_tables(self.path, tables)
        except InvalidRecordError:  # migrated in memory only: the first write refuses it
            return
        self._storage.write(tables, validated=True)

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

    def _now(self) -> dt.datetime:
        """The time of a change: the clock, or just after the newest change the store holds
        when the clock is behind it (see the module docstring)."""
        now = _now()
        generation = self._storage.generation
        if self._newest is None or self._newest[0] != generation:
            newest = max(
                (
                    stamp
                    for raw in self._table(PAPERS).values()
                    if isinstance(stamp := raw.get("updated_at"), str)
                ),
                default=None,
            )
            try:
                newest_time = dt.datetime.fromisoformat(newest) if newest else now
            except ValueError:  # a hand-edited stamp: the reads report the record
                newest_time = now
            self._newest = (generation, newest_time)
        if now <= self._newest[1]:
            now = self._newest[1] + dt.timedelta(microseconds=1)
        self._newest = (generation, now)
        return now

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """Lock the store, re-read it if another process wrote, and save every change made
        inside as one atomic write (nothing at all if an exception escapes). A store with an
        invalid record is refused here, before anything changes."""
        with self._storage.transaction():
            self._writable()
            yield self

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

    def set_status(self, papers: Sequence[Paper], status: str) -> list[PaperState]:
        """Set ``status`` on every paper in one write; history grows where the status changes.

        Papers whose status is already ``status`` are returned as they are and not written.
        """
        status = parse_status(status)
        result = []
        with self.transaction():
            now = self._now()
            for paper in papers:
                current = self.state(paper.id)
                if (current.status if current else "unread") == status:
                    result.append(current or self._unsaved(paper, now))
                    continue
                history = [
                    *(current.history if current else []),
                    StatusChange(status=status, at=now),
                ]
                result.append(self._save(paper, current, now, status=status, history=history))
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

    def set_note(self, paper: Paper, note: str | None) -> PaperState:
        """Replace the note verbatim; None or "" clears it."""
        note = note or None
        with self.transaction():
            current = self.state(paper.id)
            if (current.note if current else None) == note:
                return current or self._unsaved(paper, self._now())
            return self._save(paper, current, self._now(), note=note)

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
                return current or self._unsaved(paper, self._now())
            return self._save(paper, current, self._now(), note=f"{old}\n{text}" if old else text)

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
            data = {**_todo_fields(item), "added_by": "user", "updated_at": self._now()}
            todo = self._from_caller(StoredTodo, data, "TODO conference")
            self._put(TODOS, found[0] if found else self._next_todo_id(), todo)
            return todo

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
            new_name = changes.get("name")
            if isinstance(new_name, str) and new_name.casefold() != todo.name.casefold():
                clash = self._find_todo(new_name)
                if clash is not None and not clash[1].removed:
                    raise DuplicateTodoError(
                        f"cannot rename {todo.name!r}: TODO conference {clash[1].name!r} exists"
                    )
                if clash is not None:  # the renamed item now keeps that name from re-imports
                    self._storage.delete(TODOS, clash[0])
            data = {**todo.model_dump(), **changes, "updated_at": self._now()}
            updated = self._from_caller(StoredTodo, data, "TODO conference")
            self._put(TODOS, doc_id, updated)
            return updated

    def remove_todo(self, name: str) -> None:
        """Mark a TODO removed; the tombstone keeps a re-import from bringing it back."""
        with self.transaction():
            doc_id, todo = self._live_todo(name)
            data = {**todo.model_dump(), "removed": True, "updated_at": self._now()}
            self._put(TODOS, doc_id, self._from_caller(StoredTodo, data, "TODO conference"))

    def seed_todos(self, items: Iterable[TodoItem]) -> list[str]:
        """Add the listed TODOs the store has never had (removed ones count as had).

        Existing records are never touched, so user edits and done marks survive re-imports.
        Returns the names added.
        """
        added: list[str] = []
        with self.transaction():
            present = {todo.name.casefold() for _, todo in self._todo_items()}
            now = self._now()
            for item in items:
                if item.name.casefold() in present:
                    continue
                present.add(item.name.casefold())
                data = {**_todo_fields(item), "added_by": "import", "updated_at": now}
                todo = self._from_caller(StoredTodo, data, "TODO conference")
                self._put(TODOS, self._next_todo_id(), todo)
                added.append(item.name)
        return added

    def relink(self, mapping: Mapping[str, Paper]) -> list[PaperState]:
        """Move state from old paper ids to the papers that replaced them (edited titles).

        Status, history and note move; the old id joins ``previous_ids``. A new id that already
        has a status or a note is never clobbered: that pair is skipped. Returns the moved states.
        """
        moved: list[PaperState] = []
        with self.transaction():
            now = self._now()
            for old_id, paper in mapping.items():
                old = self.state(old_id)
                if old is None or old_id == paper.id:
                    continue
                existing = self.state(paper.id)
                if existing is not None and (existing.note or existing.status != "unread"):
                    continue
                earlier = [*old.previous_ids, old_id, *(existing.previous_ids if existing else [])]
                previous = [pid for pid in dict.fromkeys(earlier) if pid != paper.id]
                state = self._save(paper, old, now, id=paper.id, previous_ids=previous)
                self._storage.delete(PAPERS, old_id)
                self._cache[PAPERS].pop(old_id, None)
                moved.append(state)
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
        return StoreReport(
            path=self.path,
            size_bytes=size,
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

"""What the desk shows, kept in memory: statuses, notes and counts over an immutable catalog.

Built by the loading thread from the catalog's columns and a raw look at the store
(:mod:`paperdesk.state.glance`), so the first frame needs neither pydantic nor the store; the
validated states replace that look a moment later (:meth:`DeskModel.replace_states`).

Search is the query language (:mod:`paperdesk.query`) over this model's statuses, notes and
metadata; the saved views and the reading queue's order live here too. The query package is
imported when a search or a view first needs it: the first frame needs none of it.

The widgets never read the store: a key press changes this model at once (the mark is visible
before the write lands) and the store writer confirms or reverts it later. Everything a
keystroke needs — the rows of a selection, search, status filter, sort, the counts in the tree
and the header — is a pass over plain lists indexed by row, so it stays in milliseconds at
50,000 papers. No Textual here, so it is tested without an app.

Rows are catalog rows, then one row per orphan (state whose paper no source holds now) after
them, so the Orphans list is browsed, searched and marked like any other. Feeds (sources of any
kind but ``list``) stay out of All and Unread unless ``feeds_in_all``: they show under their
source and, for what they bring, in the inbox.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from paperdesk.catalog.records import STATUSES, Paper
from paperdesk.errors import QueryError
from paperdesk.tui.selection import (
    ALL,
    INBOX,
    ORPHANS,
    QUEUED,
    SMART_LISTS,
    Selection,
    same_place,
)

if TYPE_CHECKING:
    from paperdesk.catalog.merged import Catalog, VenueGroup
    from paperdesk.catalog.models import ArxivMetadata, DblpMetadata
    from paperdesk.query.evaluate import Steps
    from paperdesk.query.syntax import Node
    from paperdesk.state.models import PaperState

#: Sorting by status puts what is in progress first and what is done or dropped last.
_STATUS_RANK = {"reading": 0, "queued": 1, "unread": 2, "read": 3, "skipped": 4}
#: Up to this many rows, a search before the search index exists (a view the desk reopens
#: on) builds the keys of those rows only: the index is built after the first frame.
FEW_ROWS = 5000
#: A source shows its papers by date when most of them have one, by venue when most have one,
#: else by its own topics.
STRUCTURES = ("days", "venues", "topics")


class MetadataSource(Protocol):
    """Where arXiv metadata comes from (``catalog.metadata.MetadataCache``): re-read on change."""

    def all(self) -> dict[str, ArxivMetadata]: ...


class _ModelFacts:
    """The desk model as a query sees it (:class:`paperdesk.query.Facts`)."""

    def __init__(self, model: DeskModel) -> None:
        self.model = model
        self.catalog = model.catalog

    def statuses(self) -> Sequence[str]:
        return self.model.row_status

    def text_keys(self) -> Sequence[str]:
        return self.model._search_keys()

    def note_ids(self) -> Collection[str]:
        return self.model.notes.keys()

    def arxiv_ids(self) -> Collection[str]:
        return self.model.metadata.keys()

    def new_ids(self) -> Collection[str]:
        return self.model.inbox


class _FewFacts(_ModelFacts):
    """The model for a search over a few rows before the search keys exist (the view the desk
    reopens on, in its first frame): only those rows' keys are made."""

    def __init__(self, model: DeskModel, keys: Mapping[int, str]) -> None:
        super().__init__(model)
        self.keys = keys

    def text_keys(self) -> Mapping[int, str]:  # type: ignore[override]
        return self.keys


class ReadingState(Protocol):
    """What the desk needs of a paper's state: a validated ``PaperState``, or the raw look at
    the store the first frame is drawn from. Title, venue and source name an orphan."""

    @property
    def status(self) -> str: ...

    @property
    def note(self) -> str | None: ...

    @property
    def title(self) -> str: ...

    @property
    def venue(self) -> str | None: ...

    @property
    def source(self) -> str: ...


def due_counts(
    todos: Iterable[tuple[dt.date | str | None, bool]], today: dt.date, days: int = 7
) -> tuple[int, int]:
    """How many open TODO conferences are overdue, and how many are due within ``days`` (dates
    as dates, or as the ISO text the store file holds; a bad one is no date)."""
    overdue = soon = 0
    for date, done in todos:
        if isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date)
            except ValueError:
                date = None
        if done or date is None:
            continue
        left = (date - today).days
        overdue += left < 0
        soon += 0 <= left <= days
    return overdue, soon


def next_unread(rows: Sequence[int], statuses: Sequence[str], start: int, step: int) -> int | None:
    """The index in ``rows`` of the first unread paper after ``start`` (``step`` 1) or before
    it (-1); None when there is none. Walks only as far as the next unread one."""
    index = start + step
    while 0 <= index < len(rows):
        if statuses[rows[index]] == "unread":
            return index
        index += step
    return None


def is_feed(kind: str) -> bool:
    """Whether a source of this kind is a feed: every kind but a curated ``list`` is, so kinds
    added later (arXiv, DBLP pulls) are feeds without a change here."""
    return kind != "list"


@dataclass
class DeskModel:
    """The catalog plus the reading state the desk displays."""

    catalog: Catalog
    states: dict[str, PaperState] = field(default_factory=dict)
    #: Ids in the inbox (see paperdesk.state.inbox); a mark or a dismissal takes one out.
    inbox: set[str] = field(default_factory=set)
    metadata: dict[str, ArxivMetadata] = field(default_factory=dict)
    #: DBLP's records of fetched venues' papers, for the detail pane (read with the store, and
    #: again when a venue is fetched from the desk).
    dblp: dict[str, DblpMetadata] = field(default_factory=dict)
    #: Saved views as (name, query), in the order of the desk's keys 1-9.
    views: list[tuple[str, str]] = field(default_factory=list)
    #: Ids of the queued papers in reading order, as the store gave it (None: not yet read).
    queue: list[str] | None = None
    #: ``[desk] feeds_in_all``: All and Unread show the feeds' papers too.
    feeds_in_all: bool = False
    #: 1 for the rows All shows; None when it shows every row (no feeds, or feeds_in_all).
    in_library: bytearray | None = field(init=False)
    row_status: list[str] = field(init=False)
    notes: dict[str, str] = field(init=False)
    counts: Counter[str] = field(init=False)
    #: Statuses of the rows All shows (curated lists, unless feeds_in_all).
    library_counts: Counter[str] = field(init=False)
    #: Papers read per venue, of those the Library's venues list (not a feed's).
    venue_read: Counter[str] = field(init=False)
    orphans: list[Paper] = field(init=False, default_factory=list)
    #: Writes in flight per paper id: what a reload must not overwrite.
    writing_status: Counter[str] = field(init=False, default_factory=Counter)
    writing_notes: Counter[str] = field(init=False, default_factory=Counter)
    _sort_keys: dict[str, list] = field(init=False, default_factory=dict)
    #: The last search's rows and steps (:func:`paperdesk.query.evaluate.evaluate_typed`),
    #: forgotten whenever a status, a note or the metadata changes.
    _last_search: tuple[Sequence[int], Steps] | None = field(init=False, default=None)
    #: The search keys with each paper's authors and note appended (orphans' after the
    #: catalog's), kept in step with ``notes``: a keystroke is then one substring test per row
    #: and word.
    _keys: list[str] | None = field(init=False, default=None)
    #: The metadata the keys and the views' caches were made with (replaced, never changed).
    _seen_metadata: object = field(init=False, default=None)
    _view_nodes: dict[str, Node | None] = field(init=False, default_factory=dict)
    _view_counts: dict[str, int | None] = field(init=False, default_factory=dict)
    _view_rows: dict[str, list[int]] = field(init=False, default_factory=dict)
    _facts: _ModelFacts = field(init=False)
    _orphan_rows: dict[str, int] = field(init=False, default_factory=dict)
    _library_rows: list[int] | None = field(init=False, default=None)
    _structures: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._facts = _ModelFacts(self)
        self.in_library = self._library_mask()
        self._recount(self.states)

    @classmethod
    def at_first_look(
        cls,
        catalog: Catalog,
        looks: Mapping[str, ReadingState],
        *,
        inbox: Iterable[str] = (),
        feeds_in_all: bool = False,
    ) -> DeskModel:
        """A model whose statuses and notes come from ``looks`` until the store is open."""
        model = cls(catalog, inbox=set(inbox), feeds_in_all=feeds_in_all)
        model._recount(looks)
        return model

    def _library_mask(self) -> bytearray | None:
        catalog = self.catalog
        feeds = [s.name for s in catalog.sources if is_feed(s.kind)]
        if self.feeds_in_all or not feeds:
            return None
        mask = bytearray(len(catalog))
        for source in catalog.sources:
            if not is_feed(source.kind):
                for row in catalog.source_rows.get(source.name, ()):
                    mask[row] = 1
        return mask

    def _recount(self, states: Mapping[str, ReadingState]) -> None:
        """Statuses, notes, orphans and progress from ``states`` in one pass."""
        columns = self.catalog.columns
        ids, venues = columns.id, columns.venue
        by_id = self.catalog.by_id
        size = len(ids)
        self.row_status = ["unread"] * size
        self.notes = {}
        self.venue_read = Counter()
        self.orphans = []
        self._orphan_rows = {}
        for paper_id, state in states.items():
            row = by_id.get(paper_id)
            if row is None:
                if state.status == "unread" and not state.note:
                    continue  # nothing to keep in sight
                self._orphan_rows[paper_id] = size + len(self.orphans)
                orphan = Paper(
                    id=paper_id,
                    title=state.title or paper_id,
                    venue=state.venue,
                    source=state.source,
                )
                self.orphans.append(orphan)
                self.row_status.append(state.status)
            else:
                self.row_status[row] = state.status
                held = self.in_library is None or self.in_library[row]
                if state.status == "read" and venues[row] and held:
                    self.venue_read[venues[row]] += 1
            if state.note:
                self.notes[paper_id] = state.note
        catalog_status = self.row_status[:size]
        self.counts = Counter(catalog_status)
        mask = self.in_library
        if mask is None:
            self.library_counts = Counter(self.counts)
        else:
            self.library_counts = Counter(
                s for s, shown in zip(catalog_status, mask, strict=True) if shown
            )
        self._keys = None
        self._sort_keys.clear()
        self._last_search = None
        self._forget_views()

    # -- reading state -------------------------------------------------------------------

    @property
    def size(self) -> int:
        """Catalog rows: rows from here on are orphans."""
        return len(self.catalog)

    def status_of(self, row: int) -> str:
        return self.row_status[row]

    def paper(self, row: int) -> Paper:
        size = len(self.catalog)
        return self.catalog.paper(row) if row < size else self.orphans[row - size]

    def paper_id(self, row: int) -> str:
        """A row's paper id, without building the paper."""
        size = len(self.catalog)
        return self.catalog.columns.id[row] if row < size else self.orphans[row - size].id

    def row_of(self, paper_id: str) -> int | None:
        row = self.catalog.by_id.get(paper_id)
        return self._orphan_rows.get(paper_id) if row is None else row

    def venue_of(self, row: int) -> str | None:
        return self.catalog.columns.venue[row] if row < len(self.catalog) else None

    def is_orphan(self, row: int) -> bool:
        return row >= len(self.catalog)

    def set_status(self, rows: Iterable[int], status: str) -> dict[int, str]:
        """Show ``status`` on ``rows`` at once; returns the previous status of each changed row.

        The saved views' counts follow by evaluating them on the changed rows alone, and the
        queue's order by the rule the store keeps: queued papers join its end, others leave it.
        A mark of any status takes a paper out of the inbox (see :meth:`leave_inbox`).
        """
        changed = [row for row in dict.fromkeys(rows) if self.row_status[row] != status]
        if not changed:
            return {}
        before = self._view_hits(changed)
        previous: dict[int, str] = {}
        size = len(self.catalog)
        venues = self.catalog.columns.venue
        mask = self.in_library
        for row in changed:
            old = self.row_status[row]
            previous[row] = old
            self.row_status[row] = status
            if row >= size:
                continue
            self.counts[old] -= 1
            self.counts[status] += 1
            if mask is not None and not mask[row]:
                continue  # a feed's paper: not in All, nor in the Library's venues
            self.library_counts[old] -= 1
            self.library_counts[status] += 1
            venue = venues[row]
            if venue and "read" in (old, status):
                self.venue_read[venue] += 1 if status == "read" else -1
        self._sort_keys.pop("status", None)
        self._last_search = None
        self._view_rows.clear()
        self._count_views(changed, before)
        self._follow_queue(changed, status)
        return previous

    def leave_inbox(self, rows: Iterable[int]) -> list[int]:
        """Take ``rows`` out of the inbox (marked or dismissed); the rows that were in it."""
        left = []
        for row in rows:
            paper_id = self.paper(row).id
            if paper_id in self.inbox:
                self.inbox.discard(paper_id)
                left.append(row)
        return left

    def set_note(self, paper_id: str, note: str | None) -> None:
        row = self.row_of(paper_id)
        changed = [] if row is None else [row]
        before = self._view_hits(changed)
        if note:
            self.notes[paper_id] = note
        else:
            self.notes.pop(paper_id, None)
        if row is not None and self._keys is not None:
            self._keys[row] = self._key_of(row, note)
        self._last_search = None
        self._view_rows.clear()
        self._count_views(changed, before)

    def remember(self, states: Iterable[PaperState]) -> None:
        """Keep states the store wrote (history, timestamps); statuses are already shown."""
        for state in states:
            self.states[state.id] = state
        self._sort_keys.pop("changed", None)

    def replace_states(
        self,
        states: Mapping[str, PaperState],
        keep_status: Iterable[str] = (),
        keep_notes: Iterable[str] = (),
        inbox: Iterable[str] | None = None,
    ) -> None:
        """Adopt the store's states (and inbox) after another process changed it.

        Statuses in ``keep_status`` (writes still in flight) and notes in ``keep_notes``
        (writes in flight, the note being typed) stay as the desk shows them, so a reload
        never undoes a key press or a keystroke. Orphans may get other rows.
        """
        kept_status = {}
        for pid in keep_status:
            row = self.row_of(pid)
            if row is not None:
                kept_status[pid] = self.row_status[row]
        kept_notes = {pid: self.notes.get(pid) for pid in keep_notes}
        self.states = dict(states)
        if inbox is not None:
            self.inbox = set(inbox) - set(kept_status)
        self._recount(self.states)
        for pid, status in kept_status.items():
            row = self.row_of(pid)
            if row is not None:
                self.set_status([row], status)
        for pid, note in kept_notes.items():
            self.set_note(pid, note)

    @property
    def notes_count(self) -> int:
        return len(self.notes)

    def smart_count(self, key: str) -> int:
        if key == "all":
            return self.library_total
        if key == "unread":
            return self.library_counts["unread"]
        if key == "notes":
            return sum(1 for pid in self.notes if pid in self.catalog.by_id)
        if key == INBOX:
            by_id = self.catalog.by_id
            return sum(1 for pid in self.inbox if pid in by_id)
        if key == ORPHANS:
            return len(self.orphans)
        return self.counts[key]

    # -- saved views -----------------------------------------------------------------------

    def set_views(self, views: Sequence[tuple[str, str]]) -> None:
        """Adopt the store's saved views (name, query), in key order."""
        if list(views) != self.views:
            self.views = list(views)
            self._forget_views()

    def view_query(self, name: str) -> str | None:
        return next((query for view, query in self.views if view == name), None)

    def _view_node(self, name: str) -> Node | None:
        """A saved view's parsed query; None for an unknown view or one that no longer parses
        (edited by hand): it then shows no papers rather than failing."""
        if name not in self._view_nodes:
            from paperdesk.query.syntax import parse

            query = self.view_query(name)
            try:
                self._view_nodes[name] = None if query is None else parse(query)
            except QueryError:
                self._view_nodes[name] = None
        return self._view_nodes[name]

    def view_count(self, name: str) -> int | None:
        """Papers in a saved view (None: its query no longer parses); counted once, then kept
        up to date by every mark and note."""
        self._check_metadata()
        if name not in self._view_counts:
            node = self._view_node(name)
            self._view_counts[name] = None if node is None else len(self._view_rows_of(name))
        return self._view_counts[name]

    def _view_rows_of(self, name: str) -> list[int]:
        from paperdesk.query.evaluate import evaluate

        rows = self._view_rows.get(name)
        if rows is None:
            node = self._view_node(name)
            rows = self._view_rows[name] = [] if node is None else evaluate(node, self._facts)
        return rows

    def _view_hits(self, rows: list[int]) -> dict[str, int]:
        """How many of ``rows`` each counted view holds (before a change to those rows)."""
        from paperdesk.query.evaluate import evaluate

        self._check_metadata()
        hits = {}
        for name, count in self._view_counts.items():
            node = self._view_node(name)
            if count is not None and node is not None and rows:
                hits[name] = len(evaluate(node, self._facts, rows))
        return hits

    def _count_views(self, rows: list[int], before: dict[str, int]) -> None:
        from paperdesk.query.evaluate import evaluate

        for name, hits in before.items():
            node = self._view_node(name)
            count = self._view_counts.get(name)
            if node is not None and count is not None:
                self._view_counts[name] = count + len(evaluate(node, self._facts, rows)) - hits

    def _forget_views(self) -> None:
        self._view_nodes.clear()
        self._view_counts.clear()
        self._view_rows.clear()

    def _check_metadata(self) -> None:
        """New arXiv metadata (a settle, an enrich) changes authors and ``has:arxiv``. A poll
        hands over an equal copy every time: that changes nothing (the same entries compare
        by identity, so the check is cheap)."""
        if self.metadata is not self._seen_metadata:
            same = self.metadata == self._seen_metadata
            self._seen_metadata = self.metadata
            if same:
                return
            self._keys = None
            self._last_search = None
            self._view_counts.clear()
            self._view_rows.clear()

    # -- the reading queue -------------------------------------------------------------------

    def queue_rows(self) -> list[int]:
        """Queued rows in reading order: the store's order, then (before the store said, or for
        papers it does not hold yet) the other queued rows in list order."""
        by_id, row_status = self.catalog.by_id, self.row_status
        ordered = [
            row
            for pid in self.queue or ()
            if (row := by_id.get(pid)) is not None and row_status[row] == QUEUED
        ]
        placed = set(ordered)
        rest = [row for row, status in enumerate(row_status) if status == QUEUED]
        return ordered + [row for row in rest if row not in placed]

    def _follow_queue(self, rows: list[int], status: str) -> None:
        if self.queue is None:
            return
        ids = [self.paper_id(row) for row in rows]
        if status == QUEUED:
            present = set(self.queue)
            self.queue.extend(pid for pid in ids if pid not in present)
        else:
            leaving = set(ids)
            self.queue = [pid for pid in self.queue if pid not in leaving]

    def move_in_queue(self, row: int, offset: int) -> tuple[str, str | None, int, int] | None:
        """Move a queued row ``offset`` places (negative: sooner) in the reading order.

        Returns what the store needs to do the same — the paper's id and the id it now comes
        before (None: last) — and its new place and the queue's length; None when the row is
        not queued or cannot move further.
        """
        order = self.queue_rows()
        if row not in order:
            return None
        place = order.index(row)
        target = max(0, min(place + offset, len(order) - 1))
        if target == place:
            return None
        order.insert(target, order.pop(place))
        ids = self.catalog.columns.id
        queued = [ids[r] for r in order]
        others = [pid for pid in self.queue or () if pid not in self.catalog.by_id]
        self.queue = queued + others
        before = queued[target + 1] if target + 1 < len(queued) else None
        return ids[row], before, target, len(queued)

    @property
    def library_total(self) -> int:
        """How many papers All shows."""
        return len(self.rows_for(ALL))

    @staticmethod
    def smart_lists() -> tuple[tuple[str, str], ...]:
        """The Library's smart lists (key, name), in order."""
        return SMART_LISTS

    # -- rows ------------------------------------------------------------------------------

    def rows_for(self, selection: Selection) -> Sequence[int]:
        """Rows of a navigation selection, in list order."""
        catalog = self.catalog
        size = len(catalog)
        kind, key, source = selection.kind, selection.key, selection.source
        if kind == "smart":
            mask = self.in_library
            if key == "all":
                if mask is None:
                    return range(size)
                if self._library_rows is None:  # the mask never changes: made once
                    self._library_rows = [row for row in range(size) if mask[row]]
                return self._library_rows
            if key == QUEUED:
                return self.queue_rows()
            if key == "unread":
                status = self.row_status
                if mask is None:
                    return [row for row in range(size) if status[row] == "unread"]
                return [row for row in range(size) if mask[row] and status[row] == "unread"]
            if key in STATUSES:
                status = self.row_status
                return [row for row in range(size) if status[row] == key]
            if key == "notes":
                by_id = catalog.by_id
                return sorted(by_id[pid] for pid in self.notes if pid in by_id)
            if key == INBOX:
                by_id = catalog.by_id
                return sorted(by_id[pid] for pid in self.inbox if pid in by_id)
            if key == ORPHANS:
                return range(size, size + len(self.orphans))
            return []
        if kind == "view":
            self._check_metadata()
            return self._view_rows_of(key)
        if kind == "source":
            return catalog.source_rows.get(key, [])
        if kind == "day":
            dates = catalog.columns.date
            day = selection.day.isoformat() if selection.day else None
            return [row for row in catalog.source_rows.get(key, []) if dates[row] == day]
        if kind == "venue":
            if source is not None:
                venues = catalog.columns.venue
                return [row for row in catalog.source_rows.get(source, []) if venues[row] == key]
            return self.venue_rows(key)
        if kind == "topic":
            if source is not None:
                return self.source_topic_rows(source, key, selection.venue)
            return self.library_rows(catalog.topic_rows(key, selection.venue))
        return []

    def venue_rows(self, name: str) -> Sequence[int]:
        """A venue's rows as the Library lists it: those All shows."""
        return self.library_rows(self.catalog.venue(name).rows)

    def library_rows(self, rows: Sequence[int]) -> Sequence[int]:
        """``rows`` without the feeds' papers (unless All shows those too)."""
        mask = self.in_library
        return rows if mask is None else [row for row in rows if mask[row]]

    def view(
        self,
        selection: Selection,
        query: str = "",
        status: str | None = None,
        sort: str = "list",
    ) -> list[int]:
        """The rows the paper list shows: selection, then search, status filter and sort.

        ``query`` is the query language; a mistake in it raises QueryError (with its column).
        """
        rows = self.rows_for(selection)
        if query.strip():
            from paperdesk.query.syntax import parse

            rows = self._search(parse(query), rows)
        if status is not None:
            row_status = self.row_status
            rows = [row for row in rows if row_status[row] == status]
        if sort != "list":
            return sorted(rows, key=self._sort_key(sort).__getitem__)
        return list(rows)

    def _search(self, node: Node, rows: Sequence[int]) -> list[int]:
        """Search ``rows``, reusing what the previous keystroke's query found in the same rows:
        the terms the two share, and a word that only grew."""
        from paperdesk.query.evaluate import evaluate_typed

        self._check_metadata()
        if self._keys is None and len(rows) <= FEW_ROWS:  # a view restored at start-up
            from paperdesk.query.evaluate import evaluate

            return evaluate(node, self._few_facts(rows), rows)
        last = self._last_search
        previous = last[1] if last is not None and last[0] == rows else []
        hits, steps = evaluate_typed(node, self._facts, rows, previous)
        self._last_search = (rows, steps)
        return hits

    def search(self, query: str | Node, rows: Sequence[int]) -> list[int]:
        """Rows that the query keeps: words in the key (title, venue, topics, tags, keywords),
        the authors or the note, and the fields (:mod:`paperdesk.query`).

        Each word or field is one list comprehension over plain per-row lists (keys that
        already hold the notes, statuses, folded fields): ~5 ms over 50,000 papers per word,
        where a general per-paper loop takes 50-100 ms — the difference between a live search
        and a laggy one.
        """
        from paperdesk.query.evaluate import evaluate
        from paperdesk.query.syntax import parse

        self._check_metadata()
        few = self._keys is None and len(rows) <= FEW_ROWS
        facts = self._few_facts(rows) if few else self._facts
        return evaluate(parse(query) if isinstance(query, str) else query, facts, rows)

    def _few_facts(self, rows: Sequence[int]) -> _FewFacts:
        notes, paper_id = self.notes, self.paper_id
        return _FewFacts(self, {row: self._key_of(row, notes.get(paper_id(row))) for row in rows})

    def _search_keys(self) -> list[str]:
        from paperdesk.query.index import text_keys

        self._check_metadata()
        if self._keys is None:
            keys = text_keys(self.catalog, self.notes, self._authors())
            notes, paper_id = self.notes, self.paper_id
            keys.extend(
                self._key_of(row, notes.get(paper_id(row)))
                for row in range(len(keys), len(self.row_status))
            )
            self._keys = keys
        return self._keys

    def _authors(self) -> dict[str, list[str]]:
        return {pid: meta.authors for pid, meta in self.metadata.items() if meta.authors}

    def _base_key(self, row: int) -> str:
        if row < len(self.catalog):
            return self.catalog.search_key(row)
        paper = self.paper(row)
        return f"{paper.title}\n{paper.venue or ''}".casefold()

    def _key_of(self, row: int, note: str | None) -> str:
        from paperdesk.query.index import text_key

        meta = self.metadata.get(self.paper_id(row))
        return text_key(self._base_key(row), note, meta.authors if meta else None)

    def _sort_key(self, sort: str) -> list:
        """One sort key per row, built once per sort (status/changed: per change)."""
        keys = self._sort_keys.get(sort)
        if keys is not None:
            return keys
        columns = self.catalog.columns
        orphans = self.orphans
        if sort == "title":
            keys = [title.casefold() for title in columns.title]
            keys += [paper.title.casefold() for paper in orphans]
        elif sort == "venue":
            order = {group.name: rank for rank, group in enumerate(self.catalog.venues)}
            last = len(order)
            keys = [order.get(venue or "", last) for venue in columns.venue]
            keys += [last] * len(orphans)
        elif sort == "status":
            keys = [_STATUS_RANK[status] for status in self.row_status]
        elif sort == "changed":
            states = self.states
            keys = []
            for paper_id in [*columns.id, *(paper.id for paper in orphans)]:
                state = states.get(paper_id)
                keys.append(-state.updated_at.timestamp() if state else 0.0)
        else:
            raise ValueError(f"unknown sort {sort!r}")
        self._sort_keys[sort] = keys
        return keys

    # -- sections, for next/previous unread ------------------------------------------------

    def sections(self, selection: Selection) -> list[Selection]:
        """The Library's places of ``selection``'s kind that ``]``/``[`` walk through, in the
        Library's order: every venue, every venue's topics, every source, or a source's own
        venues, topics or days. A smart list or a saved view has none (it is not a section)."""
        kind, source = selection.kind, selection.source
        if kind == "venue" and source is None:
            return [Selection("venue", g.name, g.name, url=g.url) for g in self.library_venues()]
        if kind == "topic" and source is None:
            return [
                Selection("topic", topic, f"{group.name} · {topic}", venue=group.name)
                for group in self.library_venues()
                for topic in group.topics
            ]
        if kind == "source":
            return [Selection("source", s.name, s.name) for s in self.catalog.sources]
        if kind == "venue" and source is not None:
            return [
                Selection("venue", venue, f"{source} · {venue}", source=source)
                for venue, _ in self.source_venues(source)
            ]
        if kind == "topic" and source is not None:
            venues = [v for v, _ in self.source_venues(source)] if selection.venue else [None]
            return [
                Selection(
                    "topic",
                    topic,
                    " · ".join([source, *([venue] if venue else []), topic or "(no topic)"]),
                    venue=venue,
                    source=source,
                )
                for venue in venues
                for topic, _ in self.source_topics(source, venue)
            ]
        if kind == "day":
            return [
                Selection("day", selection.key, f"{selection.key} · {day}", day=day)
                for day, _ in self.venue_days(selection.key)
            ]
        return []

    def unread_section(
        self,
        selection: Selection,
        step: int,
        query: str = "",
        status: str | None = None,
        sort: str = "list",
    ) -> tuple[Selection, list[int], int] | None:
        """The next (``step`` 1) or previous (-1) section after ``selection`` whose view
        (search, status filter and sort as given) holds an unread paper: the section, its rows
        and the index of its first unread paper (its last, going back). None when no section
        further on has one. Sections are looked at one by one and the walk stops at the first
        hit, so a step costs the papers of the sections it passes over."""
        places = self.sections(selection)
        here = next((i for i, place in enumerate(places) if same_place(place, selection)), None)
        if here is None:
            return None
        index = here + step
        while 0 <= index < len(places):
            rows = self.view(places[index], query, status, sort)
            found = next_unread(rows, self.row_status, -1 if step > 0 else len(rows), step)
            if found is not None:
                return places[index], rows, found
            index += step
        return None

    # -- a source in its own structure -----------------------------------------------------

    def structure(self, source: str) -> str:
        """How a source is browsed: ``days`` (a dated feed), ``venues`` (a venue-first list:
        venue, then topic) or ``topics`` (a topic-first list: its own headings)."""
        found = self._structures.get(source)
        if found is None:
            rows = self.catalog.source_rows.get(source, ())
            columns = self.catalog.columns
            dated = sum(1 for row in rows if columns.date[row])
            placed = sum(1 for row in rows if columns.venue[row])
            kind = next((s.kind for s in self.catalog.sources if s.name == source), "list")
            if is_feed(kind) and dated * 2 > len(rows):
                found = "days"
            elif placed * 2 > len(rows):
                found = "venues"
            else:
                found = "topics"
            self._structures[source] = found
        return found

    def source_venues(self, source: str) -> list[tuple[str, list[int]]]:
        """A source's venues in the catalog's venue order (newest first), with their rows."""
        venues = self.catalog.columns.venue
        rows: dict[str, list[int]] = {}
        for row in self.catalog.source_rows.get(source, ()):
            venue = venues[row]
            if venue:
                rows.setdefault(venue, []).append(row)
        order = {group.name: rank for rank, group in enumerate(self.catalog.venues)}
        return sorted(rows.items(), key=lambda item: order.get(item[0], len(order)))

    def source_topics(self, source: str, venue: str | None = None) -> list[tuple[str, list[int]]]:
        """A source's topics in its own order (within ``venue``), with their rows; papers
        with no topic last, under an empty name."""
        columns = self.catalog.columns
        topics: dict[str, list[int]] = {}
        loose: list[int] = []
        for row in self.catalog.source_rows.get(source, ()):
            if venue is not None and columns.venue[row] != venue:
                continue
            paper_topics = columns.topics[row]
            for topic in dict.fromkeys(paper_topics):
                topics.setdefault(topic, []).append(row)
            if not paper_topics:
                loose.append(row)
        found = list(topics.items())
        if loose and found:
            found.append(("", loose))
        return found

    def source_topic_rows(self, source: str, topic: str, venue: str | None = None) -> list[int]:
        return dict(self.source_topics(source, venue)).get(topic, [])

    def library_venues(self) -> list[VenueGroup]:
        """The venues the Library lists: those with a paper All shows."""
        mask = self.in_library
        venues = self.catalog.venues
        if mask is None:
            return venues
        return [group for group in venues if any(mask[row] for row in group.rows)]

    def venue_days(self, source: str) -> list[tuple[dt.date, int]]:
        """Dates of a dated feed (newest first) with their paper counts."""
        dates = self.catalog.columns.date
        days = Counter(dates[row] for row in self.catalog.source_rows.get(source, ()) if dates[row])
        return sorted(((dt.date.fromisoformat(day), n) for day, n in days.items()), reverse=True)

    def read_count(self, rows: Iterable[int]) -> int:
        status = self.row_status
        return sum(1 for row in rows if status[row] == "read")

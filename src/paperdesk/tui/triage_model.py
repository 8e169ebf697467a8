"""Triage of one venue, kept in memory: its papers in venue order, a word filter, the cursor.

Triage keeps no state of its own (:mod:`paperdesk.state.triage`): a paper is triaged once it
has any status but ``unread``, so this model reads the statuses the desk shows through
``status_of`` and never copies them; a mark, an undo or another machine's change is seen at
the next look. What it adds is where the user is — the cursor, which the desk keeps per venue
between runs (:class:`TriagePositions`) so that triage resumes where it was left.

No Textual here: the screen (:mod:`paperdesk.tui.screens.triage`) is a thin layer over it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from paperdesk.state.triage import TriageCount, count, is_triaged

if TYPE_CHECKING:
    from paperdesk.catalog.merged import Catalog

#: The store setting that holds where triage was left, per venue (JSON: venue -> paper id).
TRIAGE_SETTING = "desk.triage"


@dataclass(frozen=True)
class TriageTarget:
    """What triage goes through: a venue's name and its rows, in the venue's own order;
    ``fetched`` when they are the venue's whole accepted list (a ``venue`` source), not the
    few papers of it that the lists hold."""

    name: str
    rows: tuple[int, ...]
    fetched: bool = False


def _words(name: str) -> str:
    """A name as venues are matched: case, punctuation and spacing aside (``NSDI-2025`` is
    ``NSDI 2025``)."""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in name.casefold()).split())


def fetched_venues(catalog: Catalog) -> dict[str, str]:
    """The venues fetched for triage: source name (sources of kind ``venue``) -> the venue its
    papers are at (the most common one; the source's name if none has one)."""
    venues = catalog.columns.venue
    found = {}
    for source in catalog.sources:
        if source.kind == "venue":
            named = Counter(venues[row] for row in catalog.source_rows.get(source.name, ()))
            named.pop(None, None)
            found[source.name] = named.most_common(1)[0][0] if named else source.name
    return found


def venue_target(catalog: Catalog, name: str) -> TriageTarget | None:
    """The papers to triage for venue ``name`` (or a fetched venue's source name): a fetched
    venue in its table-of-contents order, else the venue as the lists hold it; None when
    neither exists.

    A fetched venue's rows are its source's own, so a paper another source placed first (a
    preprint in the daily feed, the same id) is in it whatever venue the catalog files it under.
    """
    wanted = _words(name)
    for source, venue in fetched_venues(catalog).items():
        if wanted in (_words(venue), _words(source)):
            return TriageTarget(venue, tuple(catalog.source_rows.get(source, ())), fetched=True)
    for group in catalog.venues:
        if _words(group.name) == wanted:
            return TriageTarget(group.name, tuple(group.rows))
    return None


def todo_venue_names(todo: str) -> list[str]:
    """The venue names a TODO conference may be fetched under, most specific first:
    ``EuroSys'25 Spring`` -> ``EuroSys 2025 Spring``, ``EuroSys 2025``; ``NSDI'25`` ->
    ``NSDI 2025`` (the importer's normalisation of venue spellings)."""
    from paperdesk.catalog.importers.venues import VenueNames  # not needed for a first frame

    names = VenueNames()
    venue = names.parse_short(todo.strip()) or names.loose(todo)
    if venue is None:
        return [" ".join(todo.split())]
    return list(dict.fromkeys([venue.label, venue.name]))


def todo_target(catalog: Catalog, todo: str) -> TriageTarget | None:
    """The venue a TODO conference names, when it is in the catalog."""
    for name in todo_venue_names(todo):
        target = venue_target(catalog, name)
        if target is not None:
            return target
    return None


def todo_of_venue(todos: Iterable[str], venue: str) -> str | None:
    """The TODO conference (by name) that names ``venue``, if one does."""
    wanted = _words(venue)
    for todo in todos:
        if any(_words(name) == wanted for name in todo_venue_names(todo)):
            return todo
    return None


@dataclass
class TriagePositions:
    """Where triage of each venue was left: the paper under the cursor, by venue."""

    papers: dict[str, str] = field(default_factory=dict)
    #: Changed since the last :meth:`dumps` (the desk writes the setting only then).
    dirty: bool = False

    def get(self, venue: str) -> str | None:
        return self.papers.get(venue.casefold())

    def put(self, venue: str, paper_id: str) -> None:
        key = venue.casefold()
        if self.papers.get(key) != paper_id:
            self.papers[key] = paper_id
            self.dirty = True

    def dumps(self) -> str:
        self.dirty = False
        return json.dumps(self.papers, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def loads(cls, text: str | None) -> TriagePositions:
        """The positions in ``text``; anything unreadable is no position (triage then starts
        at the first untriaged paper)."""
        try:
            record = json.loads(text) if text else {}
        except ValueError:
            record = {}
        if not isinstance(record, dict):
            record = {}
        return cls({k: v for k, v in record.items() if isinstance(k, str) and isinstance(v, str)})


class TriageModel:
    """A venue's papers one at a time: the shown rows (all, or those a filter keeps), the
    cursor among them, and the moves the triage keys make."""

    def __init__(
        self,
        target: TriageTarget,
        status_of: Callable[[int], str],
        paper_id: Callable[[int], str],
        search: Callable[[str, Sequence[int]], Sequence[int]],
    ) -> None:
        """``status_of`` and ``paper_id`` read a row's status and id as the desk shows them;
        ``search`` keeps the rows a filter text matches (the desk's query language, which
        raises QueryError for a mistake)."""
        self.name = target.name
        self.all_rows: tuple[int, ...] = target.rows
        self.rows: Sequence[int] = target.rows
        self.filter = ""
        self.cursor = 0
        self._status_of = status_of
        self._paper_id = paper_id
        self._search = search

    def carry_on(self, old: TriageModel) -> None:
        """Go on with ``old``, the same venue's triage on the catalog before a sync or a fetch
        rebuilt it (rows are numbered anew): the cursor stays on its paper by id, and the
        filter applies to the new rows. With that paper gone, triage starts over as a resume
        does, at the first untriaged paper."""
        current = old.current_id
        if current is None or not self.go_to_id(current):
            self.resume(None)
        if old.filter:
            self.set_filter(old.filter)

    def go_to_id(self, paper_id: str) -> bool:
        """Put the cursor on the paper ``paper_id`` if the shown rows hold it."""
        for index, row in enumerate(self.rows):
            if self._paper_id(row) == paper_id:
                self.cursor = index
                return True
        return False

    # -- where the cursor is -----------------------------------------------------------------

    @property
    def current(self) -> int | None:
        """The catalog row of the paper shown (None: the filter keeps none)."""
        return self.rows[self.cursor] if self.rows else None

    @property
    def current_id(self) -> str | None:
        row = self.current
        return None if row is None else self._paper_id(row)

    def triaged(self, row: int) -> bool:
        return is_triaged(self._status_of(row))

    def move(self, offset: int) -> bool:
        """Move by ``offset`` papers (stopping at either end); whether the cursor moved."""
        if not self.rows:
            return False
        target = max(0, min(self.cursor + offset, len(self.rows) - 1))
        moved = target != self.cursor
        self.cursor = target
        return moved

    def go_to(self, row: int) -> bool:
        """Put the cursor on catalog ``row`` if the shown rows hold it."""
        try:
            self.cursor = list(self.rows).index(row)
        except ValueError:
            return False
        return True

    def next_untriaged(self, *, forward: bool = True, include_current: bool = False) -> bool:
        """Move to the nearest untriaged paper after (or before) the cursor, wrapping around
        the venue; whether there is one."""
        size = len(self.rows)
        if not size:
            return False
        step = 1 if forward else -1
        start = 0 if include_current else 1
        for offset in range(start, size + (1 if include_current else 0)):
            index = (self.cursor + step * offset) % size
            if not self.triaged(self.rows[index]):
                self.cursor = index
                return True
        return False

    def resume(self, paper_id: str | None) -> None:
        """Where reopening triage lands: the first untriaged paper at or after ``paper_id``
        (the paper it was left on), else the first untriaged one; with none, ``paper_id``."""
        self.cursor = 0
        if paper_id is not None:
            self.go_to_id(paper_id)
        self.next_untriaged(include_current=True)

    # -- the filter --------------------------------------------------------------------------

    def set_filter(self, text: str) -> None:
        """Show only the papers the filter ``text`` keeps (words: ``kv cache``), in venue
        order, staying on the current paper if they hold it, else on their first untriaged
        one. A mistake in the text raises QueryError and changes nothing."""
        text = text.strip()
        rows = self.all_rows
        if text:
            kept = set(self._search(text, self.all_rows))
            rows = tuple(row for row in self.all_rows if row in kept)
        current = self.current
        self.filter = text
        self.rows = rows
        if current is None or not self.go_to(current):
            self.cursor = 0
            self.next_untriaged(include_current=True)

    # -- progress ----------------------------------------------------------------------------

    def progress(self) -> TriageCount:
        """The whole venue's progress (``37/312 triaged · 21 picked``)."""
        status_of = self._status_of
        return count(status_of(row) for row in self.all_rows)

    def shown_progress(self) -> TriageCount:
        """The progress of what the filter keeps."""
        status_of = self._status_of
        return count(status_of(row) for row in self.rows)

"""Evaluating a query: the rows of a catalog it keeps, in the order they were given.

Each term narrows a list of candidate rows with one list comprehension over plain per-row lists
(the catalog's prepared columns, :mod:`.index`, and the reading state the caller supplies as
:class:`Facts`), so the work grows with the candidates, never with their square: ``a b`` tests
``b`` only on the rows ``a`` kept, and a query over the rows a mark changed costs microseconds
(the desk keeps its saved views' counts up to date that way).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from paperdesk.query.index import CatalogIndex, index_of, text_keys
from paperdesk.query.syntax import (
    And,
    FieldText,
    Has,
    New,
    Node,
    Not,
    Or,
    Status,
    Text,
    Year,
)

if TYPE_CHECKING:
    from paperdesk.catalog.merged import Catalog
    from paperdesk.catalog.models import ArxivMetadata


class Facts(Protocol):
    """What a query reads besides the catalog's columns: reading state, arXiv metadata and the
    last sync, each asked for only by the terms that need it."""

    @property
    def catalog(self) -> Catalog: ...

    def statuses(self) -> Sequence[str]:
        """The reading status of every catalog row."""
        ...

    def text_keys(self) -> Sequence[str]:
        """Per catalog row, the folded text bare words search (:func:`.index.text_keys`)."""
        ...

    def note_ids(self) -> Collection[str]:
        """Ids of the papers that have a note."""
        ...

    def arxiv_ids(self) -> Collection[str]:
        """Ids of the papers ``enrich`` found on arXiv."""
        ...

    def new_ids(self) -> Collection[str]:
        """Ids of the papers ``new:`` means: those the last sync brought."""
        ...


class Reading(Protocol):
    """A paper's state as the store holds it (a ``PaperState`` or a ``StateView``)."""

    @property
    def status(self) -> str: ...

    @property
    def note(self) -> str | None: ...


class StateFacts:
    """:class:`Facts` from the store's states by paper id, for the command line and exports.

    ``metadata`` and ``new_ids`` are called only when a query needs them: reading the arXiv
    cache or the last sync costs the commands that never ask nothing.
    """

    def __init__(
        self,
        catalog: Catalog,
        states: Mapping[str, Reading],
        *,
        metadata: Callable[[], Mapping[str, ArxivMetadata]] = dict,
        new_ids: Callable[[], Collection[str]] = frozenset,
    ) -> None:
        self.catalog = catalog
        self._states = states
        self._metadata = metadata
        self._new_ids = new_ids

    def statuses(self) -> Sequence[str]:
        return self._statuses

    @cached_property
    def _statuses(self) -> list[str]:
        states = self._states
        result = []
        for paper_id in self.catalog.columns.id:
            state = states.get(paper_id)
            result.append(state.status if state is not None else "unread")
        return result

    @cached_property
    def _notes(self) -> dict[str, str]:
        return {pid: state.note for pid, state in self._states.items() if state.note}

    @cached_property
    def _arxiv(self) -> Mapping[str, ArxivMetadata]:
        return self._metadata()

    def text_keys(self) -> Sequence[str]:
        return self._keys

    @cached_property
    def _keys(self) -> list[str]:
        authors = {pid: meta.authors for pid, meta in self._arxiv.items() if meta.authors}
        return text_keys(self.catalog, self._notes, authors)

    def note_ids(self) -> Collection[str]:
        return self._notes.keys()

    def arxiv_ids(self) -> Collection[str]:
        return self._arxiv.keys()

    def new_ids(self) -> Collection[str]:
        return self._new

    @cached_property
    def _new(self) -> Collection[str]:
        return self._new_ids()


def evaluate(node: Node, facts: Facts, rows: Sequence[int] | None = None) -> list[int]:
    """The rows of ``rows`` (default: every row, in catalog order) that ``node`` keeps."""
    candidates = range(len(facts.catalog)) if rows is None else rows
    return _Evaluation(facts).rows(node, candidates)


class _Evaluation:
    """One evaluation: looks up each thing the terms need at most once."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.index: CatalogIndex = index_of(facts.catalog)

    def rows(self, node: Node, rows: Sequence[int]) -> list[int]:
        if isinstance(node, And):
            kept = list(rows)
            for term in node.terms:
                if not kept:
                    break
                kept = self.rows(term, kept)
            return kept
        if isinstance(node, Text):
            keys, text = self.facts.text_keys(), node.text
            return [row for row in rows if text in keys[row]]
        if isinstance(node, Not):
            if isinstance(node.term, Text):
                keys, text = self.facts.text_keys(), node.term.text
                return [row for row in rows if text not in keys[row]]
            dropped = set(self.rows(node.term, rows))
            return [row for row in rows if row not in dropped]
        if isinstance(node, Or):
            hits: set[int] = set()
            for term in node.terms:
                hits.update(self.rows(term, rows))
            return [row for row in rows if row in hits]
        if isinstance(node, Status):
            statuses, status = self.facts.statuses(), node.status
            return [row for row in rows if statuses[row] == status]
        if isinstance(node, Year):
            return self.years(node, rows)
        if isinstance(node, FieldText):
            return self.field_text(node, rows)
        within = self.row_set(node)
        return [row for row in rows if row in within]

    def years(self, node: Year, rows: Sequence[int]) -> list[int]:
        years = self.facts.catalog.columns.year
        low = node.low if node.low is not None else -1
        high = node.high if node.high is not None else 10_000
        distinct = self.index.distinct["year"]
        wanted = {year for year in distinct if year is not None and low <= year <= high}
        return [row for row in rows if years[row] in wanted]

    def field_text(self, node: FieldText, rows: Sequence[int]) -> list[int]:
        text = node.text
        if node.field == "source":
            within: set[int] = set()
            for name, source_rows in self.index.sources.items():
                if text in name:
                    within.update(source_rows)
            return [row for row in rows if row in within]
        values = {"venue": self.index.venues, "tag": self.index.tags, "topic": self.index.topics}
        column = values[node.field]
        wanted = {value for value in self.index.distinct[node.field] if text in value}
        return [row for row in rows if column[row] in wanted]

    def row_set(self, node: Has | New) -> Collection[int]:
        """The rows a ``has:`` or ``new:`` term keeps, as a set."""
        by_id = self.facts.catalog.by_id
        if isinstance(node, New):
            ids = self.facts.new_ids()
        elif node.what == "code":
            return self.index.code_rows
        elif node.what == "note":
            ids = self.facts.note_ids()
        else:
            enriched = {by_id[pid] for pid in self.facts.arxiv_ids() if pid in by_id}
            return self.index.arxiv_rows | enriched
        return {by_id[pid] for pid in ids if pid in by_id}

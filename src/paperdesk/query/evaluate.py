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


#: Terms answered from the catalog's index (or a set of rows) rather than a pass over the text.
_INDEXED = (FieldText, Year, Has, New)


#: What evaluating a query term by term left: each term with the rows kept up to it.
Steps = list[tuple[Node, list[int]]]


def evaluate_typed(
    node: Node, facts: Facts, rows: Sequence[int], previous: Steps
) -> tuple[list[int], Steps]:
    """:func:`evaluate` for a query typed key by key, with its steps for the next key.

    ``previous`` are the steps of the last query over the same ``rows`` and unchanged facts.
    The terms at the start that the two share are not evaluated again, and a word or a field
    value that only grew (``ca`` -> ``cache``, ``venue:os`` -> ``venue:osdi``) only narrows
    what it kept before: a keystroke then tests one term on the rows the others kept.
    """
    terms = node.terms if isinstance(node, And) else (node,)
    kept: Sequence[int] = rows
    steps: Steps = []
    shared = True
    for place, term in enumerate(terms):
        before = previous[place] if shared and place < len(previous) else None
        if before is not None and before[0] == term:
            result = before[1]
        else:
            shared = False
            start = before[1] if before is not None and _narrows(before[0], term) else kept
            result = evaluate(term, facts, start)
        steps.append((term, result))
        kept = result
    return list(kept), steps


def _narrows(old: Node, new: Node) -> bool:
    """Whether every row ``new`` keeps is one ``old`` keeps, by their text alone."""
    if isinstance(old, Text) and isinstance(new, Text):
        return old.text in new.text
    if isinstance(old, FieldText) and isinstance(new, FieldText):
        return old.field == new.field and old.text in new.text
    return False


class _Evaluation:
    """One evaluation: looks up each thing the terms need at most once.

    Over every row of the catalog, ``a b c`` starts from the most selective indexed term's own
    rows (its index postings, sorted) and tests the others on those alone; anything else is
    one pass over the candidates per term.
    """

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.index: CatalogIndex = index_of(facts.catalog)
        self._sets: dict[Node, Collection[int]] = {}
        self._wanted: dict[Node, frozenset[object]] = {}

    def whole(self, rows: Sequence[int]) -> bool:
        return isinstance(rows, range) and rows == range(len(self.facts.catalog))

    def rows(self, node: Node, rows: Sequence[int]) -> list[int]:
        if isinstance(node, And):
            return self.all_of(node.terms, rows)
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
        if self.whole(rows) and 2 * self.estimate(node) < len(rows):
            return self.own_rows(node)
        return self.kept(node, rows)

    def all_of(self, terms: tuple[Node, ...], rows: Sequence[int]) -> list[int]:
        rest = list(terms)
        kept: Sequence[int] = rows
        if self.whole(rows):
            indexed = [term for term in rest if isinstance(term, _INDEXED)]
            if indexed:
                first = min(indexed, key=self.estimate)
                if 2 * self.estimate(first) < len(rows):
                    kept = self.own_rows(first)
                    rest.remove(first)
        result = list(kept)
        for term in rest:
            if not result:
                break
            result = self.rows(term, result)
        return result

    # -- indexed terms -------------------------------------------------------------------------

    def wanted(self, node: FieldText | Year) -> frozenset[object]:
        """The distinct values of the term's column that it accepts."""
        found = self._wanted.get(node)
        if found is None:
            values = self.index.postings(node.field if isinstance(node, FieldText) else "year")
            if isinstance(node, Year):
                low = node.low if node.low is not None else -1
                high = node.high if node.high is not None else 10_000
                found = frozenset(y for y in values if isinstance(y, int) and low <= y <= high)
            else:
                text = node.text
                found = frozenset(v for v in values if isinstance(v, str) and text in v)
            self._wanted[node] = found
        return found

    def by_column(self, node: Node) -> bool:
        return isinstance(node, Year) or (isinstance(node, FieldText) and node.field != "source")

    def estimate(self, node: Node) -> int:
        """How many rows an indexed term keeps (exactly: the sizes of what it accepts)."""
        if self.by_column(node):
            assert isinstance(node, FieldText | Year)
            field = node.field if isinstance(node, FieldText) else "year"
            postings = self.index.postings(field)
            return sum(len(postings[value]) for value in self.wanted(node))
        assert isinstance(node, FieldText | Has | New)
        return len(self.row_set(node))

    def own_rows(self, node: Node) -> list[int]:
        """Every row an indexed term keeps, in row order, without looking at the others."""
        if self.by_column(node):
            assert isinstance(node, FieldText | Year)
            field = node.field if isinstance(node, FieldText) else "year"
            postings = self.index.postings(field)
            return sorted(row for value in self.wanted(node) for row in postings[value])
        assert isinstance(node, FieldText | Has | New)
        return sorted(self.row_set(node))

    def kept(self, node: Node, rows: Sequence[int]) -> list[int]:
        """The rows of ``rows`` an indexed term keeps, one test per row."""
        if self.by_column(node):
            assert isinstance(node, FieldText | Year)
            column = self.index.column(node.field if isinstance(node, FieldText) else "year")
            wanted, size = self.wanted(node), len(column)
            # rows past the catalog (the desk's orphans) have no fields: a field term drops them
            return [row for row in rows if row < size and column[row] in wanted]
        assert isinstance(node, FieldText | Has | New)
        within = self.row_set(node)
        return [row for row in rows if row in within]

    def row_set(self, node: FieldText | Has | New) -> Collection[int]:
        """The rows a ``source:``, ``has:`` or ``new:`` term keeps, as a set."""
        found = self._sets.get(node)
        if found is None:
            found = self._sets[node] = self._row_set(node)
        return found

    def _row_set(self, node: FieldText | Has | New) -> Collection[int]:
        by_id = self.facts.catalog.by_id
        if isinstance(node, FieldText):
            within: set[int] = set()
            for name, source_rows in self.index.sources.items():
                if node.text in name:
                    within.update(source_rows)
            return within
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

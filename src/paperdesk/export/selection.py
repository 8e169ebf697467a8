"""The papers an export writes: the same filters as ``paperdesk list``, with their state.

Every format is a pure function of a :class:`Selection`, so the CLI, the desk's export form and
the tests produce byte-identical output.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from paperdesk.catalog.models import ArxivMetadata, DblpMetadata, TodoItem
from paperdesk.catalog.records import Paper, Venue, Website, parse_status
from paperdesk.query import evaluate, parse
from paperdesk.state.models import PaperState

if TYPE_CHECKING:
    from paperdesk.workspace import Workspace


@dataclass
class Selection:
    """The papers an export writes, with everything around them the formats need."""

    papers: list[Paper]
    states: Mapping[str, PaperState]
    title: str | None
    venues: list[Venue]
    websites: list[Website]
    todos: list[TodoItem]
    filters: dict[str, str]
    #: What ``venue fetch`` learnt from DBLP about these papers (DOI, pages, authors).
    dblp: Mapping[str, DblpMetadata] = field(default_factory=dict)


def select(
    workspace: Workspace,
    *,
    venue: str | None = None,
    topic: str | None = None,
    status: str | None = None,
    query: str | None = None,
    new_ids: Callable[[], Collection[str]] = frozenset,
    ids: Sequence[str] | None = None,
) -> Selection:
    """The papers ``paperdesk list`` would show for these filters, in catalog order; or the
    papers ``ids`` names, in that order (the desk's current view; ids no list holds now are
    left out).

    ``query`` is checked before anything is read (a QueryError names the column of the
    mistake); ``new_ids`` are the papers its ``new:`` means."""
    node = parse(query) if query is not None else None
    if status is not None:
        parse_status(status)
    catalog = workspace.catalog
    states = workspace.store.states()
    if ids is not None:
        papers = [paper for paper_id in ids if (paper := catalog.get(paper_id)) is not None]
    else:
        rows = catalog.rows_of(venue=venue, topic=topic)
        if node is not None:
            rows = evaluate(node, workspace.query_facts(new_ids), rows)
        papers = [catalog.paper(row) for row in rows]
    if status:
        papers = [
            p for p in papers if (states[p.id].status if p.id in states else "unread") == status
        ]
    given = [("venue", venue), ("topic", topic), ("status", status), ("query", query)]
    filters = {k: v for k, v in given if v}
    if ids is not None:
        filters["view"] = "the desk's view"
    names = {p.venue for p in papers if p.venue}
    venues = [
        Venue(name=group.name, label=group.label, url=group.url, year=group.year)
        for group in catalog.venues
        if group.name in names
    ]
    whole = not filters
    return Selection(
        papers=papers,
        states=states,
        title=next((s.title for s in catalog.sources if s.title and s.kind != "venue"), None),
        venues=venues,
        websites=catalog.websites if whole else [],
        todos=workspace.todos() if whole else [],
        filters=filters,
        dblp=workspace.dblp_metadata(papers),
    )


def arxiv_metadata(workspace: Workspace, papers: Sequence[Paper]) -> Mapping[str, ArxivMetadata]:
    """What ``enrich`` cached for these papers (for BibTeX, CSV and JSON); nothing if never run."""
    from paperdesk.catalog.metadata import MetadataCache

    cached = MetadataCache(workspace.locations).all()
    return {paper.id: cached[paper.id] for paper in papers if paper.id in cached}

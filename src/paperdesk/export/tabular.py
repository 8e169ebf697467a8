"""The tabular exports: CSV for spreadsheets, JSON as a catalog file with reading state.

The JSON export is a valid catalog file (``list --catalog`` reads it back) extended with each
paper's status, note and history and what enrichment fetched (authors, abstract, published
date, categories) and what ``venue fetch`` learnt from DBLP (DOI, pages):
:data:`~paperdesk.catalog.fetched.FETCHED_FIELDS`, as ``show --json`` has
them); the CSV export has a column for each of those too. Every CSV cell is
:func:`~paperdesk.inert.csv_cell`: a title that starts with ``=`` shows as text in a
spreadsheet instead of running.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

from pydantic import Field

from paperdesk.catalog.arxiv_ids import arxiv_id_of_paper
from paperdesk.catalog.fetched import FETCHED_FIELDS, fetched_fields
from paperdesk.catalog.models import ArxivMetadata, CatalogFile, DblpMetadata, plain_todo
from paperdesk.catalog.records import Paper, Status
from paperdesk.export.bibtex import year_of
from paperdesk.inert import csv_cell
from paperdesk.state.models import PaperState, StatusChange

if TYPE_CHECKING:
    from paperdesk.export.selection import Selection


CSV_COLUMNS = (
    "id",
    "title",
    "venue",
    "year",
    "topics",
    "tags",
    "status",
    "note",
    "url",
    "arxiv_id",
    "last_changed",
    *FETCHED_FIELDS,
)
LIST_SEPARATOR = "; "
EXPORT_SOURCE = "export"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportedPaper(Paper):
    """A paper with its reading state and fetched metadata, as the JSON export writes it."""

    status: Status = "unread"
    note: str | None = None
    history: list[StatusChange] = field(default_factory=list)
    last_changed: dt.datetime | None = None
    abstract: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # an ISO date, as show --json prints it
    categories: list[str] = field(default_factory=list)
    doi: str | None = None
    pages: str | None = None


class ExportFile(CatalogFile):
    """The JSON export: a valid catalog file (``list --catalog`` reads it) plus reading state."""

    papers: list[ExportedPaper] = Field(default_factory=list)  # type: ignore[assignment]
    exported_at: dt.datetime
    filters: dict[str, str] = Field(default_factory=dict)


def exported_paper(
    paper: Paper,
    state: PaperState | None,
    meta: ArxivMetadata | None = None,
    dblp: DblpMetadata | None = None,
) -> ExportedPaper:
    """A paper with its state and fetched metadata; one never marked is ``unread``."""
    record = {f.name: getattr(paper, f.name) for f in fields(paper)}
    record.update(fetched_fields(paper, meta, dblp))
    if state is None:
        return ExportedPaper(**record)
    return ExportedPaper(
        **record,
        status=state.status,
        note=state.note,
        history=list(state.history),
        last_changed=state.updated_at,
    )


def _cell(value: object) -> str:
    """A CSV cell: lists joined with ``"; "``, nothing for None."""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(map(str, value))
    return "" if value is None else str(value)


class _InertCells:
    """A csv writer whose every cell goes through :func:`~paperdesk.inert.csv_cell`."""

    def __init__(self, buffer: io.StringIO) -> None:
        self._writer = csv.writer(buffer, lineterminator="\n")

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([csv_cell(str(cell)) for cell in row])


def write_csv(
    papers: Sequence[Paper],
    states: Mapping[str, PaperState],
    metadata: Mapping[str, ArxivMetadata] | None = None,
    dblp: Mapping[str, DblpMetadata] | None = None,
) -> str:
    """One row a paper; lists joined with ``"; "``; the csv module quotes notes and newlines."""
    metadata = metadata or {}
    dblp = dblp or {}
    buffer = io.StringIO()
    writer = _InertCells(buffer)
    writer.writerow(CSV_COLUMNS)
    for paper in papers:
        state = states.get(paper.id)
        fetched = fetched_fields(paper, metadata.get(paper.id), dblp.get(paper.id))
        writer.writerow(
            [
                paper.id,
                paper.title,
                paper.venue or "",
                year_of(paper) or "",
                LIST_SEPARATOR.join(paper.topics),
                LIST_SEPARATOR.join(paper.tags),
                state.status if state else "unread",
                (state.note or "") if state else "",
                paper.url or "",
                arxiv_id_of_paper(paper) or fetched["arxiv_id"] or "",
                state.updated_at.isoformat() if state else "",
                *(_cell(fetched[name]) for name in FETCHED_FIELDS),
            ]
        )
    return buffer.getvalue()


def write_json(selection: Selection, metadata: Mapping[str, ArxivMetadata] | None = None) -> str:
    """The models' dump: papers with status, note, history and fetched metadata, plus venues,
    sites and TODOs."""
    metadata = metadata or {}
    export = ExportFile(
        source=EXPORT_SOURCE,
        title=selection.title,
        papers=[
            exported_paper(
                p, selection.states.get(p.id), metadata.get(p.id), selection.dblp.get(p.id)
            )
            for p in selection.papers
        ],
        venues=selection.venues,
        websites=selection.websites,
        todos=[plain_todo(item) for item in selection.todos],
        exported_at=dt.datetime.now(dt.UTC),
        filters=selection.filters,
    )
    return export.model_dump_json(indent=2) + "\n"

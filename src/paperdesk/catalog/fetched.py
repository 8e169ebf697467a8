"""What fetched metadata adds to a paper's record, in one place for every output.

``show --json``, ``list --fields`` and the JSON and CSV exports all take these fields from
:func:`fetched_fields`, so a new source is added here once: a name in :data:`FETCHED_FIELDS`
and where its value comes from (the JSON export's ``ExportedPaper`` declares the same names; a
test keeps them equal). arXiv (``enrich``) gives the abstract, date and categories; DBLP
(``venue fetch``) the DOI and pages; authors come from arXiv when it has them, else from DBLP.
No pydantic here: ``show`` builds a record on every call and must stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from paperdesk.catalog.models import ArxivMetadata, DblpMetadata
    from paperdesk.catalog.records import Paper

#: The fields fetching adds to a paper, in output order (``arxiv_id`` is the paper's own field,
#: which enrichment may fill in).
FETCHED_FIELDS: tuple[str, ...] = (
    "abstract",
    "authors",
    "published",
    "categories",
    "doi",
    "pages",
)


def fetched_fields(
    paper: Paper, meta: ArxivMetadata | None, dblp: DblpMetadata | None = None
) -> dict[str, Any]:
    """``arxiv_id`` and :data:`FETCHED_FIELDS` of ``paper`` as JSON values: lists of names and
    categories, an ISO date; None and empty lists for what was never fetched."""
    record: dict[str, Any] = {
        "arxiv_id": paper.arxiv_id,
        "abstract": None,
        "authors": [],
        "published": None,
        "categories": [],
        "doi": dblp.doi if dblp is not None else None,
        "pages": dblp.pages if dblp is not None else None,
    }
    if meta is not None:
        record.update(
            arxiv_id=paper.arxiv_id or meta.arxiv_id,
            abstract=meta.abstract,
            authors=list(meta.authors),
            published=meta.published.isoformat() if meta.published else None,
            categories=list(meta.categories),
        )
    if not record["authors"] and dblp is not None:
        record["authors"] = list(dblp.authors)
    return record

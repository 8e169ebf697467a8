"""arXiv identifiers: one rule, shared by the importer, enrichment and the BibTeX writer."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperdesk.catalog.records import Paper

_IN_URL = re.compile(
    r"arxiv\.org/(?:abs|pdf|html|format)/"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Za-z]{2})?/\d{7})(?:v\d+)?",
    re.IGNORECASE,
)
_ID = re.compile(r"\d{4}\.\d{4,5}|[a-z][a-z.\-]*/\d{7}", re.IGNORECASE)
_VERSION = re.compile(r"v\d+$")


def arxiv_id_in_url(url: str | None) -> str | None:
    """The id in an abs/pdf/html URL, versionless (``2401.14351``).

    The last one wins: in the broken nested form ``[a](b)`` the real target comes last.
    """
    if not url or "arxiv" not in url.lower():
        return None
    found = [match["id"] for match in _IN_URL.finditer(url)]
    return found[-1] if found else None


def normalise_arxiv_id(text: str | None) -> str | None:
    """``arXiv:2401.14351v2`` -> ``2401.14351``; None for anything that is not an arXiv id."""
    if not text:
        return None
    value = _VERSION.sub("", text.strip().removeprefix("arXiv:").removeprefix("arxiv:"))
    return value if _ID.fullmatch(value) else None


def arxiv_id_of_paper(paper: Paper) -> str | None:
    """The paper's own arXiv id, else one found in its URL or links."""
    own = normalise_arxiv_id(paper.arxiv_id)
    if own:
        return own
    urls = [paper.url, *(link.url for link in paper.links)]
    return next((found for url in urls if (found := arxiv_id_in_url(url))), None)

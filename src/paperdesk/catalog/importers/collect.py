"""Papers as they are found, merged by id: a paper listed twice is one paper.

Lists repeat papers (under a second topic, in a "RAG" section with a prefix); reading state is
keyed by id, so the repeats must become one entry that keeps the first position and gathers
every topic, link, tag and keyword. An explicit ``(NSDI'24)`` prefix is better evidence of the
venue than the section a line happens to sit in, so it wins over an inherited venue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import TypeAdapter

from paperdesk.catalog.arxiv_ids import arxiv_id_in_url
from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.records import Paper

from .inline import primary_url

BATCH = 2000


@cache
def _paper_list() -> TypeAdapter[list[Paper]]:
    return TypeAdapter(list[Paper])


@dataclass(slots=True, eq=False)
class Draft:
    """A paper being assembled; ``explicit`` says its venue came from its own prefix."""

    title: str
    line: int
    venue: str | None = None
    venue_label: str | None = None
    year: int | None = None
    explicit: bool = False
    prefix: str | None = None
    topics: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    date: dt.date | None = None
    summary: str | None = None

    def add_links(self, links: list[tuple[str, str]]) -> None:
        known = {url for _, url in self.links}
        self.links.extend(link for link in links if link[1] not in known)

    def add_tags(self, tags: list[str]) -> None:
        self.tags.extend(tag for tag in tags if tag not in self.tags)


class Collector:
    """Drafts by paper id, in first-seen order."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._drafts: dict[str, Draft] = {}

    def add(self, draft: Draft) -> Draft:
        """Add a paper, or merge it into the one already found with the same id."""
        pid = paper_id(draft.title)
        first = self._drafts.get(pid)
        if first is None:
            self._drafts[pid] = draft
            return draft
        _merge(first, draft)
        return first

    def papers(self) -> list[Paper]:
        """The papers, validated a batch at a time.

        One validation per batch is about twice as fast as one per paper, and batches keep the
        intermediate dicts of a 50,000-paper list from doubling the import's memory peak.
        """
        drafts, self._drafts = self._drafts, {}
        papers: list[Paper] = []
        batch: list[dict[str, Any]] = []
        for pid in list(drafts):
            batch.append(self._paper(pid, drafts.pop(pid)))
            if len(batch) == BATCH:
                papers += _paper_list().validate_python(batch)
                batch = []
        return papers + _paper_list().validate_python(batch)

    def _paper(self, pid: str, draft: Draft) -> dict[str, Any]:
        url = draft.url or primary_url(draft.links)
        found = arxiv_id_in_url(url)
        if found is None:
            found = next((a for a in (arxiv_id_in_url(u) for _, u in draft.links) if a), None)
        return {
            "id": pid,
            "title": draft.title,
            "venue": draft.venue,
            "venue_label": draft.venue_label,
            "year": draft.year,
            "topics": draft.topics,
            "url": url,
            "links": [{"label": label, "url": link} for label, link in draft.links],
            "tags": draft.tags,
            "keywords": draft.keywords,
            "date": draft.date,
            "arxiv_id": found,
            "summary": draft.summary,
            "prefix": draft.prefix,
            "source": self.source,
            "line": draft.line,
        }


def _merge(first: Draft, again: Draft) -> None:
    if again.venue and (first.venue is None or (again.explicit and not first.explicit)):
        if again.venue != first.venue:
            first.venue, first.venue_label = again.venue, again.venue_label
        first.year, first.explicit = again.year, again.explicit
        first.prefix = again.prefix or first.prefix
    first.prefix = first.prefix or again.prefix
    first.topics.extend(topic for topic in again.topics if topic not in first.topics)
    first.add_links(again.links)
    first.url = first.url or again.url
    first.add_tags(again.tags)
    first.keywords.extend(word for word in again.keywords if word not in first.keywords)
    first.date = first.date or again.date
    first.summary = first.summary or again.summary

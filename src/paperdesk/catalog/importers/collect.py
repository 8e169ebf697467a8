"""Papers as they are found, merged by id: a paper listed twice is one paper.

Lists repeat papers (under a second topic, in a "RAG" section with a prefix); reading state is
keyed by id, so the repeats must become one entry that keeps the first position and gathers
every topic, link, tag and keyword. An explicit ``(NSDI'24)`` prefix is better evidence of the
venue than the section a line happens to sit in, so it wins over an inherited venue.

Two entries whose titles read the same but whose arXiv ids (or DOIs) differ are two papers
(``Introduction``, a workshop version): the first keeps the title's id, the other gets an id
from its title and its arXiv id (:func:`~paperdesk.catalog.identity.distinct_id`), and a
warning names both lines. An entry without an arXiv id or DOI merges as it always did. The
daily feed keeps merging by title (``by_key=False``): it announces arXiv papers, and the same
title on another day is the paper announced again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import TypeAdapter

from paperdesk.catalog.arxiv_ids import arxiv_id_in_url
from paperdesk.catalog.identity import distinct_id, paper_id
from paperdesk.catalog.models import ImportWarning
from paperdesk.catalog.records import Paper

from .inline import primary_url
from .links import doi_in_url

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

    def __init__(self, source: str, *, by_key: bool = True) -> None:
        self.source = source
        self.by_key = by_key
        self._drafts: dict[str, Draft] = {}
        self._keys: dict[str, str | None] = {}
        self._twins: dict[str, list[str]] = {}

    def add(self, draft: Draft, warnings: list[ImportWarning] | None = None) -> Draft:
        """Add a paper, or merge it into the one already found with the same id and no other
        arXiv id or DOI; a same-titled paper that differs gets an id of its own."""
        pid = paper_id(draft.title)
        first = self._drafts.get(pid)
        if first is None:
            self._drafts[pid] = draft  # its key is read when a repeat comes: most never do
            return draft
        if not self.by_key:
            _merge(first, draft)
            return first
        if pid not in self._keys:
            self._keys[pid] = identity_key(first)
        key = identity_key(draft)
        candidates = [pid, *self._twins.get(pid, ())]
        chosen = next((c for c in candidates if key is not None and self._keys[c] == key), None)
        if chosen is None:
            chosen = next((c for c in candidates if _compatible(self._keys[c], key)), None)
        if chosen is None:
            assert key is not None  # only two known, different keys are incompatible
            twin = distinct_id(draft.title, key)
            self._twins.setdefault(pid, []).append(twin)
            self._drafts[twin] = draft
            self._keys[twin] = key
            if warnings is not None:
                message = (
                    f"{draft.title!r} is also at line {first.line} with another "
                    f"{_kind(key)} ({_value(self._keys[pid])} and {_value(key)}): two papers"
                )
                warnings.append(ImportWarning(line=draft.line, message=message))
            return draft
        kept = self._drafts[chosen]
        _merge(kept, draft)
        if self._keys[chosen] is None and key is not None:
            self._keys[chosen] = key
        return kept

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


def identity_key(draft: Draft) -> str | None:
    """What tells same-titled papers apart: ``arxiv:2401.14351``, else ``doi:10.1145/…``."""
    urls = [draft.url, *(url for _, url in draft.links)]
    found = next((a for url in urls if (a := arxiv_id_in_url(url))), None)
    if found is not None:
        return f"arxiv:{found}"
    doi = next((d for url in urls if (d := doi_in_url(url))), None)
    return f"doi:{doi}" if doi is not None else None


def _compatible(known: str | None, key: str | None) -> bool:
    """Entries may be one paper unless both carry an id of the same kind and they differ."""
    if known is None or key is None:
        return True
    return known.split(":", 1)[0] != key.split(":", 1)[0] or known == key


def _kind(key: str) -> str:
    return "arXiv id" if key.startswith("arxiv:") else "DOI"


def _value(key: str | None) -> str:
    return (key or "").split(":", 1)[-1]


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

"""The merged catalog: every source's papers as one read-only view, with lookups and search.

Built once per load and never mutated, so the desk can hand the same object to workers and
widgets. Lookups the desk needs per keystroke (search, venue and topic lists) work on
pre-computed lists of row indices and pre-lowercased keys, so they stay in milliseconds at
50,000 papers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from paperdesk.errors import AmbiguousError, NotFoundError
from paperdesk.models import CatalogFile, Paper, TodoItem, Venue, Website

CANDIDATES_SHOWN = 5
_YEAR = re.compile(r"(19|20)\d{2}")


@dataclass(frozen=True)
class VenueGroup:
    """A venue with the row indices of its papers and its topics in list order."""

    name: str
    label: str
    year: int | None
    url: str | None
    rows: tuple[int, ...]
    topics: tuple[str, ...]


@dataclass
class Catalog:
    """Papers of one or more sources, deduplicated by id (first occurrence wins its place)."""

    files: list[CatalogFile]
    papers: list[Paper] = field(init=False)
    by_id: dict[str, int] = field(init=False)
    source_rows: dict[str, list[int]] = field(init=False)

    def __post_init__(self) -> None:
        self.papers = []
        self.by_id = {}
        self.source_rows = {}
        for file in self.files:
            rows = self.source_rows.setdefault(file.source, [])
            for paper in file.papers:
                row = self.by_id.get(paper.id)
                if row is None:
                    row = len(self.papers)
                    self.by_id[paper.id] = row
                    self.papers.append(paper)
                else:
                    self.papers[row] = _merge(self.papers[row], paper)
                rows.append(row)

    @classmethod
    def from_files(cls, files: Iterable[CatalogFile]) -> Catalog:
        return cls(list(files))

    def __len__(self) -> int:
        return len(self.papers)

    def get(self, paper_id: str) -> Paper | None:
        row = self.by_id.get(paper_id)
        return None if row is None else self.papers[row]

    @property
    def todos(self) -> list[TodoItem]:
        """TODO conferences of all sources, first mention of a name wins."""
        seen: dict[str, TodoItem] = {}
        for file in self.files:
            for item in file.todos:
                seen.setdefault(item.name.casefold(), item)
        return list(seen.values())

    @property
    def websites(self) -> list[Website]:
        return [site for file in self.files for site in file.websites]

    @cached_property
    def venues(self) -> list[VenueGroup]:
        """Venues with their papers, newest year first, list order within a year."""
        rows: dict[str, list[int]] = {}
        topics: dict[str, dict[str, None]] = {}
        for row, paper in enumerate(self.papers):
            if not paper.venue:
                continue
            rows.setdefault(paper.venue, []).append(row)
            venue_topics = topics.setdefault(paper.venue, {})
            for topic in paper.topics:
                venue_topics[topic] = None
        info: dict[str, Venue] = {}
        for file in self.files:
            for venue in file.venues:
                info.setdefault(venue.name, venue)
        groups = []
        for order, (name, venue_rows) in enumerate(rows.items()):
            known = info.get(name)
            year = known.year if known and known.year else _year_of(name)
            groups.append(
                (
                    -(year or 0),
                    order,
                    VenueGroup(
                        name=name,
                        label=known.label if known else name,
                        year=year,
                        url=known.url if known else None,
                        rows=tuple(venue_rows),
                        topics=tuple(topics[name]),
                    ),
                )
            )
        return [group for _, _, group in sorted(groups, key=lambda g: (g[0], g[1]))]

    def venue(self, name: str) -> VenueGroup:
        """A venue by name, case-insensitively."""
        wanted = name.casefold().strip()
        for group in self.venues:
            if group.name.casefold() == wanted:
                return group
        raise NotFoundError(f"no venue {name!r}; 'paperdesk venues' lists them")

    def topic_rows(self, topic: str, venue: str | None = None) -> list[int]:
        """Rows of papers with this topic (case-insensitive), optionally within one venue.

        An unknown topic is a NotFoundError, as an unknown venue is: a typo must not look like
        an empty topic.
        """
        wanted = topic.casefold().strip()
        candidates = self.venue(venue).rows if venue else range(len(self.papers))
        rows = [
            row
            for row in candidates
            if any(t.casefold() == wanted for t in self.papers[row].topics)
        ]
        if not rows:
            within = f" in venue {venue!r}" if venue else ""
            raise NotFoundError(
                f"no topic {topic!r}{within}; 'paperdesk venues --json' lists the topics"
            )
        return rows

    @cached_property
    def search_keys(self) -> list[str]:
        """One lower-cased string per paper over title, venue, topics, tags and keywords."""
        return [
            "\n".join(
                [paper.title, paper.venue or "", *paper.topics, *paper.tags, *paper.keywords]
            ).casefold()
            for paper in self.papers
        ]

    def search(
        self,
        query: str,
        rows: Sequence[int] | None = None,
        notes: Mapping[str, str] | None = None,
    ) -> list[int]:
        """Rows whose key (and note, if any) contains every word of ``query``."""
        words = query.casefold().split()
        candidates = range(len(self.papers)) if rows is None else rows
        if not words:
            return list(candidates)
        keys = self.search_keys
        papers = self.papers
        notes = notes or {}
        hits = []
        for row in candidates:
            key = keys[row]
            if all(word in key for word in words):
                hits.append(row)
                continue
            note = notes.get(papers[row].id)
            if note and all(word in key or word in note.casefold() for word in words):
                hits.append(row)
        return hits

    def find(self, ref: str) -> Paper:
        """A paper by id or by a case-insensitive title fragment.

        Raises :class:`AmbiguousError` (listing a few candidates) when the fragment matches
        several papers, and :class:`NotFoundError` when it matches none.
        """
        exact = self.get(ref.strip())
        if exact is not None:
            return exact
        wanted = " ".join(ref.casefold().split())
        if not wanted:
            raise NotFoundError("an empty paper reference matches nothing")
        matches = [p for p in self.papers if wanted in " ".join(p.title.casefold().split())]
        if len(matches) > 1:
            same_title = [p for p in matches if p.title.casefold() == wanted]
            if len(same_title) == 1:
                return same_title[0]
            shown = "; ".join(f"{p.id} ({p.title[:50]})" for p in matches[:CANDIDATES_SHOWN])
            more = f" and {len(matches) - CANDIDATES_SHOWN} more" if len(matches) > 5 else ""
            raise AmbiguousError(
                f"{ref!r} matches {len(matches)} papers: {shown}{more}; use an id or more words"
            )
        if not matches:
            raise NotFoundError(f"no paper matches {ref!r}; try 'paperdesk list --search WORDS'")
        return matches[0]


def _merge(first: Paper, again: Paper) -> Paper:
    """The same paper met in a second source: keep the first, add what the second knows."""
    known_urls = {link.url for link in first.links}
    return first.model_copy(
        update={
            "topics": _union(first.topics, again.topics),
            "tags": _union(first.tags, again.tags),
            "keywords": _union(first.keywords, again.keywords),
            "links": first.links + [link for link in again.links if link.url not in known_urls],
            "url": first.url or again.url,
            "arxiv_id": first.arxiv_id or again.arxiv_id,
            "summary": first.summary or again.summary,
            "date": first.date or again.date,
        }
    )


def _union(first: list[str], second: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def _year_of(name: str) -> int | None:
    match = _YEAR.search(name)
    return int(match.group(0)) if match else None

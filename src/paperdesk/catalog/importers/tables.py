"""Tables of papers: ``| Title | Venue | Paper | Code |`` and the like, one paper per row.

Columns are mapped by their header's name: the title (``Title``, ``Paper``, ``Name``), the venue
(``Venue``, ``Publication``, ``Conference``), the year, links (``Paper``/``PDF``/``arXiv`` next to
a title column, ``Code``, ``Others``), tags (``Keywords``, ``Institute``, ``Tags``) and a summary
(``TL;DR``, ``Summary``). A row is then an entry like a bullet (:mod:`.entries`): a paper when it
links to one or names its venue. A table without a title column (a table of contents, a count
of papers per conference) holds no papers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .entries import Entry, finish_title, unique_links
from .inline import LINK, PAPER_LABELS, atoms, clean, label_as_paper, read_bullet
from .links import is_badge, link_kind
from .venues import VenueNames, decoration_free

_TITLE = {"title", "paper", "papers", "paper title", "name", "paper name", "work", "method"}
_PAPER_LINKS = {"paper", "papers", "pdf", "link", "links", "arxiv", "url", "abs"}
_LINKS = {"code", "github", "repo", "repository", "project", "others", "other", "resources",
          "slides", "blog", "video", "website", "homepage"}  # fmt: skip
_VENUE = {"venue", "publication", "conference", "conf", "published", "published in", "journal",
          "pub", "where", "venue year", "source"}  # fmt: skip
_YEAR = {"year", "date", "time", "published date"}
_TAGS = {"keywords", "keyword", "tags", "tag", "topic", "topics", "category", "type",
         "institute", "institution", "affiliation", "org", "organization", "team", "lab",
         "company"}  # fmt: skip
_SUMMARY = {"tl;dr", "tldr", "summary", "description", "note", "notes", "comment", "comments"}
_HEADER_NOISE = re.compile(r"\([^)]*\)|[^\w;/ ]")
_YEAR_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_TAG_SPLIT = re.compile(r"\s*[;,]\s*|\n")


@dataclass(frozen=True, slots=True)
class Columns:
    """Which column holds what; ``title`` is None for a table that lists no papers."""

    title: int | None
    venue: int | None
    year: int | None
    links: tuple[int, ...]
    tags: tuple[int, ...]
    summary: int | None


def columns(header: Sequence[str]) -> Columns:
    """The role of each column, from its header's words (``Institute (first)`` is ``institute``)."""
    names = [" ".join(_HEADER_NOISE.sub(" ", clean(text).lower()).split()) for text in header]
    title = next((i for i, name in enumerate(names) if name in _TITLE - {"paper", "papers"}), None)
    if title is None:
        title = next((i for i, name in enumerate(names) if name in {"paper", "papers"}), None)
    if title is None:
        title = next((i for i, name in enumerate(names) if "paper" in name.split("/")), None)

    def first(roles: set[str]) -> int | None:
        return next((i for i, name in enumerate(names) if name in roles and i != title), None)

    links = tuple(i for i, name in enumerate(names) if i != title and name in _PAPER_LINKS | _LINKS)
    tags = tuple(i for i, name in enumerate(names) if i != title and name in _TAGS)
    return Columns(title, first(_VENUE), first(_YEAR), links, tags, first(_SUMMARY))


def read_row(cells: Sequence[str], roles: Columns, names: VenueNames) -> Entry | str | None:
    """One row as an entry; a warning when it links to a paper but has no title."""
    assert roles.title is not None

    def cell(index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""

    title_parts = atoms(cell(roles.title))
    bullet = read_bullet(title_parts, anchors_as_text=False)
    links = [(label, url) for label, url in bullet.real_links() if not is_badge(url)]
    own_kinds = [link_kind(url, label) for label, url in links]
    title = clean(bullet.head)
    entry = Entry(title="")
    if title:
        entry.links = links
    elif links:
        label, url = links[0]
        if label.lower() not in PAPER_LABELS and not url.startswith("#"):
            title, entry.url = label, url
            entry.links = label_as_paper(links, url)
        else:
            entry.links = links
    only_anchors = bool(bullet.links) and all(url.startswith("#") for _, url in bullet.links)
    for index in roles.links:  # "Paper", "Code", "Others" columns
        entry.links += [
            (label, url)
            for kind, label, url in atoms(cell(index))
            if kind == LINK and url and not is_badge(url)
        ]
    entry.links = unique_links(entry.links)
    venue_atoms = atoms(cell(roles.venue))
    entry.links += [(label, url) for kind, label, url in venue_atoms if kind == LINK and url]
    venue_words = clean("".join(text for kind, text, _ in venue_atoms if kind != LINK))
    if venue_words:
        entry.venue = names.loose(venue_words, free=True)
    year_match = _YEAR_TEXT.search(cell(roles.year))
    for index in roles.tags:
        words = "".join(text for kind, text, _ in atoms(cell(index)) if kind != LINK)
        entry.tags += [tag for part in _TAG_SPLIT.split(words) if (tag := clean(part))]
    summary = clean("".join(text for _, text, _ in atoms(cell(roles.summary))))
    entry.summary = summary or None
    if not title:
        paper_linked = "paper" in own_kinds or any(
            link_kind(url, label) == "paper" for label, url in entry.links
        )
        if only_anchors or not paper_linked:
            return None
        return "table row with a paper link but no title"
    entry.title = finish_title(decoration_free(title), names, entry)
    if not entry.title:
        return None
    if year_match and entry.venue is not None and entry.venue.year is None:
        entry.venue = names.loose(f"{entry.venue.name} {year_match[1]}", free=True)
    own = {url for _, url in links}
    kinds = own_kinds + [link_kind(url, label) for label, url in entry.links if url not in own]
    entry.paper_link = "paper" in kinds
    entry.code_only = bool(kinds) and all(kind == "code" for kind in kinds)
    entry.whole_link = entry.url is not None and not venue_words
    entry.tags = list(dict.fromkeys(entry.tags))
    return entry


def row_year(cells: Sequence[str], roles: Columns) -> int | None:
    """The row's year column, for a paper whose venue gives none."""
    if roles.year is None or roles.year >= len(cells):
        return None
    match = _YEAR_TEXT.search(cells[roles.year])
    return int(match[1]) if match else None

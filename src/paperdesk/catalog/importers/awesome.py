"""The awesome-papers list family: venue sections, topics, paper entries and side sections.

A list is read top to bottom as its author wrote it: ``## [OSDI 2024](url)`` opens a venue,
``###`` headings (and ``##`` headings with no year) are topics within it, and the entries below
(bullets, rows of a table of papers, paragraph lines that are a link to a paper) are papers when
:mod:`.entries` says so. Year headings (``### 2024``) and ``<details>`` folds are groupings: a
year (``#### 2016`` under ``### OSDI`` is OSDI 2016) or a topic, never a venue of their own.
"useful website", "TODO list" and the daily-arXiv pointer are side sections with their own
entries. Lines that fit none of this become warnings with their line number; the ones that
looked like papers are marked ``skipped`` (``import --report``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from paperdesk.catalog.models import CatalogFile, ImportWarning, TodoItem
from paperdesk.catalog.records import Venue, Website

from .blocks import Block, Heading, Html, Item, Paragraph, Table
from .collect import Collector, Draft
from .dates import find_date
from .entries import Entry, annotates, annotation_links, is_annotation, read_entry
from .inline import (
    BREAK,
    LINK,
    Atom,
    atoms,
    clean,
    clean_title,
    link_target,
    quote_summary,
    read_bullet,
    split_tags,
    trailing_tags,
)
from .links import is_paper_link
from .tables import columns, read_row, row_year
from .venues import KNOWN_VENUES, VenueNames, grouping_year, is_year_grouping

WEBSITES, TODOS, DAILY, FOLDED = "websites", "todos", "daily", "folded"

_WEBSITES = re.compile(r"useful\s*web\s*sites?", re.IGNORECASE)
_TODOS = re.compile(r"^\W*to[\s-]?do\b", re.IGNORECASE)
_DAILY = re.compile(r"daily.*arxiv|arxiv.*daily", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"to be (?:updated|added|continued|announced)|tb[ad]|todo|title|paper title|"
    r"coming soon|n/?a|none|[\W_]*",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_DETAILS = re.compile(
    r"<summary\b[^>]*>(?P<summary>.{0,500}?)</summary\s*>|</details\s*>", re.I | re.S
)
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[^\W_]")
_TARGET = re.compile(r"\]\(\s*([^)\s]+)|href\s*=\s*[\"']?([^\"'\s>]+)")
_REFERENCE = re.compile(r"\s*(?:\[\d{1,3}\]|\d{1,3}[.)]|[-*•])\s+")
_BARE_VENUES = {name.lower(): name for name in KNOWN_VENUES}


def parse_list(blocks: list[Block], source: str) -> CatalogFile:
    """A list-family catalog from the blocks of one markdown file."""
    reader = _ListReader(source)
    reader.read(blocks)
    return CatalogFile.model_validate(
        {
            "source": source,
            "kind": "list",
            "title": reader.title,
            "daily_link": reader.daily_link,
            "papers": reader.collector.papers(),
            "venues": reader.venues,
            "websites": reader.websites,
            "todos": reader.todos,
            "warnings": reader.warnings,
        }
    )


def heading_text(parts: list[Atom]) -> tuple[str, str]:
    """A heading's plain text (link labels included) and its first link target."""
    text = clean("".join(text for _, text, _ in parts))
    target = next((link_target(url) for kind, _, url in parts if kind == LINK), "")
    return text, target


@dataclass(slots=True)
class _Place:
    """Where a ``<details>`` fold opened, to go back there at its ``</details>``."""

    venue: Venue | None
    topics: list[tuple[int, str]]
    special: str | None
    special_level: int
    year: tuple[int, int | None] | None
    derived: tuple[int, Venue | None] | None
    group: str | None

    @classmethod
    def of(cls, reader: _ListReader) -> _Place:
        return cls(
            reader.venue, list(reader.topics), reader.special, reader.special_level,
            reader.year, reader.derived, reader.group,
        )  # fmt: skip

    def restore(self, reader: _ListReader) -> None:
        reader.venue, reader.topics, reader.special = self.venue, self.topics, self.special
        reader.special_level, reader.year, reader.derived = (
            self.special_level, self.year, self.derived,
        )  # fmt: skip
        reader.group = self.group


class _ListReader:
    """The reading position in a list: current venue, topic and side section."""

    def __init__(self, source: str) -> None:
        self.collector = Collector(source)
        self.names = VenueNames()
        self.title: str | None = None
        self.daily_link: str | None = None
        self.venues: list[Venue] = []
        self.venue_keys: set[tuple[str, str]] = set()
        self.websites: list[Website] = []
        self.website_urls: set[str] = set()
        self.todos: list[TodoItem] = []
        self.warnings: list[ImportWarning] = []
        self.venue: Venue | None = None
        self.topics: list[tuple[int, str]] = []
        self.special: str | None = None
        self.special_level = 0
        self.group: str | None = None
        self.folds: list[_Place] = []
        self.papers_by_item: dict[int, Draft] = {}
        self.groups_by_item: dict[int, str] = {}
        self.last_paper: dict[int, Draft] = {}  # by parent item: the paper a sibling annotates
        self.plain = False  # the list links none of its papers: plain titles are papers
        # A year grouping (level, year) and a venue made of a venue heading and a year heading
        # under it (level of the venue heading, the venue before it).
        self.year: tuple[int, int | None] | None = None
        self.derived: tuple[int, Venue | None] | None = None

    def read(self, blocks: list[Block]) -> None:
        headings = {
            id(block): heading_text(atoms(block.content))
            for block in blocks
            if isinstance(block, Heading)
        }
        for text, _ in headings.values():
            self.names.heading(text)  # so prefixes written before a heading follow its case
        self.plain = not any(_links_a_paper(block) for block in blocks)
        for block in blocks:
            if isinstance(block, Item):
                self.item(block)
            elif isinstance(block, Heading):
                self.heading(block, *headings[id(block)])
            elif isinstance(block, Html):
                self.html(block)
            elif isinstance(block, Paragraph):
                self.paragraph(block)
            elif isinstance(block, Table):
                self.table(block)

    def warn(self, line: int, message: str, *, skipped: bool = False) -> None:
        kind = "skipped" if skipped else None
        self.warnings.append(ImportWarning(line=line, message=message, kind=kind))

    # --- sections -------------------------------------------------------------------------

    def heading(self, block: Heading, text: str, target: str) -> None:
        self.last_paper.clear()
        if not text:
            return
        if block.level == 1 and self.title is None:
            self.title = text
            return
        if self.special and self.special != FOLDED and block.level > self.special_level:
            self.group = text
            return
        special = _special_kind(text)
        if special:
            self.enter_special(special, block.level)
            if special == DAILY and target:
                self.daily_link = self.daily_link or target
            return
        self.section(text, target, block.level)

    def section(self, text: str, target: str, level: int) -> None:
        """A venue heading (its label has a year), a year grouping, or else a topic that keeps
        the venue."""
        self.special = None
        if self.year is not None and level <= self.year[0]:
            self.year = None
        if self.derived is not None and level <= self.derived[0]:
            self.venue, self.derived = self.derived[1], None
        if is_year_grouping(text):
            self.year_grouping(grouping_year(text), level)
            return
        venue = self.names.heading(text)
        if venue is not None:
            self.venue = Venue(name=venue.name, label=text, url=target or None, year=venue.year)
            self.topics = []
            if (venue.name, text) not in self.venue_keys:
                self.venue_keys.add((venue.name, text))
                self.venues.append(self.venue)
            return
        while self.topics and self.topics[-1][0] >= level:
            self.topics.pop()
        self.topics.append((level, text))

    def year_grouping(self, year: int | None, level: int) -> None:
        """``### 2024`` (or ``Before 2024``): papers below without a year of their own get it;
        under a heading that is a bare venue name (``### OSDI``) it makes the venue OSDI 2024."""
        self.year = (level, year)
        if self.derived is not None:  # the year before under the same venue heading ends
            self.venue, self.derived = self.derived[1], None
        parent = next(((at, topic) for at, topic in reversed(self.topics) if at < level), None)
        name = _BARE_VENUES.get(parent[1].lower()) if parent else None
        if year is None or parent is None or name is None:
            return
        label = f"{parent[1]} {year}"
        venue = Venue(name=f"{self.names.canonical(name)} {year}", label=label, year=year)
        self.derived = (parent[0], self.venue)
        self.venue = venue
        if (venue.name, label) not in self.venue_keys:
            self.venue_keys.add((venue.name, label))
            self.venues.append(venue)

    def enter_special(self, kind: str, level: int) -> None:
        self.special, self.special_level, self.group = kind, level, None
        self.venue, self.topics, self.year, self.derived = None, [], None, None

    def html(self, block: Html) -> None:
        """``<details>`` folds: a ``<summary>`` names a grouping until ``</details>``: a side
        section, a year (``Before 2024``), or a topic; never a venue."""
        content = _COMMENT.sub("", block.content)
        for match in _DETAILS.finditer(content):
            if match["summary"] is None:
                if self.folds:
                    self.folds.pop().restore(self)
                continue
            self.folds.append(_Place.of(self))
            summary = clean(_TAG.sub("", match["summary"]))
            special = _special_kind(summary)
            if special:
                self.enter_special(special, 7)
            elif is_year_grouping(summary):
                self.year = (7, grouping_year(summary))
            elif self.venue is not None or self.topics:
                self.special = None
                self.topics = [*self.topics, (7, summary)]
            else:
                self.enter_special(FOLDED, 7)
                self.group = summary

    def paragraph(self, block: Paragraph) -> None:
        parts = atoms(block.content)
        if self.special == DAILY:
            self.daily_link = self.daily_link or _first_target(parts)
        elif self.special in (WEBSITES, TODOS):
            return
        elif (
            not self.paper_lines(block)
            and self.special is None
            and (self.venue or self.topics)
            and _has_words(parts)
        ):
            self.warn(block.line, "text that is not a list item; not read as a paper")

    def paper_lines(self, block: Paragraph) -> bool:
        """Lines of a paragraph that are a link to a paper (``[1] [Title](arXiv url)<br>``) are
        papers; a line that links to a paper in running text is reported. True when the
        paragraph held any link to a paper."""
        if "](" not in block.content and "href" not in block.content:
            return False
        found = False
        for offset, line in enumerate(block.content.split("\n")):
            parts = atoms(line)
            if not any(kind == LINK for kind, _, _ in parts):
                continue
            for piece in _pieces(parts):
                bullet = read_bullet(piece, anchors_as_text=True)
                linked = [url for label, url in bullet.real_links() if is_paper_link(url, label)]
                if not linked:
                    continue
                found = True
                if (marker := _REFERENCE.match(bullet.head + " ")) is not None:
                    bullet.head = (bullet.head + " ")[marker.end() :]  # "[1] ", "2. "
                entry = read_entry(bullet, self.names)
                line_number = block.line + offset
                if isinstance(entry, Entry) and not clean(bullet.head) and entry.paper_link:
                    self.add(entry, line_number, topics=self.paper_topics(0))
                else:
                    message = "a paragraph line that links to a paper; not read as a paper"
                    self.warn(line_number, message, skipped=True)
        return found

    def table(self, block: Table) -> None:
        """A table of papers: each row an entry, its columns mapped by their headers."""
        if self.special is not None and self.special != FOLDED:
            return
        roles = columns(block.header)
        if roles.title is None:
            return
        for line, cells in block.rows:
            entry = read_row(cells, roles, self.names)
            if isinstance(entry, str):
                self.warn(line, entry, skipped=True)
            elif entry is not None and not _PLACEHOLDER.fullmatch(entry.title):
                in_venue = self.venue is not None and self.special is None
                if entry.is_paper(in_venue=in_venue, plain_list=self.plain):
                    self.add(entry, line, topics=self.paper_topics(0), year=row_year(cells, roles))

    # --- bullets --------------------------------------------------------------------------

    def item(self, block: Item) -> None:
        parts = atoms(block.content)
        if self.special == WEBSITES:
            self.website(block, parts)
        elif self.special == TODOS:
            self.todo(block, parts)
        elif self.special == DAILY:
            self.daily_link = self.daily_link or _first_target(parts)
        else:
            self.paper(block, parts)

    def paper(self, block: Item, parts: list[Atom]) -> None:
        links = [url for kind, _, url in parts if kind == LINK]
        if links and all(url.startswith("#") for url in links) and not _has_words(parts):
            return  # a table of contents
        if block.content.lstrip().startswith(("![", "<img")) and not any(map(is_paper_link, links)):
            return  # a legend: "![](badge) Model training"
        bullet = read_bullet(parts, anchors_as_text=True)
        parent = id(block.parent) if block.parent is not None else 0
        owner = self.papers_by_item.get(parent)
        if owner is not None and annotates(bullet):
            owner.add_links(annotation_links(bullet))  # slides, code, "arxiv version" ...
            if not clean(bullet.head):
                owner.add_tags(split_tags(bullet.tail))
            return
        placed = self.special != FOLDED and (self.venue is not None or bool(self.topics))
        if placed and not bullet.has_links and block.has_children:
            prefix = self.names.prefix(bullet.head)
            body, _ = trailing_tags(bullet.head[prefix[2] if prefix else 0 :])
            if clean(body).endswith(":"):
                self.groups_by_item[id(block)] = clean_title(body)  # "Serving:" groups its children
                return
        more = [read_bullet(atoms(text), anchors_as_text=True) for text in block.more]
        entry = read_entry(bullet, self.names, more)
        if isinstance(entry, str):
            linked = any(is_paper_link(url, label) for label, url in bullet.real_links())
            if placed or linked:
                self.warn(block.line, entry, skipped=linked)
            return
        if entry is None:
            if placed and _has_words(parts):
                self.warn(block.line, "bullet with no paper title")
            return
        if _PLACEHOLDER.fullmatch(entry.title):
            return
        if is_annotation(entry):
            sibling = self.last_paper.get(parent)
            if sibling is not None:
                sibling.add_links([(entry.title, url) for _, url in entry.links])
            return
        if not placed:
            if entry.evident:
                entry.summary = entry.summary or quote_summary(block.quotes)
                folded = [self.group] if self.special == FOLDED and self.group else []
                topics = self.paper_topics(parent) or folded
                self.add(entry, block.line, topics=topics, item=block)
            elif _has_words(parts):
                self.warn(block.line, "bullet outside any venue or topic section; not a paper")
            return
        if not entry.is_paper(in_venue=self.venue is not None, plain_list=self.plain):
            return
        entry.summary = entry.summary or quote_summary(block.quotes)
        self.add(entry, block.line, topics=self.paper_topics(parent), item=block)

    def add(
        self,
        entry: Entry,
        line: int,
        *,
        topics: list[str],
        item: Item | None = None,
        year: int | None = None,
    ) -> None:
        """Collect ``entry`` as a paper: its own venue beats the section's."""
        draft = Draft(
            title=entry.title,
            line=line,
            topics=topics,
            links=entry.links,
            url=entry.url,
            tags=entry.tags,
            keywords=entry.keywords,
            summary=entry.summary,
        )
        venue = entry.venue
        if venue is not None:
            same = self.venue is not None and self.venue.name == venue.name
            draft.venue, draft.year, draft.prefix = venue.name, venue.year, entry.prefix
            draft.venue_label = self.venue.label if same and self.venue else venue.label
            draft.explicit = True
        elif self.venue is not None:
            draft.venue, draft.venue_label = self.venue.name, self.venue.label
            draft.year = self.venue.year
        if draft.year is None:
            draft.year = year or (self.year[1] if self.year else None)
        kept = self.collector.add(draft, self.warnings)
        if item is not None:
            self.last_paper[id(item.parent) if item.parent is not None else 0] = kept
            if item.has_children:
                self.papers_by_item[id(item)] = kept  # its nested lines may continue it

    def paper_topics(self, parent: int) -> list[str]:
        topics = [self.topics[-1][1]] if self.topics else []
        group = self.groups_by_item.get(parent)
        if group and group not in topics:
            topics.append(group)
        return topics

    def website(self, block: Item, parts: list[Atom]) -> None:
        bullet = read_bullet(parts)
        links = bullet.real_links()
        name = clean(bullet.head).rstrip(":").strip()
        parent = id(block.parent) if block.parent is not None else 0
        group = self.groups_by_item.get(parent) or self.group
        if not links:
            if name and block.has_children:
                self.groups_by_item[id(block)] = name
            elif name:
                self.warn(block.line, "website entry without a link")
            return
        label, url = links[0]
        name = name or label or url
        self.groups_by_item[id(block)] = name
        if url in self.website_urls:
            return
        self.website_urls.add(url)
        description = clean(bullet.tail).lstrip(":-–— ").strip() or None
        self.websites.append(Website(name=name, url=url, description=description, group=group))

    def todo(self, block: Item, parts: list[Atom]) -> None:
        bullet = read_bullet(parts)
        head = clean(bullet.head).rstrip(":").strip()
        if bullet.links:
            label, url = bullet.links[0]
            name, note = head or clean(label), clean(bullet.tail) or None
        else:
            name, url, note = head, "", None
        if not name:
            if _has_words(parts):
                self.warn(block.line, "TODO entry without a name")
            return
        date = find_date(note) if note else None
        self.todos.append(
            TodoItem(
                name=name,
                url=url or None,
                note=note,
                date=date or find_date(name),
                done=bool(bullet.done),
            )
        )


def _special_kind(text: str) -> str | None:
    if _WEBSITES.search(text):
        return WEBSITES
    if _TODOS.search(text):
        return TODOS
    if _DAILY.search(text):
        return DAILY
    return None


def _first_target(parts: list[Atom]) -> str | None:
    for kind, _, url in parts:
        if kind == LINK and (target := link_target(url)):
            return target
    return None


def _has_words(parts: list[Atom]) -> bool:
    return any(kind != LINK and _WORD.search(text) for kind, text, _ in parts)


def _links_a_paper(block: Block) -> bool:
    """Whether a bullet or a table row of ``block`` links to a paper (a look at its text)."""
    if isinstance(block, Item):
        texts = [block.content]
    elif isinstance(block, Table):
        texts = [cell for _, cells in block.rows for cell in cells]
    else:
        return False
    for text in texts:
        if "](" not in text and "href" not in text:
            continue
        for match in _TARGET.finditer(text):
            if is_paper_link((match[1] or match[2]).strip("<>")):
                return True
    return False


def _pieces(parts: list[Atom]) -> list[list[Atom]]:
    """A line's atoms cut at its ``<br>`` breaks."""
    pieces: list[list[Atom]] = [[]]
    for kind, text, url in parts:
        if kind != LINK and BREAK in text:
            first, *rest = text.split(BREAK)
            pieces[-1].append((kind, first, url))
            pieces += [[(kind, piece, url)] for piece in rest]
        else:
            pieces[-1].append((kind, text, url))
    return pieces

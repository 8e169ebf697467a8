"""The awesome-papers list family: venue sections, topics, paper bullets and side sections.

A list is read top to bottom as its author wrote it: ``## [OSDI 2024](url)`` opens a venue,
``###`` headings (and ``##`` headings with no year) are topics within it, and each bullet below
is a paper. "useful website", "TODO list" and the daily-arXiv pointer are side sections with
their own entries. Lines that fit none of this become warnings with their line number.
"""

from __future__ import annotations

import re

from paperdesk.catalog.models import CatalogFile, ImportWarning, TodoItem
from paperdesk.catalog.records import Venue, Website

from .blocks import Block, Heading, Html, Item, Paragraph
from .collect import Collector, Draft
from .dates import find_date
from .inline import (
    LINK,
    PAPER_LABELS,
    Atom,
    atoms,
    clean,
    clean_title,
    label_as_paper,
    link_target,
    quote_summary,
    read_bullet,
    split_tags,
    trailing_tags,
)
from .venues import VenueNames

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
_URL = re.compile(r"[a-z][\w+.-]*://\S*$", re.IGNORECASE)


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
        self.folds: list[tuple[Venue | None, list[tuple[int, str]], str | None, int]] = []
        self.papers_by_item: dict[int, Draft] = {}
        self.groups_by_item: dict[int, str] = {}

    def read(self, blocks: list[Block]) -> None:
        headings = {
            id(block): heading_text(atoms(block.content))
            for block in blocks
            if isinstance(block, Heading)
        }
        for text, _ in headings.values():
            self.names.heading(text)  # so prefixes written before a heading follow its case
        for block in blocks:
            if isinstance(block, Item):
                self.item(block)
            elif isinstance(block, Heading):
                self.heading(block, *headings[id(block)])
            elif isinstance(block, Html):
                self.html(block)
            elif isinstance(block, Paragraph):
                self.paragraph(block)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(ImportWarning(line=line, message=message))

    # --- sections -------------------------------------------------------------------------

    def heading(self, block: Heading, text: str, target: str) -> None:
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
        """A venue heading (its label has a year) or else a topic that keeps the venue."""
        venue = self.names.heading(text)
        self.special = None
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

    def enter_special(self, kind: str, level: int) -> None:
        self.special, self.special_level, self.group = kind, level, None
        self.venue, self.topics = None, []

    def html(self, block: Html) -> None:
        """``<details>`` folds: a ``<summary>`` names a section until ``</details>``."""
        content = _COMMENT.sub("", block.content)
        for match in _DETAILS.finditer(content):
            if match["summary"] is None:
                if self.folds:
                    self.venue, self.topics, self.special, self.special_level = self.folds.pop()
                continue
            self.folds.append((self.venue, list(self.topics), self.special, self.special_level))
            summary = clean(_TAG.sub("", match["summary"]))
            special = _special_kind(summary)
            if special:
                self.enter_special(special, 7)
            elif self.venue is not None or self.names.heading(summary) is not None:
                self.section(summary, "", 7)
            else:
                self.enter_special(FOLDED, 7)

    def paragraph(self, block: Paragraph) -> None:
        parts = atoms(block.content)
        if self.special == DAILY:
            self.daily_link = self.daily_link or _first_target(parts)
        elif self.special is None and (self.venue or self.topics) and _has_words(parts):
            self.warn(block.line, "text that is not a list item; not read as a paper")

    # --- bullets --------------------------------------------------------------------------

    def item(self, block: Item) -> None:
        parts = atoms(block.content)
        if self.special == WEBSITES:
            self.website(block, parts)
        elif self.special == TODOS:
            self.todo(block, parts)
        elif self.special == DAILY:
            self.daily_link = self.daily_link or _first_target(parts)
        elif self.special == FOLDED or (self.venue is None and not self.topics):
            if _has_words(parts):
                self.warn(block.line, "bullet outside any venue or topic section; not a paper")
        else:
            self.paper(block, parts)

    def paper(self, block: Item, parts: list[Atom]) -> None:
        bullet = read_bullet(parts)
        parent = id(block.parent) if block.parent is not None else 0
        links = bullet.real_links()
        owner = self.papers_by_item.get(parent)
        if owner is not None and not clean(bullet.head) and (links or bullet.tail.strip()):
            owner.add_links(links)  # a nested line of links or tags continues its paper
            owner.add_tags(split_tags(bullet.tail))
            return
        prefix = self.names.prefix(bullet.head)
        start = prefix[2] if prefix else 0
        body = bullet.head[start:]
        if bullet.has_links:
            tags = split_tags(bullet.tail)
        else:
            body, tags = trailing_tags(body)
        if not bullet.has_links and block.has_children and clean(body).endswith(":"):
            self.groups_by_item[id(block)] = clean_title(body)  # "Serving:" groups its children
            return
        title, url = clean_title(body), None
        if not title and bullet.links:
            label, target = bullet.links[0]
            label = clean_title(label)
            if not label or label.lower() in PAPER_LABELS or _URL.match(label):
                self.warn(block.line, "bullet with links but no paper title")
                return
            if prefix is None and not tags and not bullet.tail.strip():
                return  # a bullet that is only a link ("Accepted Papers") is not a paper
            title, url = label, target or None
            links = label_as_paper(links, target)
        if not title:
            if _has_words(parts):
                self.warn(block.line, "bullet with no paper title")
            return
        if _PLACEHOLDER.fullmatch(title):
            return
        draft = Draft(
            title=title,
            line=block.line,
            topics=self.paper_topics(parent),
            links=links,
            url=url,
            tags=tags,
            keywords=bullet.keywords(start, start + len(body)),
            summary=quote_summary(block.quotes),
        )
        if prefix is not None:
            raw, venue, _ = prefix
            same = self.venue is not None and self.venue.name == venue.name
            draft.venue, draft.year, draft.prefix = venue.name, venue.year, raw
            draft.venue_label = self.venue.label if same and self.venue else venue.label
            draft.explicit = True
        elif self.venue is not None:
            draft.venue, draft.venue_label = self.venue.name, self.venue.label
            draft.year = self.venue.year
        kept = self.collector.add(draft)
        if block.has_children:
            self.papers_by_item[id(block)] = kept  # its nested lines may continue it

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

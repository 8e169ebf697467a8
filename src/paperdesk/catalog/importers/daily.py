"""The daily arXiv feed: ``### 2025-01-09`` date sections of ``[Title](arxiv url)`` bullets.

Newer entries put topic tags in backticks before the link and a ``> **TL;DR**: ...`` quote
under it; older ones are a bare link. Every entry is an arXiv paper dated by its section.
"""

from __future__ import annotations

import datetime as dt
import re

from paperdesk.catalog.arxiv_ids import arxiv_id_in_url
from paperdesk.catalog.models import CatalogFile, ImportWarning

from .blocks import Block, Heading, Item
from .collect import Collector, Draft
from .dates import ISO_DATE
from .inline import (
    CODE,
    LINK,
    atoms,
    clean,
    clean_title,
    label_as_paper,
    quote_summary,
    read_bullet,
    split_tags,
    unique,
)
from .venues import ARXIV

_NEW_STYLE_ID = re.compile(r"(\d{2})(\d{2})\.\d{4,5}")


def parse_daily(blocks: list[Block], source: str) -> CatalogFile:
    """A daily-feed catalog from the blocks of one markdown file."""
    collector = Collector(source, by_key=False)
    warnings: list[ImportWarning] = []
    title: str | None = None
    day: dt.date | None = None
    for block in blocks:
        if isinstance(block, Heading):
            text = clean("".join(text for _, text, _ in atoms(block.content)))
            if block.level == 1 and title is None:
                title = text
                continue
            day = _section_date(text)
            if day is None and ISO_DATE.match(text):
                warnings.append(ImportWarning(line=block.line, message=f"invalid date {text!r}"))
        elif isinstance(block, Item):
            draft = _entry(block, day)
            if draft is None:
                if clean(block.content):
                    message = "entry with no paper title; not read"
                    warnings.append(ImportWarning(line=block.line, message=message))
                continue
            collector.add(draft)
    return CatalogFile.model_validate(
        {
            "source": source,
            "kind": "daily",
            "title": title,
            "papers": collector.papers(),
            "warnings": warnings,
        }
    )


def _entry(block: Item, day: dt.date | None) -> Draft | None:
    parts = atoms(block.content)
    first_link = next((i for i, (kind, _, _) in enumerate(parts) if kind == LINK), len(parts))
    tags = [clean(text) for kind, text, _ in parts[:first_link] if kind == CODE]
    bullet = read_bullet([part for part in parts if part[0] != CODE])
    links = bullet.real_links()
    title, url = clean_title(bullet.head), None
    if not title and bullet.links:
        title = clean_title(bullet.links[0][0])
        url = bullet.links[0][1] or None
        links = label_as_paper(links, bullet.links[0][1])
    if not title:
        return None
    year = day.year if day else _year_of(url or (links[0][1] if links else None))
    return Draft(
        title=title,
        line=block.line,
        venue=ARXIV,
        venue_label=ARXIV,
        year=year,
        links=links,
        url=url,
        tags=unique(tag for tag in [*tags, *split_tags(bullet.tail)] if tag),
        date=day,
        summary=quote_summary(block.quotes),
    )


def _section_date(text: str) -> dt.date | None:
    """The date of ``2025-01-09`` or ``2025-10-01 ~ 2025-10-07`` (a range starts the day)."""
    match = ISO_DATE.match(text)
    if match is None:
        return None
    try:
        return dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None


def _year_of(url: str | None) -> int | None:
    found = arxiv_id_in_url(url)
    match = _NEW_STYLE_ID.fullmatch(found) if found else None
    return 2000 + int(match[1]) if match else None

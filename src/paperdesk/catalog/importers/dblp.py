"""A venue's accepted papers from DBLP (or a plain file) as a source of kind ``venue``.

Three shapes come in: DBLP's publication search answer in JSON (``result.hits.hit[].info``:
title, authors.author[].text, venue, pages, year, type, key, doi, ee, url), a table of contents
in DBLP's XML export (``<bht>`` with ``<h2>`` session headings, each followed by
``<dblpcites><r><inproceedings>`` records), and a title-per-line file for a venue DBLP does not
have yet (``# Session`` lines give the titles after them a topic). Each becomes a
:class:`~paperdesk.catalog.models.CatalogFile` whose papers carry the venue, year, URL and the
session as topic, and a :class:`~paperdesk.catalog.models.DblpMetadata` per paper (authors,
DOI, pages) for the home's DBLP cache.

Ids follow the lists' rule (:mod:`paperdesk.catalog.identity`, through the same
:class:`~.collect.Collector`), on the title without DBLP's closing ``.``, so a paper the user's
list or the daily feed already holds is the same paper here, with its reading state.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from paperdesk.catalog.models import CatalogFile, DblpMetadata, Origin
from paperdesk.catalog.records import Venue
from paperdesk.catalog.safe_xml import parse_xml
from paperdesk.errors import InputError
from paperdesk.inert import without_controls
from paperdesk.locations import default_source_name

from .collect import Collector, Draft

#: DBLP types that are papers of the venue (the proceedings volume itself is "Editorship").
PAPER_TYPES = frozenset(
    {"Conference and Workshop Papers", "Journal Articles", "Parts in Books or Collections"}
)
_RECORD_TAGS = ("inproceedings", "article", "incollection")
_HEADING_TAGS = ("h2", "h3", "h4")
_HOMONYM = re.compile(r"\s+\d{4}$")  # DBLP tells same-named authors apart: "Wei Wang 0001"
_DOI_HOST = "https://doi.org/"


@dataclass
class DblpRecord:
    """One paper as DBLP (or a title line) gives it, before it becomes a catalog paper."""

    title: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    pages: str | None = None
    doi: str | None = None
    ee: list[str] = field(default_factory=list)
    key: str | None = None
    session: str | None = None
    venue: str | None = None  # DBLP's name of the venue (``HotOS``), for a key without a name

    def __post_init__(self) -> None:
        """Whichever shape it came in, a record holds no control characters: DBLP's answers
        and venue files are text from outside, kept in the DBLP cache and the venue's source."""
        self.title = without_controls(self.title)
        self.authors = [without_controls(name) for name in self.authors]
        self.pages, self.doi, self.key = _clean(self.pages), _clean(self.doi), _clean(self.key)
        self.session, self.venue = _clean(self.session), _clean(self.venue)
        self.ee = [without_controls(url) for url in self.ee]

    @property
    def url(self) -> str | None:
        """The electronic edition, else the DOI's page."""
        if self.ee:
            return self.ee[0]
        return f"{_DOI_HOST}{self.doi}" if self.doi else None


def _clean(text: str | None) -> str | None:
    return without_controls(text) if text else text


def clean_title(title: str) -> str:
    """A DBLP title as lists write it: one line, no controls, without the closing ``.``."""
    text = " ".join(without_controls(title).split())
    return text[:-1].rstrip() if text.endswith(".") and not text.endswith("..") else text


def _author(name: str) -> str:
    return _HOMONYM.sub("", " ".join(name.split()))


def _text_or_none(value: Any) -> str | None:
    """A field DBLP documents as text; anything else (a hostile or changed answer) is absent."""
    return value if isinstance(value, str) and value else None


def _author_of(entry: Any) -> str:
    """An author as JSON gives it: ``{"text": NAME}`` or a bare name; anything else is none."""
    name = entry.get("text") if isinstance(entry, dict) else entry
    return _author(name) if isinstance(name, str) else ""


def _listed(value: Any) -> list[Any]:
    """DBLP's JSON gives one item bare and several as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _year(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _doi(value: str | None, ee: Sequence[str]) -> str | None:
    if value:
        return value.strip()
    for url in ee:
        if url.lower().startswith(_DOI_HOST):
            return url[len(_DOI_HOST) :]
    return None


def search_answer(data: bytes | str, where: str) -> tuple[int, list[DblpRecord]]:
    """``(@total, records)`` of one page of DBLP's JSON search answer; records that are not
    papers of the venue (the proceedings volume) are left out."""
    try:
        answer = json.loads(data)
        hits = answer["result"]["hits"]
        total = int(hits.get("@total", 0))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InputError(f"{where} is not a DBLP search answer (result.hits missing)") from None
    records = []
    for hit in _listed(hits.get("hit")):
        info = hit.get("info") if isinstance(hit, dict) else None
        if not isinstance(info, dict) or not isinstance(info.get("title"), str):
            continue
        kind = info.get("type")
        if kind and (not isinstance(kind, str) or kind not in PAPER_TYPES):
            continue
        authors = info.get("authors", {})
        names = _listed(authors.get("author") if isinstance(authors, dict) else None)
        ee = [url for url in _listed(info.get("ee")) if isinstance(url, str) and url]
        records.append(
            DblpRecord(
                title=clean_title(info["title"]),
                authors=[name for name in map(_author_of, names) if name],
                year=_year(info.get("year")),
                pages=_text_or_none(info.get("pages")),
                doi=_doi(_text_or_none(info.get("doi")), ee),
                ee=ee,
                key=_text_or_none(info.get("key")),
                venue=next((v for v in _listed(info.get("venue")) if isinstance(v, str)), None),
            )
        )
    return total, [record for record in records if record.title]


def toc_xml(data: bytes, where: str) -> tuple[str | None, list[DblpRecord]]:
    """``(title, records)`` of a DBLP table of contents in XML (``<bht title="NSDI 2025">``):
    each record's session is the heading above its ``<dblpcites>``."""
    root = parse_xml(data, where)
    if root.tag not in ("bht", "dblp"):
        raise InputError(f"{where} is not a DBLP table of contents (<bht> or <dblp> expected)")
    records: list[DblpRecord] = []
    session: str | None = None
    for element in root.iter():
        if element.tag in _HEADING_TAGS:
            session = " ".join("".join(element.itertext()).split()) or None
        elif element.tag in _RECORD_TAGS:
            record = _xml_record(element, session)
            if record is not None:
                records.append(record)
    return _clean(root.get("title")), records


def _xml_record(element: Any, session: str | None) -> DblpRecord | None:
    def text(tag: str) -> str | None:
        child = element.find(tag)
        value = " ".join("".join(child.itertext()).split()) if child is not None else ""
        return value or None

    title = clean_title(text("title") or "")
    if not title:
        return None
    ee = [" ".join((e.text or "").split()) for e in element.findall("ee") if (e.text or "").strip()]
    return DblpRecord(
        title=title,
        authors=[_author("".join(a.itertext())) for a in element.findall("author")],
        year=_year(text("year")),
        pages=text("pages"),
        doi=_doi(None, ee),
        ee=ee,
        key=element.get("key"),
        session=session,
        venue=text("booktitle") or text("journal"),
    )


def title_lines(text: str) -> list[DblpRecord]:
    """A title per line; ``#`` lines are session headings, blank lines and ``*``/``-``
    bullets are allowed (a list pasted from a conference page)."""
    records = []
    session: str | None = None
    for line in text.splitlines():
        line = " ".join(without_controls(line).split())
        if not line:
            continue
        if line.startswith("#"):
            session = line.lstrip("#").strip() or None
            continue
        title = clean_title(line.lstrip("*-• ").strip())
        if title:
            records.append(DblpRecord(title=title, session=session))
    return records


def read_venue_file(data: bytes, where: str) -> tuple[str | None, list[DblpRecord]]:
    """A local venue file: DBLP JSON, DBLP XML or titles, told apart by their first character.
    A file in UTF-16 (it starts with its byte order mark) is read as such; XML in it goes to
    the parser as it is, which reads the document's own encoding."""
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    text = data.decode("utf-16", "replace") if utf16 else data.decode("utf-8-sig", "replace")
    start = text.lstrip()[:1]
    if start == "{":
        return None, search_answer(text, where)[1]
    if start == "<":
        return toc_xml(data if utf16 else text.lstrip().encode("utf-8"), where)
    return None, title_lines(text)


def venue_named(records: Sequence[DblpRecord], year: int | None) -> str | None:
    """The venue DBLP's records name most often, with its year (``HotOS 2025``): the name of a
    venue given by a DBLP key that neither the table nor its table of contents names."""
    venues = Counter(" ".join(r.venue.split()) for r in records if r.venue)
    if not venues:
        return None
    name = venues.most_common(1)[0][0]
    years = Counter(r.year for r in records if r.year)
    year = year or (years.most_common(1)[0][0] if years else None)
    return f"{name} {year}" if year and str(year) not in name else name


def venue_source_name(venue: str) -> str:
    """The source a fetched venue is installed as: ``NSDI 2025`` -> ``NSDI-2025``."""
    return default_source_name(venue)


def venue_catalog(
    venue: str,
    records: Iterable[DblpRecord],
    *,
    label: str | None = None,
    year: int | None = None,
    url: str | None = None,
    location: str | None = None,
    fetched_at: dt.datetime | None = None,
) -> tuple[CatalogFile, dict[str, DblpMetadata]]:
    """The venue as a source of kind ``venue`` (titled with the venue's name) and the DBLP
    metadata of its papers by id. Papers keep DBLP's order; a title listed twice is one paper
    unless the two carry different DOIs (the lists' rule)."""
    fetched_at = fetched_at or dt.datetime.now(dt.UTC)
    source = venue_source_name(venue)
    collector = Collector(source)
    by_line: dict[int, DblpRecord] = {}
    for line, record in enumerate(records, 1):
        by_line[line] = record
        link = record.url
        collector.add(
            Draft(
                title=record.title,
                line=line,
                venue=venue,
                venue_label=label or venue,
                year=record.year or year,
                topics=[record.session] if record.session else [],
                links=[("link", link)] if link else [],
                url=link,
            )
        )
    papers = collector.papers()
    metadata = {}
    for paper in papers:
        record = by_line[paper.line]
        if record.authors or record.doi or record.pages or record.key:
            metadata[paper.id] = DblpMetadata(
                key=record.key,
                authors=record.authors,
                doi=record.doi,
                pages=record.pages,
                fetched_at=fetched_at,
            )
    catalog = CatalogFile(
        source=source,
        kind="venue",
        title=venue,
        origin=Origin(location=location, fetched_at=fetched_at) if location else None,
        papers=papers,
        venues=[Venue(name=venue, label=label or venue, url=url, year=year)],
    )
    return catalog, metadata

"""What a query compares, prepared once per catalog: folded field values and their rows.

A field filter is decided per distinct value, not per paper: ``venue:osdi`` folds and tests the
few hundred venue names once, then keeps the rows whose venue is one of those that matched (a
set lookup per row). Tags and topics are compared as each paper's values joined in one string;
papers share few distinct joins, so those are tested once each too. The index is built on first
use and kept as long as its catalog (catalogs are never changed, only replaced).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from paperdesk.catalog.folding import fold

if TYPE_CHECKING:
    from paperdesk.catalog.merged import Catalog

#: Where a link points to code, whatever its label says.
CODE_HOSTS = frozenset({"github.com", "gitlab.com", "codeberg.org", "bitbucket.org"})
_LABEL_TRIM = "[]() "


_CODE_URLS = tuple(
    f"{scheme}://{www}{host}/"
    for scheme in ("https", "http")
    for www in ("", "www.")
    for host in sorted(CODE_HOSTS)
)


def is_code_label(label: str) -> bool:
    """``[code]``, ``Code``, ``code (deepspeed)``, ``codes``…"""
    return fold(label).strip(_LABEL_TRIM).startswith("code")


def is_code_url(url: str) -> bool:
    return url[:40].lower().startswith(_CODE_URLS)


def is_code_link(label: str, url: str) -> bool:
    """A link labelled as code, or one to a code host: what ``has:code`` looks for."""
    return is_code_label(label) or is_code_url(url)


class CatalogIndex:
    """Folded values of one catalog's fields, each built when a query first needs it."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._postings: dict[str, dict[object, list[int]]] = {}

    @cached_property
    def venues(self) -> list[str]:
        """Per row: the folded venue name ('' for none)."""
        folded: dict[str | None, str] = {}
        result = []
        for venue in self.catalog.columns.venue:
            text = folded.get(venue)
            if text is None:
                text = folded[venue] = fold(venue or "")
            result.append(text)
        return result

    @cached_property
    def topics(self) -> list[str]:
        """Per row: the folded topics joined by newlines (a value never holds one)."""
        return _joined(self.catalog.columns.topics)

    @cached_property
    def tags(self) -> list[str]:
        return _joined(self.catalog.columns.tags)

    def column(self, field: str) -> Sequence[object]:
        """Per row, the compared value of ``year``, ``venue``, ``topic`` or ``tag``."""
        if field == "year":
            return self.catalog.columns.year
        return {"venue": self.venues, "topic": self.topics, "tag": self.tags}[field]

    def postings(self, field: str) -> dict[object, list[int]]:
        """Each distinct value of a compared column with its rows, in row order: a filter
        tests each value once, and a selective one starts from its rows alone."""
        cached = self._postings.get(field)
        if cached is None:
            cached = {}
            for row, value in enumerate(self.column(field)):
                rows = cached.get(value)
                if rows is None:
                    cached[value] = [row]
                else:
                    rows.append(row)
            self._postings[field] = cached
        return cached

    def prepare(self) -> None:
        """Build everything a query may need (off the UI thread, before the first keystroke)."""
        for field in ("year", "venue", "topic", "tag"):
            self.postings(field)
        self.code_rows  # noqa: B018
        self.arxiv_rows  # noqa: B018
        self.sources  # noqa: B018

    @cached_property
    def code_rows(self) -> frozenset[int]:
        columns = self.catalog.columns
        labels: dict[str, bool] = {}  # a list uses few distinct labels: fold each once
        rows = set()
        for row, (url, links) in enumerate(zip(columns.url, columns.links, strict=True)):
            if url and is_code_url(url):
                rows.add(row)
                continue
            for i in range(0, len(links), 2):
                label = links[i]
                code = labels.get(label)
                if code is None:
                    code = labels[label] = is_code_label(label)
                if code or is_code_url(links[i + 1]):
                    rows.add(row)
                    break
        return frozenset(rows)

    @cached_property
    def arxiv_rows(self) -> frozenset[int]:
        """Rows whose list gives an arXiv id (``enrich`` may find more: see the facts)."""
        return frozenset(row for row, arxiv in enumerate(self.catalog.columns.arxiv_id) if arxiv)

    @cached_property
    def sources(self) -> dict[str, frozenset[int]]:
        """Folded source name -> rows of every paper that source lists."""
        return {fold(name): frozenset(rows) for name, rows in self.catalog.source_rows.items()}


_indexes: weakref.WeakKeyDictionary[Catalog, CatalogIndex] = weakref.WeakKeyDictionary()


def index_of(catalog: Catalog) -> CatalogIndex:
    """The index of ``catalog``, shared by everything that queries it."""
    index = _indexes.get(catalog)
    if index is None:
        index = _indexes[catalog] = CatalogIndex(catalog)
    return index


def _joined(values: Sequence[list[str]]) -> list[str]:
    folded: dict[tuple[str, ...], str] = {}
    result = []
    for items in values:
        key = tuple(items)
        text = folded.get(key)
        if text is None:
            text = folded[key] = fold("\n".join(items))
        result.append(text)
    return result


def text_keys(
    catalog: Catalog,
    notes: Mapping[str, str],
    authors: Mapping[str, Sequence[str]],
) -> list[str]:
    """Per row, the folded text bare words search: the catalog's search key (title, venue,
    topics, tags, keywords), then the authors ``enrich`` found and the note."""
    keys = list(catalog.search_keys)
    by_id = catalog.by_id
    for paper_id in {*notes, *authors}:
        row = by_id.get(paper_id)
        if row is not None:
            keys[row] = text_key(keys[row], notes.get(paper_id), authors.get(paper_id))
    return keys


def text_key(key: str, note: str | None, authors: Sequence[str] | None) -> str:
    """A catalog search key with the paper's authors and note added."""
    parts = [key]
    if authors:
        parts.append(fold("\n".join(authors)))
    if note:
        parts.append(fold(note))
    return "\n".join(parts)

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
from urllib.parse import urlsplit

from paperdesk.catalog.folding import fold

if TYPE_CHECKING:
    from paperdesk.catalog.merged import Catalog

#: Where a link points to code, whatever its label says.
CODE_HOSTS = frozenset({"github.com", "gitlab.com", "codeberg.org", "bitbucket.org"})
_LABEL_TRIM = "[]() "


def is_code_link(label: str, url: str) -> bool:
    """A ``[code](…)`` link (``[Code]``, ``code (deepspeed)``, ``codes``…) or one to a code
    host: what ``has:code`` looks for."""
    if fold(label).strip(_LABEL_TRIM).startswith("code"):
        return True
    try:
        host = (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:
        return False
    return host in CODE_HOSTS


class CatalogIndex:
    """Folded values of one catalog's fields, each built when a query first needs it."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

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

    @cached_property
    def distinct(self) -> dict[str, frozenset]:
        """The distinct values of each compared column (a filter tests each one once)."""
        return {
            "year": frozenset(self.catalog.columns.year),
            "venue": frozenset(self.venues),
            "topic": frozenset(self.topics),
            "tag": frozenset(self.tags),
        }

    @cached_property
    def code_rows(self) -> frozenset[int]:
        columns = self.catalog.columns
        rows = set()
        for row, (url, links) in enumerate(zip(columns.url, columns.links, strict=True)):
            if url and is_code_link("", url):
                rows.add(row)
                continue
            for i in range(0, len(links), 2):
                if is_code_link(links[i], links[i + 1]):
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

"""Pydantic models of the catalog's boundaries: list files, TODO conferences, fetched metadata.

Files carry an explicit ``schema_version`` so a newer paperdesk can migrate an older file and an
older paperdesk can refuse a newer one instead of silently dropping fields. Models build their
validators lazily (``defer_build``) so CLI commands only pay for the models they touch. The
papers, venues and websites inside a catalog file are the plain records of
:mod:`paperdesk.catalog.records`, validated here field by field like any model.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from paperdesk.catalog.records import Paper, Venue, Website

CATALOG_SCHEMA_VERSION = 1

#: ``venue`` is a conference's accepted papers, fetched from DBLP or a file, to triage.
CatalogKind = Literal["list", "daily", "venue"]


class Model(BaseModel):
    """Base for all models: lazy validator build, unknown keys ignored for forward compatibility."""

    model_config = ConfigDict(defer_build=True, extra="ignore")


class TodoItem(Model):
    """A conference still to review. ``date`` is parsed from the note when the list gives one."""

    name: str
    url: str | None = None
    note: str | None = None
    date: dt.date | None = None
    done: bool = False


def plain_todo(item: TodoItem) -> TodoItem:
    """A TODO as lists and exports show it, without the store's bookkeeping fields."""
    return TodoItem.model_validate(item.model_dump())


class ImportWarning(Model):
    """Something the importer could not place; never an exception.

    ``kind`` is ``"skipped"`` for a line that looked like a paper (it links to one, or names
    its venue) but was not imported: ``import --report`` lists those.
    """

    line: int
    message: str
    kind: Literal["skipped"] | None = None


class Origin(Model):
    """Where a source came from, with what a conditional re-fetch needs."""

    location: str
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: dt.datetime | None = None


class CatalogFile(Model):
    """One imported list (a source) as written to ``papers.json`` or ``$HOME/sources/NAME.json``."""

    schema_version: int = CATALOG_SCHEMA_VERSION
    source: str
    kind: CatalogKind = "list"
    title: str | None = None
    origin: Origin | None = None
    daily_link: str | None = None
    papers: list[Paper] = Field(default_factory=list)
    venues: list[Venue] = Field(default_factory=list)
    websites: list[Website] = Field(default_factory=list)
    todos: list[TodoItem] = Field(default_factory=list)
    warnings: list[ImportWarning] = Field(default_factory=list)

    @property
    def venue_names(self) -> list[str]:
        """The distinct venues of the list's papers in list order, as ``venues`` lists them (a
        list may give one venue two sections, or papers a venue with no section)."""
        return list(dict.fromkeys(paper.venue for paper in self.papers if paper.venue))


class ArxivMetadata(Model):
    """What ``enrich`` keeps of an arXiv entry, cached in the home by paper id."""

    arxiv_id: str
    title: str
    abstract: str
    authors: list[str] = Field(default_factory=list)
    published: dt.date | None = None
    categories: list[str] = Field(default_factory=list)
    fetched_at: dt.datetime


class DblpMetadata(Model):
    """What ``venue fetch`` keeps of a DBLP record, cached in the home by paper id: the venue's
    source file holds the paper as every list does, this what only DBLP knows."""

    key: str | None = None
    authors: list[str] = Field(default_factory=list)
    doi: str | None = None
    pages: str | None = None
    fetched_at: dt.datetime

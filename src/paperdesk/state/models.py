"""Pydantic models of the store's records: paper states with their history, TODOs, metadata.

The store validates them on the way in and lazily on the way out (see
:mod:`paperdesk.state.store`); the base model and the TODO item are the catalog's, since a
list's TODO section and the store's TODO records are one thing at two stages.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from paperdesk.catalog.models import Model, TodoItem
from paperdesk.catalog.records import Status
from paperdesk.state.file_format import STORE_SCHEMA_VERSION, VIEW_NAME_MAX


class StatusChange(Model):
    """One entry of a paper's status history (UTC)."""

    status: Status
    at: dt.datetime


class PaperState(Model):
    """The reading state of one paper, keyed by paper id in the store.

    ``title``/``venue``/``source`` are a copy of the paper at the last write, so state whose
    paper left every list (an orphan) can still be recognised and relinked. ``status_from``
    names the other machine whose mark set the status (None: this one); ``note_heads`` are
    the log's note versions the note shows (several when it was edited on two machines
    apart, see :mod:`paperdesk.state.merge`).
    """

    id: str
    status: Status = "unread"
    history: list[StatusChange] = Field(default_factory=list)
    note: str | None = None
    title: str = ""
    venue: str | None = None
    source: str = ""
    previous_ids: list[str] = Field(default_factory=list)
    created_at: dt.datetime
    updated_at: dt.datetime
    status_from: str | None = None
    note_heads: list[str] = Field(default_factory=list)


class StoredTodo(TodoItem):
    """A TODO conference in the store; ``removed`` keeps a re-import from bringing it back."""

    added_by: Literal["import", "user"] = "user"
    removed: bool = False
    updated_at: dt.datetime | None = None


class CitationKey(Model):
    """The BibTeX key given to a paper, keyed by paper id in the store. Given once and kept, so
    a document citing it never cites another paper; ``title``/``source`` are a copy of the paper
    when it was given, so the key can follow the paper when an edited title changes its id."""

    key: str = Field(min_length=1)
    title: str = ""
    source: str = ""
    assigned_at: dt.datetime


class SavedView(Model):
    """A named query (``paperdesk view save``), kept as the text the user wrote: the desk binds
    the first nine, in the order they were saved, to the keys 1-9."""

    name: str = Field(min_length=1, max_length=VIEW_NAME_MAX)
    query: str
    created_at: dt.datetime


class QueueOrder(Model):
    """The order the user gave the queued papers (paper ids, first to read first). Queued
    papers missing from it follow, oldest first; ids no longer queued are dropped."""

    ids: list[str] = Field(default_factory=list)


class MergeInfo(Model):
    """The last time events made on other machines came in (``state sync`` or ``import``)."""

    at: dt.datetime
    machines: list[str]
    events: int
    papers: int


class InboxEntry(Model):
    """A paper in the inbox, keyed by paper id: when it arrived and with which source."""

    since: dt.datetime
    source: str = ""


class StoreMeta(Model):
    """The store's metadata record. ``log``: how many bytes of each log file the store has
    applied (what lies beyond is applied at the next open or write); ``clock``: the latest
    clock stamp this home issued or saw (:mod:`paperdesk.state.clock`)."""

    schema_version: int = STORE_SCHEMA_VERSION
    created_at: dt.datetime
    settings: dict[str, str] = Field(default_factory=dict)
    log: dict[str, int] = Field(default_factory=dict)
    clock: str | None = None
    merged: MergeInfo | None = None

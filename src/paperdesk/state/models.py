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
from paperdesk.state.file_format import STORE_SCHEMA_VERSION


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


class MergeInfo(Model):
    """The last time events made on other machines came in (``state sync`` or ``import``)."""

    at: dt.datetime
    machines: list[str]
    events: int
    papers: int


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

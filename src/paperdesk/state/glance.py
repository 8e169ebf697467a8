"""The store read without opening it: for the desk's first frame, and for commands that print.

Opening the store (:class:`paperdesk.state.store.Store`) validates its records with pydantic, and
importing pydantic alone costs more than the desk's whole first frame, or than ``paperdesk
show`` may take in all. Two ways around it, each for what it is used for:

- :func:`glance` takes statuses, notes and settings as the file holds them, never raising: a
  file it cannot make sense of is an empty look. The desk draws its first frame from it and
  opens the store in the background; the validated states then replace the look, and a store
  that does not validate ends the desk with the store's own one-line error.
- :func:`vouched_states` returns states only from a file whose checksum vouches that
  paperdesk wrote it exactly so (:mod:`paperdesk.state.file_format`) and that has applied every
  event of the log beside it, and None for any other file, which the caller then reads through
  the validating store (which applies the rest of the log).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperdesk.catalog.records import STATUSES
from paperdesk.locations import LOG_DIR_NAME
from paperdesk.state.file_format import (
    INBOX,
    META,
    META_ID,
    PAPERS,
    STORE_SCHEMA_VERSION,
    TODOS,
    VIEWS,
    log_sizes,
    verified_tables,
)

if TYPE_CHECKING:
    from paperdesk.state.models import PaperState


@dataclass(frozen=True, slots=True)
class Look:
    """One paper's status and note as the store file holds them, and the copy of its title,
    venue and source that names it when no list holds it any more (an orphan)."""

    status: str
    note: str | None
    title: str = ""
    venue: str | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class TodoLook:
    """A TODO conference's name, date and done mark as the store file holds them."""

    name: str
    date: str | None
    done: bool
    removed: bool


@dataclass(frozen=True)
class StoreGlance:
    """Paper id -> its look, the store's settings (the theme, the desk's view), its saved
    views, the ids in the inbox and the stored TODO conferences."""

    states: dict[str, Look] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    #: (name, query) of each saved view, in the order they were saved.
    views: list[tuple[str, str]] = field(default_factory=list)
    inbox: frozenset[str] = frozenset()
    todos: list[TodoLook] = field(default_factory=list)


def _text(value: object, default: str | None = None) -> str | None:
    return value if isinstance(value, str) else default


def glance(path: Path) -> StoreGlance:
    """What ``path`` holds, read with ``json`` alone; an empty look if it holds nothing usable."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return StoreGlance()
    if not isinstance(data, dict):
        return StoreGlance()
    papers = data.get(PAPERS)
    states = {}
    if isinstance(papers, dict):
        known = set(STATUSES)
        for paper_id, record in papers.items():
            if not isinstance(record, dict):
                continue
            status = record.get("status", "unread")
            states[paper_id] = Look(
                status if isinstance(status, str) and status in known else "unread",
                _text(record.get("note")),
                _text(record.get("title"), "") or "",
                _text(record.get("venue")),
                _text(record.get("source"), "") or "",
            )
    inbox = data.get(INBOX)
    todos = []
    table = data.get(TODOS)
    if isinstance(table, dict):
        for record in table.values():
            if isinstance(record, dict) and isinstance(record.get("name"), str):
                todos.append(
                    TodoLook(
                        record["name"],
                        _text(record.get("date")),
                        record.get("done") is True,
                        record.get("removed") is True,
                    )
                )
    meta = data.get(META)
    record = meta.get(META_ID) if isinstance(meta, dict) else None
    settings = record.get("settings") if isinstance(record, dict) else None
    if not isinstance(settings, dict):
        settings = {}
    return StoreGlance(
        states,
        {k: v for k, v in settings.items() if isinstance(k, str) and isinstance(v, str)},
        _views(data.get(VIEWS)),
        frozenset(inbox) if isinstance(inbox, dict) else frozenset(),
        todos,
    )


def _views(table: Any) -> list[tuple[str, str]]:
    """The saved views of a raw ``views`` table (records that make no sense are left out)."""
    if not isinstance(table, dict):
        return []
    found = []
    for record in table.values():
        if not isinstance(record, dict):
            continue
        name, query, created = record.get("name"), record.get("query"), record.get("created_at")
        if isinstance(name, str) and name and isinstance(query, str):
            found.append((str(created), name, query))
    return [(name, query) for _, name, query in sorted(found)]


@dataclass(frozen=True, kw_only=True)
class StateView:
    """What ``show`` and ``list`` print of a paper's state; ``history`` as JSON records."""

    status: str
    note: str | None
    updated_at: dt.datetime
    history: list[dict[str, Any]]

    @classmethod
    def of(cls, state: PaperState) -> StateView:
        """The view of a state the store validated."""
        return cls(
            status=state.status,
            note=state.note,
            updated_at=state.updated_at,
            history=[change.model_dump(mode="json") for change in state.history],
        )


def vouched_states(path: Path) -> dict[str, StateView] | None:
    """Every paper's state from a store file paperdesk wrote and nobody changed since, or None
    when the file cannot vouch for itself (then read it through the store). A home without a
    store file has no states (a link to a missing file is for the store to refuse)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None if path.is_symlink() else {}
    except OSError:
        return None
    tables = verified_tables(raw)
    if tables is None:
        return None
    meta = tables.get(META, {}).get(META_ID)
    if not isinstance(meta, dict) or meta.get("schema_version") != STORE_SCHEMA_VERSION:
        return None  # older, newer or odd: the store migrates or refuses it
    if log_sizes(path.parent / LOG_DIR_NAME) != meta.get("log", {}):
        return None  # the log holds events the store has not applied: the store applies them
    # Only validated records are vouched for, so fields are there and of their type (left-out
    # fields are at their default: the store writes records compactly). The checks below are
    # for a file that a bug or a checksum collision let through: it is read through the store.
    try:
        states = {
            paper_id: StateView(
                status=record.get("status", "unread"),
                note=record.get("note"),
                updated_at=dt.datetime.fromisoformat(record["updated_at"]),
                history=record.get("history", []),
            )
            for paper_id, record in tables.get(PAPERS, {}).items()
        }
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    known = set(STATUSES)
    for state in states.values():
        if not isinstance(state.status, str) or state.status not in known:
            return None
        if not isinstance(state.note, str | None):
            return None
        if not isinstance(state.history, list):
            return None
    return states

"""A look at the store without opening it: statuses, notes and settings as the file holds them.

Opening the store (:class:`paperdesk.store.Store`) validates its records with pydantic, which
costs more than the desk's whole first frame. The desk draws that frame from this look and
opens the store in the background; the validated states then replace the look, and a store
that does not validate ends the desk with the store's own one-line error. So a look never
raises: a file it cannot make sense of gives an empty look, and of each record only a status
the store knows and a note that is text are taken.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from paperdesk.records import STATUSES

#: The tables of the store file (``{table: {doc_id: document}}``, TinyDB's layout).
PAPERS, TODOS, META = "papers", "todos", "meta"
META_ID = "1"


@dataclass(frozen=True, slots=True)
class Look:
    """One paper's status and note as the store file holds them."""

    status: str
    note: str | None


@dataclass(frozen=True)
class StoreGlance:
    """Paper id -> its look, and the store's settings (the theme)."""

    states: dict[str, Look] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)


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
            note = record.get("note")
            states[paper_id] = Look(
                status if isinstance(status, str) and status in known else "unread",
                note if isinstance(note, str) else None,
            )
    meta = data.get(META)
    record = meta.get(META_ID) if isinstance(meta, dict) else None
    settings = record.get("settings") if isinstance(record, dict) else None
    if not isinstance(settings, dict):
        settings = {}
    return StoreGlance(
        states, {k: v for k, v in settings.items() if isinstance(k, str) and isinstance(v, str)}
    )

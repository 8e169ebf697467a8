"""What the navigation tree can point at, and the list's sorts: plain data, no models.

Kept apart from :mod:`paperdesk.tui.desk_model` so the widgets can name selections without
importing the pydantic models before the first frame.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

SelectionKind = Literal["smart", "view", "venue", "topic", "source", "day", "website", "group"]
SORTS: tuple[str, ...] = ("list", "title", "venue", "status", "changed")
SORT_LABELS = {
    "list": "list order",
    "title": "title",
    "venue": "venue",
    "status": "status",
    "changed": "last change",
}
SMART_LISTS: tuple[tuple[str, str], ...] = (
    ("all", "All"),
    ("unread", "Unread"),
    ("queued", "Queue"),
    ("reading", "Reading"),
    ("read", "Read"),
    ("skipped", "Skipped"),
    ("notes", "With notes"),
)
NEW_SINCE_SYNC = "new"
#: The smart list of queued papers is the reading queue, in the order the user gave it.
QUEUED = "queued"


@dataclass(frozen=True)
class Selection:
    """What the navigation tree points at; the paper list shows its rows."""

    kind: SelectionKind
    key: str = ""
    label: str = ""
    venue: str | None = None
    url: str | None = None
    day: dt.date | None = None


ALL = Selection("smart", "all", "All")

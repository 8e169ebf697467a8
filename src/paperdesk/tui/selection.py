"""What the navigation tree can point at, and the list's sorts: plain data, no models.

Kept apart from :mod:`paperdesk.tui.desk_model` so the widgets can name selections without
importing the pydantic models before the first frame. A selection is also what the desk
remembers of its view between runs (:meth:`Selection.as_record`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any, Literal, cast, get_args

SelectionKind = Literal["smart", "view", "venue", "topic", "source", "day", "website", "group"]
SORTS: tuple[str, ...] = ("list", "title", "venue", "status", "changed")
SORT_LABELS = {
    "list": "list order",
    "title": "title",
    "venue": "venue",
    "status": "status",
    "changed": "last change",
}
INBOX = "inbox"
ORPHANS = "orphans"
#: The Library's smart lists, in order: key and name. The one place to add one (the model
#: gives its rows and count, :meth:`paperdesk.tui.desk_model.DeskModel.rows_for`).
SMART_LISTS: tuple[tuple[str, str], ...] = (
    ("all", "All"),
    (INBOX, "Inbox"),
    ("unread", "Unread"),
    ("queued", "Queue"),
    ("reading", "Reading"),
    ("read", "Read"),
    ("skipped", "Skipped"),
    ("notes", "With notes"),
    (ORPHANS, "Orphans"),
)
#: The smart list of queued papers is the reading queue, in the order the user gave it.
QUEUED = "queued"
#: The smart lists that show curated lists only, unless ``[desk] feeds_in_all`` is set.
LIBRARY_ONLY = frozenset({"all", "unread"})


@dataclass(frozen=True)
class Selection:
    """What the navigation tree points at; the paper list shows its rows.

    ``source`` narrows a venue, a topic or a day to one source (browsing a source in its own
    structure); a topic with an empty ``key`` is that source's papers without a topic.
    """

    kind: SelectionKind
    key: str = ""
    label: str = ""
    venue: str | None = None
    url: str | None = None
    day: dt.date | None = None
    source: str | None = None

    def as_record(self) -> dict[str, Any]:
        """The selection as JSON data (the desk's remembered view)."""
        record = asdict(self)
        record["day"] = self.day.isoformat() if self.day else None
        return record

    @classmethod
    def from_record(cls, record: object) -> Selection | None:
        """A selection remembered by :meth:`as_record`, or None for anything else."""
        if not isinstance(record, dict) or record.get("kind") not in get_args(SelectionKind):
            return None
        texts = {}
        for name in ("key", "label", "venue", "url", "source", "day"):
            value = record.get(name)
            if value is not None and not isinstance(value, str):
                return None
            texts[name] = value
        try:
            day = dt.date.fromisoformat(texts["day"]) if texts["day"] else None
        except ValueError:
            return None
        return cls(
            kind=cast(SelectionKind, record["kind"]),
            key=texts["key"] or "",
            label=texts["label"] or "",
            venue=texts["venue"],
            url=texts["url"],
            day=day,
            source=texts["source"],
        )


def same_place(a: Selection, b: Selection) -> bool:
    """The same place in the Library, whatever its label says now."""
    return (a.kind, a.key, a.venue, a.source, a.day) == (b.kind, b.key, b.venue, b.source, b.day)


ALL = Selection("smart", "all", "All")

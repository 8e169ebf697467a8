"""The plain records the core passes around: papers, their links, venues, websites, statuses.

Frozen dataclasses rather than pydantic models, so the desk and the CLI can build them from the
catalog cache without importing pydantic (about 0.2 s here: the whole first-frame budget).
Nothing is less validated for it: :class:`paperdesk.catalog.models.CatalogFile` holds these
records, and pydantic checks every field of every paper whenever a list or a source file is read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

from paperdesk.errors import UnknownStatusError

Status = Literal["unread", "queued", "reading", "read", "skipped"]
STATUSES: tuple[str, ...] = get_args(Status)

#: A year in a venue's name, a heading or a title ("OSDI 2024", "NeurIPS2023"); group 1 is it.
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def parse_status(text: str) -> Status:
    """A status the user typed; every command and the store check statuses here."""
    if text not in STATUSES:
        raise UnknownStatusError(f"unknown status {text!r}; use one of: {', '.join(STATUSES)}")
    return cast(Status, text)


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """A labelled link next to a paper (``[paper](url)``, ``[code](url)``, a bare URL...)."""

    label: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Paper:
    """One paper of a list; ``id`` comes from :mod:`paperdesk.catalog.identity`, survives edits."""

    id: str
    title: str
    venue: str | None = None
    venue_label: str | None = None
    year: int | None = None
    topics: list[str] = field(default_factory=list)
    url: str | None = None
    links: list[Link] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    date: dt.date | None = None
    arxiv_id: str | None = None
    summary: str | None = None
    prefix: str | None = None
    source: str = ""
    line: int = 0

    def as_json(self) -> dict[str, Any]:
        """The paper as JSON data (what ``show --json`` prints), fields in declaration order."""
        record = dataclasses.asdict(self)
        record["date"] = self.date.isoformat() if self.date else None
        return record


@dataclass(frozen=True, slots=True, kw_only=True)
class Venue:
    """A venue section of a list: canonical name (``EuroSys 2025``) and the label shown."""

    name: str
    label: str
    url: str | None = None
    year: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Website:
    """An entry of a list's "useful website" section; ``group`` is the parent bullet, if nested."""

    name: str
    url: str
    description: str | None = None
    group: str | None = None

"""Triage of a venue's accepted papers: which are done, and the counts shown while triaging.

Triage keeps no state of its own. A paper is triaged once it has any status but ``unread``:
pick is ``queued``, skip is ``skipped``, read is ``read``. So a paper read earlier as an arXiv
preprint (the same id, by the identity rule) is already triaged in its venue, ``paperdesk
mark`` triages as the triage keys do, and undo, history and sync across machines come with the
reading state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from paperdesk.catalog.records import Status

PICK: Status = "queued"
SKIP: Status = "skipped"
READ: Status = "read"


def is_triaged(status: str) -> bool:
    """Whether a paper with ``status`` needs no more triage."""
    return status != "unread"


class TriageCount(NamedTuple):
    """Progress through a venue, as ``37/312 triaged · 21 picked`` shows it."""

    total: int
    triaged: int
    picked: int

    def __str__(self) -> str:
        return f"{self.triaged}/{self.total} triaged · {self.picked} picked"

    @property
    def done(self) -> bool:
        return self.total > 0 and self.triaged == self.total


def count(statuses: Iterable[str]) -> TriageCount:
    """The progress of a venue whose papers have ``statuses``."""
    total = triaged = picked = 0
    for status in statuses:
        total += 1
        triaged += is_triaged(status)
        picked += status == PICK
    return TriageCount(total, triaged, picked)

"""Steps: what one command or key did, as the log records it -- what ``undo`` and ``history`` see.

A step is the group of events sharing a step id: ``mark --venue X read`` is one step of as many
status events as papers it changed, a note edited in the desk is one step however often it
autosaved. ``paperdesk undo`` reverts the last step (by clock, whichever machine made it) that
was made by a user, changed statuses or notes, and is not undone already; undoing is itself a
step, of events that name the step they undo (:mod:`paperdesk.state.merge` says what that
means for the state), and is never undone in turn: ``undo`` again reverts the step before.

Both read the log newest first (:meth:`~paperdesk.state.log.EventLog.newest_first`), so they
cost what the last steps take, not the whole log. The events of one step are written together,
so they are adjacent in that order.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from paperdesk.state.clock import Clock
from paperdesk.state.events import AnyEvent, NoteEvent, PaperEvent, StatusEvent

UNDOABLE_ORIGINS = frozenset({"user"})


@dataclass
class Step:
    """One step: its events (newest first as read) and what they say."""

    id: str
    machine: str
    label: str
    origin: str
    events: list[PaperEvent] = field(default_factory=list)
    #: The undo step that reverted this one, once seen.
    undone_by: str | None = None

    @property
    def clock(self) -> str:
        return max(event.clock for event in self.events)

    @property
    def at(self) -> dt.datetime:
        return Clock.parse(self.clock).at

    @property
    def undoes(self) -> str | None:
        return next((e.undoes for e in self.events if e.undoes is not None), None)

    @property
    def kind(self) -> str:
        """``undo``, ``status`` or ``note``."""
        if self.undoes is not None:
            return "undo"
        return "status" if any(isinstance(e, StatusEvent) for e in self.events) else "note"

    @property
    def papers(self) -> list[str]:
        """The papers the step touched, in the order it wrote them."""
        return list(dict.fromkeys(event.paper for event in reversed(self.events)))

    @property
    def titles(self) -> dict[str, str]:
        return {event.paper: event.title for event in reversed(self.events)}

    @property
    def status(self) -> str | None:
        """The status a status step set (the most common one, for a step of several)."""
        statuses = [e.status for e in self.events if isinstance(e, StatusEvent)]
        return max(set(statuses), key=statuses.count) if statuses else None

    def before(self) -> dict[str, str]:
        """Paper -> the status it had before this step (status steps)."""
        return {e.paper: e.before for e in reversed(self.events) if isinstance(e, StatusEvent)}

    @property
    def undoable(self) -> bool:
        return self.origin in UNDOABLE_ORIGINS and self.kind in ("status", "note")

    def describe(self) -> str:
        """One line for people: ``read: 23 papers``, ``note: <title>``, ``undo of …``."""
        papers = self.papers
        first = self.titles.get(papers[0], papers[0]) if papers else ""
        what = first if len(papers) == 1 else f"{len(papers)} papers"
        if self.kind == "note":
            return f"note: {what}"
        if self.kind == "undo":
            return f"undo: {what}"
        return f"{self.status}: {what}"

    def as_json(self) -> dict[str, Any]:
        """The step as ``history --json`` prints it."""
        return {
            "step": self.id,
            "kind": self.kind,
            "at": self.at.isoformat(),
            "machine": self.machine,
            "label": self.label,
            "origin": self.origin,
            "status": self.status if self.kind == "status" else None,
            "papers": [
                {"id": pid, "title": self.titles.get(pid, ""), **self._paper_change(pid)}
                for pid in self.papers
            ],
            "undoes": self.undoes,
            "undone_by": self.undone_by,
        }

    def _paper_change(self, paper_id: str) -> dict[str, Any]:
        for event in self.events:
            if event.paper != paper_id:
                continue
            if isinstance(event, StatusEvent):
                return {"status": event.status, "before": event.before}
            if isinstance(event, NoteEvent):
                return {"note": event.note}
        return {}


def undo_message(step: Step, statuses: list[str], here: str) -> str:
    """What an undo says: ``undid read: 23 papers; now 22 unread, 1 reading``, or
    ``undid note: <title>``, with the machine when the step was made on another than
    ``here`` (this machine's id)."""
    made = f" (made on {step.label or step.machine})" if step.machine != here else ""
    if step.kind != "status":
        return f"undid {step.describe()}{made}"
    counts = Counter(statuses)
    now = ", ".join(f"{n} {status}" for status, n in counts.most_common())
    return f"undid {step.describe()}{made}; now {now}"


def steps_newest_first(events: Iterable[AnyEvent], paper: str | None = None) -> Iterator[Step]:
    """The status and note steps of a log read newest first (``paper``: only steps that
    touched it). A step is yielded once its run of adjacent events ends; events of a step
    seen again later (a note edited while another step was written) join the step yielded."""
    current: Step | None = None
    seen: dict[str, Step] = {}
    undone: dict[str, str] = {}
    for event in events:
        if not isinstance(event, PaperEvent) or (paper is not None and event.paper != paper):
            continue
        if current is not None and event.step == current.id:
            current.events.append(event)
            continue
        earlier = seen.get(event.step)
        if earlier is not None:
            earlier.events.append(event)
            continue
        if current is not None:
            yield current
        current = Step(event.step, event.machine, event.label, event.origin, [event])
        seen[event.step] = current
        if event.undoes is not None:
            undone[event.undoes] = event.step
        current.undone_by = undone.get(event.step)
    if current is not None:
        yield current


def last_undoable(events: Iterable[AnyEvent]) -> Step | None:
    """The step ``undo`` reverts: the newest undoable step not undone yet (None: nothing)."""
    undone: set[str] = set()
    for step in steps_newest_first(events):
        undoes = step.undoes
        if undoes is not None:
            undone.add(undoes)
        elif step.undoable and step.id not in undone:
            return step
    return None


def recent_steps(
    events: Iterable[AnyEvent], paper: str | None = None, limit: int | None = 20
) -> list[Step]:
    """The last ``limit`` steps (all with None), newest first, each knowing its undo."""
    found: list[Step] = []
    for step in steps_newest_first(events, paper):
        if limit is not None and len(found) >= limit:
            break
        found.append(step)
    return found

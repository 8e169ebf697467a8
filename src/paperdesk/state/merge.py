"""How the events of several machines make one reading state: the merge rules.

The state of a home is a function of the *set* of events its log holds -- the union of every
machine's file, de-duplicated by event id -- and never of the order in which they arrived. So
merging two logs (a union of sets) is commutative, associative and idempotent, and two homes
holding the same events show the same state (``tests/test_merge.py`` checks this with
hypothesis). The rules, per paper:

- **Order.** Events are ordered by their hybrid-logical-clock stamp, then machine id, then
  event id (:attr:`~paperdesk.state.events.EventBase.key`): a total order every home agrees on.
- **Undo.** An event that ``undoes`` step S takes S's events about that paper out of the count,
  and counts for nothing itself. Undoing is thus exact whatever else happened meanwhile: the
  paper is as if the step had never been made.
- **Status.** The latest counting status event wins; a paper without one is unread. The
  status history is the counting status events in order.
- **Notes.** A note event replaces the versions named in its ``base`` (the ones its machine
  showed when the edit was made). The versions no counting event replaces are the note's
  *heads*. One head is the note. Several heads are edits made on different machines since
  their last common state: the note shows every non-empty version, oldest first, each under a
  marker line naming its machine and time (identical texts once) -- nothing is dropped. The
  next edit replaces all the heads it showed, so editing the combined note settles it.
- **Relinks.** A relink moves a paper's state to the id of its edited title: events of the old
  id count for the new one, and the new id's own events the relinking machine had seen (it
  relinks only onto a paper that carried nothing) stop counting; events made elsewhere
  meanwhile still count. Relinks apply in clock order; a later relink back undoes an
  earlier one, so a title edited and then edited back does not loop.
- **TODO conferences** merge by name, ignoring case. Each field takes the value of its latest
  event, where events from importing a list rank below every edit by the user, so a re-import
  on one machine never undoes an edit made on another. Removing is the field ``removed``: a
  removal wins over older edits, and only an explicit later add brings the TODO back.

Everything here is pure (events in, state out): :class:`~paperdesk.state.store.Store` applies
the results, and the same functions rebuild a store from its log.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from paperdesk.state.events import (
    AnyEvent,
    NoteEvent,
    PaperEvent,
    RelinkEvent,
    StatusEvent,
    TodoEvent,
)
from paperdesk.state.models import StatusChange, StoredTodo

#: What frames each version of a note edited on several machines.
VERSION_MARK = "──"


@dataclass(frozen=True)
class PaperFold:
    """A paper's reading state as its events make it."""

    id: str
    status: str
    status_from: str | None
    history: list[StatusChange]
    note: str | None
    note_heads: list[str]
    title: str
    venue: str | None
    source: str
    created_at: dt.datetime
    updated_at: dt.datetime
    previous_ids: list[str] = field(default_factory=list)

    def reading(self) -> dict[str, Any]:
        """The fields a paper's events decide (what a rebuild must reproduce)."""
        return {
            "status": self.status,
            "status_from": self.status_from,
            "history": self.history,
            "note": self.note,
            "note_heads": self.note_heads,
        }


def union(*logs: Iterable[AnyEvent]) -> list[AnyEvent]:
    """The merge of logs: every event once (by id), in the total order."""
    unique: dict[str, AnyEvent] = {}
    for log in logs:
        for event in log:
            unique.setdefault(event.id, event)
    return sorted(unique.values(), key=lambda event: event.key)


def aliases(relinks: Iterable[AnyEvent]) -> dict[str, str]:
    """Old paper id -> the id its state moved to, after every relink (see the module rules)."""
    moved: dict[str, str] = {}
    for event in sorted(relinks, key=lambda event: event.key):
        if isinstance(event, RelinkEvent) and event.old != event.paper:
            moved[event.old] = event.paper
            moved.pop(event.paper, None)  # the target is a live id again
    return moved


def resolve(paper_id: str, moved: dict[str, str]) -> str:
    """Where ``paper_id``'s state lives now, following relinks (cycles cannot form, see
    :func:`aliases`, but a hand-made log is cut short rather than followed forever)."""
    seen = {paper_id}
    while paper_id in moved:
        paper_id = moved[paper_id]
        if paper_id in seen:
            break
        seen.add(paper_id)
    return paper_id


def fold_papers(events: Iterable[AnyEvent], local_machine: str) -> dict[str, PaperFold]:
    """Every paper's state from a log (any order, duplicates allowed)."""
    events = union(events)
    moved = aliases(events)
    groups: dict[str, list[PaperEvent]] = defaultdict(list)
    for event in events:
        if isinstance(event, PaperEvent):
            groups[resolve(event.paper, moved)].append(event)
    previous: dict[str, list[str]] = defaultdict(list)
    for old in moved:
        previous[resolve(old, moved)].append(old)
    replaced = {
        version for event in events if isinstance(event, RelinkEvent) for version in event.replaces
    }
    return {
        paper_id: fold_paper(paper_id, group, local_machine, previous.get(paper_id, []), replaced)
        for paper_id, group in groups.items()
    }


def fold_paper(
    paper_id: str,
    events: Sequence[PaperEvent],
    local_machine: str,
    previous_ids: Sequence[str] = (),
    replaced: Collection[str] = (),
) -> PaperFold:
    """One paper's state from all of its events, sorted (see the module rules); events in
    ``replaced`` (by a relink onto this paper) do not count."""
    undone = {event.undoes for event in events if event.undoes is not None}
    counting = [
        e for e in events if e.undoes is None and e.step not in undone and e.id not in replaced
    ]
    statuses = [e for e in counting if isinstance(e, StatusEvent)]
    notes = [e for e in counting if isinstance(e, NoteEvent)]
    replaced = {version for e in notes for version in e.base}
    heads = [e for e in notes if e.id not in replaced]
    winner = statuses[-1] if statuses else None
    latest = events[-1]
    return PaperFold(
        id=paper_id,
        status=winner.status if winner else "unread",
        status_from=status_from(winner, local_machine) if winner else None,
        history=[StatusChange(status=e.status, at=e.stamp.at) for e in statuses],
        note=render_note(heads),
        note_heads=[e.id for e in heads],
        title=latest.title,
        venue=latest.venue,
        source=latest.source,
        created_at=events[0].stamp.at,
        updated_at=latest.stamp.at,
        previous_ids=sorted(previous_ids),
    )


def status_from(event: AnyEvent, local_machine: str) -> str | None:
    """Where a status came from: the other machine's label, None for this machine."""
    return None if event.machine == local_machine else (event.label or event.machine)


def render_note(heads: Sequence[NoteEvent]) -> str | None:
    """The note the heads make: one text, or every distinct version under its marker."""
    versions: list[NoteEvent] = []
    seen: set[str] = set()
    for head in heads:
        if head.note and head.note not in seen:
            seen.add(head.note)
            versions.append(head)
    if len(versions) <= 1:
        return versions[0].note if versions else None
    return "\n\n".join(f"{version_marker(head)}\n{head.note}" for head in versions)


def version_marker(head: NoteEvent) -> str:
    """The line above one version of a note edited on several machines (UTC, so every
    machine shows the same text)."""
    when = f"{head.stamp.at:%Y-%m-%d %H:%M} UTC"
    return f"{VERSION_MARK} {head.label or head.machine}, {when} {VERSION_MARK}"


def todo_key(name: str) -> str:
    return name.strip().casefold()


def fold_todos(events: Iterable[AnyEvent]) -> dict[str, StoredTodo]:
    """Every TODO conference from a log, by :func:`todo_key` (see the module rules)."""
    groups: dict[str, list[TodoEvent]] = defaultdict(list)
    for event in union(events):
        if isinstance(event, TodoEvent):
            groups[todo_key(event.todo)].append(event)
    return {key: fold_todo(group) for key, group in groups.items()}


def fold_todo(events: Sequence[TodoEvent]) -> StoredTodo:
    """One TODO from all of its events, sorted."""
    ranked = sorted(events, key=lambda e: (e.origin != "import", e.key))
    values: dict[str, Any] = {"name": events[0].todo}
    for event in ranked:
        values.update(event.fields)
    values["updated_at"] = events[-1].stamp.at
    return StoredTodo.model_validate(values)

"""The events of the reading-state log: one JSON object per line, each one change.

Every change of reading state -- a status, a note, a TODO conference, a paper's state moving to
its edited title -- is an event with a unique id, the machine it was made on (its id and a
readable label), a hybrid-logical-clock stamp (:mod:`paperdesk.state.clock`), the step it
belongs to, and the change itself. A *step* is what one command or key did (a bulk mark is one
step of many events); ``paperdesk undo`` reverts steps, ``paperdesk history`` lists them.

Each line carries the log's schema version ``v``: a line from a newer paperdesk is refused with
a message that says so, never half-read. Lines are written compactly (fields at their default
left out) with ``v``, ``id`` and ``kind`` first, so a reader can pick lines by a plain text
search before it parses them (:mod:`paperdesk.state.log`).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError, field_validator

from paperdesk.catalog.models import Model
from paperdesk.catalog.records import Status
from paperdesk.errors import validation_summary
from paperdesk.state.clock import Clock, is_clock
from paperdesk.state.file_format import MACHINE_ID

LOG_SCHEMA_VERSION = 1

#: Why an event was made. Only ``user`` steps of statuses and notes can be undone.
Origin = Literal["user", "undo", "migrate", "import", "relink"]

#: The fields a TODO event may set (the rest of a TODO is unchanged by it).
TODO_EVENT_FIELDS = ("name", "url", "note", "date", "done", "removed", "added_by")


def new_id() -> str:
    """A random id for an event or a step (64 bits: no two ever meet in one home's log)."""
    return secrets.token_hex(8)


class LogError(ValueError):
    """A log line that cannot be read; the message says which and why."""


class EventBase(Model):
    """What every event carries."""

    v: int = LOG_SCHEMA_VERSION
    id: str = Field(min_length=1)
    machine: str
    label: str = ""
    clock: str
    step: str = Field(min_length=1)
    origin: Origin = "user"

    @field_validator("machine")
    @classmethod
    def _machine(cls, value: str) -> str:
        if MACHINE_ID.fullmatch(value) is None:
            raise ValueError("a machine id is lower-case letters, digits and dashes")
        return value

    @field_validator("clock")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not is_clock(value):
            raise ValueError("a clock stamp looks like 2025-06-01T12:00:00.123Z#000000")
        return value

    @property
    def stamp(self) -> Clock:
        return Clock.parse(self.clock)

    @property
    def key(self) -> tuple[str, str, str]:
        """The total order of events: by clock, then machine, then id (fixed-width clocks sort
        as text)."""
        return (self.clock, self.machine, self.id)


class PaperEvent(EventBase):
    """An event about one paper, with a copy of its title (for state whose paper left every
    list, as the store keeps it). ``undoes`` marks an event of an undo step: the step it
    names no longer counts for this paper (:mod:`paperdesk.state.merge`)."""

    paper: str = Field(min_length=1)
    title: str = ""
    venue: str | None = None
    source: str = ""
    undoes: str | None = None


class StatusEvent(PaperEvent):
    """The paper's status became ``status``; it was ``before`` (what an undo restores)."""

    kind: Literal["status"] = "status"
    status: Status
    before: Status = "unread"


class NoteEvent(PaperEvent):
    """The paper's note became ``note`` (None: cleared), replacing the versions ``base``."""

    kind: Literal["note"] = "note"
    note: str | None = None
    base: list[str] = Field(default_factory=list)


class TodoEvent(EventBase):
    """A TODO conference, named ``todo`` (merged by name, ignoring case), got ``fields``."""

    kind: Literal["todo"] = "todo"
    todo: str = Field(min_length=1)
    fields: dict[str, Any]

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(TODO_EVENT_FIELDS))
        if unknown:
            raise ValueError(f"unknown TODO fields: {', '.join(unknown)}")
        checked = _TodoFields.model_validate({"name": "-", **value})
        return {name: getattr(checked, name) for name in value}


class _TodoFields(Model):
    """The types of the fields a TODO event sets (only those it names are kept)."""

    name: str = Field(min_length=1)
    url: str | None = None
    note: str | None = None
    date: dt.date | None = None
    done: bool = False
    removed: bool = False
    added_by: Literal["import", "user"] = "user"


class RelinkEvent(EventBase):
    """The state of paper ``old`` moved to ``paper`` (its title was edited in the list).
    ``replaces``: the events of ``paper`` it replaced (it carried nothing, but may have had
    a history), which stop counting."""

    kind: Literal["relink"] = "relink"
    paper: str = Field(min_length=1)
    old: str = Field(min_length=1)
    replaces: list[str] = Field(default_factory=list)


Event = Annotated[StatusEvent | NoteEvent | TodoEvent | RelinkEvent, Field(discriminator="kind")]
AnyEvent = StatusEvent | NoteEvent | TodoEvent | RelinkEvent
_EVENT: TypeAdapter[AnyEvent] = TypeAdapter(Event)
_FIRST = ("v", "id", "kind")


def encode(event: AnyEvent) -> bytes:
    """One log line (with its newline): compact JSON, ``v``, ``id`` and ``kind`` first."""
    data = event.model_dump(mode="json", exclude_defaults=True)
    record = {"v": event.v, "id": event.id, "kind": event.kind}
    record.update((k, v) for k, v in data.items() if k not in _FIRST)
    try:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (notes are kept verbatim): escape it
        text = json.dumps(record, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    return text + b"\n"


def decode(line: bytes | str) -> AnyEvent:
    """The event of one log line; LogError (one line) if it is not one this paperdesk reads."""
    try:
        raw = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise LogError(f"not JSON ({exc})") from None
    return from_json(raw)


def from_json(raw: Any) -> AnyEvent:
    """An event from parsed JSON (see :func:`decode`)."""
    if not isinstance(raw, dict):
        raise LogError(f"not an event (a JSON {type(raw).__name__})")
    version = raw.get("v")
    if isinstance(version, int) and not isinstance(version, bool) and version > LOG_SCHEMA_VERSION:
        raise LogError(
            f"written by a newer paperdesk (log schema {version}, this one reads up to "
            f"{LOG_SCHEMA_VERSION}); upgrade paperdesk"
        )
    try:
        return _EVENT.validate_python(raw)
    except ValidationError as exc:
        raise LogError(f"not a valid event ({validation_summary(exc)})") from None

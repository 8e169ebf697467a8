"""The reading-state log on disk: one append-only file of events per machine, and who we are.

``$PAPERDESK_HOME/log/<machine>.jsonl`` holds the events made on that machine, one per line
(:mod:`paperdesk.state.events`), in the order they were made. A home writes events only to
its own machine's file; the other files arrive by ``paperdesk state sync`` or ``state import``
and are only ever appended to with events they lack. So git, which carries the directory
between machines, never sees two machines change one file, and a merge never conflicts.

Every append happens under the store's lock and is fsynced before the store is written
(write-ahead): the store records how many bytes of each file it has applied, and whatever lies
beyond that -- the events of a process killed between the two writes -- is applied when the
store is next opened or written. A line cut short by a kill has no newline: it was never
applied nor acknowledged, and the next append removes it.

``$PAPERDESK_HOME/machine.json`` names this home's machine: an id made once (readable label plus
random digits, so two machines with the same host name still differ) and the label the desk
and ``history`` show. A home copied to another machine keeps the id; give the copy its own by
deleting ``machine.json`` there before it writes anything.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import os
import re
import secrets
import socket
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path

from pydantic import ValidationError

from paperdesk.atomic import atomic_write_bytes, fsync_directory
from paperdesk.catalog.models import Model
from paperdesk.errors import StoreError, validation_summary
from paperdesk.state.events import AnyEvent, LogError, decode, encode
from paperdesk.state.file_format import LOG_SUFFIX, MACHINE_ID, is_log_name, log_sizes

MACHINE_SCHEMA_VERSION = 1
_BLOCK = 1 << 16
_PAPER = re.compile(rb'"(?:paper|old)":"((?:[^"\\]|\\.)*)"')


class Machine(Model):
    """This home's machine: the id its log file is named by, and a label for people."""

    schema_version: int = MACHINE_SCHEMA_VERSION
    id: str
    label: str
    created_at: dt.datetime


def _host() -> str:
    try:
        return socket.gethostname().split(".")[0] or "this machine"
    except OSError:
        return "this machine"


def new_machine(label: str | None = None) -> Machine:
    label = label or _host()
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40] or "machine"
    return Machine(
        id=f"{slug}-{secrets.token_hex(3)}", label=label, created_at=dt.datetime.now(dt.UTC)
    )


def machine_of(path: Path) -> Machine:
    """The machine of the home whose ``machine.json`` is ``path``, made on first use.

    Two processes starting together agree: the file is created with a hard link, which fails
    if another process made it first, and then that one is read.
    """
    for _ in range(2):
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            _create_machine(path)
            continue
        except OSError as exc:
            raise StoreError(f"cannot read {path} ({exc.strerror or exc})") from None
        try:
            machine = Machine.model_validate_json(raw)
        except ValidationError as exc:
            raise StoreError(
                f"{path} is invalid ({validation_summary(exc)}); delete it to give this home "
                "a new machine id"
            ) from None
        if MACHINE_ID.fullmatch(machine.id) is None:
            raise StoreError(f"{path} has an invalid machine id {machine.id!r}; delete it")
        if machine.schema_version > MACHINE_SCHEMA_VERSION:
            raise StoreError(f"{path} was written by a newer paperdesk; upgrade paperdesk")
        return machine
    raise StoreError(f"cannot create {path}; check that the home is writable")


def _create_machine(path: Path) -> None:
    data = new_machine().model_dump_json(indent=2).encode() + b"\n"
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.new")
    try:
        atomic_write_bytes(temp, data)
        with contextlib.suppress(FileExistsError):
            os.link(temp, path)
    except OSError as exc:
        raise StoreError(f"cannot create {path} ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def log_name(machine_id: str) -> str:
    return f"{machine_id}{LOG_SUFFIX}"


class EventLog:
    """The log directory of one home (see the module docstring). Callers hold the store's
    lock for every method that writes."""

    def __init__(self, directory: Path, machine_file: Path) -> None:
        self.directory = directory
        self.machine_file = machine_file

    @cached_property
    def machine(self) -> Machine:
        """This home's machine, its file made on first use: only a write needs it, so reading
        a store (or refusing one) leaves the home as it was."""
        return machine_of(self.machine_file)

    @property
    def own(self) -> str:
        return log_name(self.machine.id)

    def path(self, name: str) -> Path:
        return self.directory / name

    def names(self) -> list[str]:
        """The log files present, this machine's first, then by name."""
        try:
            found = sorted(n for n in os.listdir(self.directory) if is_log_name(n))
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"cannot read the log {self.directory} ({exc.strerror})") from None
        if "machine" in self.__dict__ or self.machine_file.exists():
            own = self.own
            if own in found:
                found.remove(own)
                found.insert(0, own)
        return found

    def sizes(self) -> dict[str, int]:
        """Each log file's size in bytes."""
        return log_sizes(self.directory)

    # -- reading ------------------------------------------------------------------------------

    def raw(self, name: str, start: int = 0) -> bytes:
        """The complete lines of a file from byte ``start`` (a line cut short is left out)."""
        try:
            with open(self.path(name), "rb") as handle:
                handle.seek(start)
                data = handle.read()
        except FileNotFoundError:
            return b""
        except OSError as exc:
            raise StoreError(f"cannot read log {self.path(name)} ({exc.strerror})") from None
        return data[: data.rfind(b"\n") + 1]

    def line_starts_at(self, name: str, offset: int) -> bool:
        """Whether a line of file ``name`` starts at byte ``offset`` (the file was appended to
        since a reader stopped there, rather than rewritten)."""
        if offset == 0:
            return True
        try:
            with open(self.path(name), "rb") as handle:
                handle.seek(offset - 1)
                return handle.read(1) == b"\n"
        except OSError:
            return False

    def parse(self, name: str, data: bytes, *, numbered: bool = True) -> list[AnyEvent]:
        """The events of complete lines ``data`` of file ``name``; StoreError names a bad line
        (by its number when ``data`` is the file from its start)."""
        events = []
        for number, line in enumerate(data.splitlines(), start=1):
            if line.strip():
                events.append(self._decode(name, number if numbered else None, line))
        return events

    def _decode(self, name: str, number: int | None, line: bytes) -> AnyEvent:
        try:
            return decode(line)
        except LogError as exc:
            where = f"line {number}" if number is not None else "a line"
            raise StoreError(
                f"log {self.path(name)}: {where} is {exc}; move the file aside to go on without it"
            ) from None

    def read(self, name: str, start: int = 0) -> tuple[list[AnyEvent], int]:
        """The events of a file from byte ``start``, and the byte where they end."""
        data = self.raw(name, start)
        return self.parse(name, data, numbered=start == 0), start + len(data)

    def ids(self, name: str) -> set[str]:
        """The event ids in a file, read without parsing the events."""
        return set(_ids(self.raw(name)))

    def events_about(self, papers: Iterable[str]) -> list[AnyEvent]:
        """Every event about one of ``papers`` (statuses, notes, relinks from or to them), from
        every file. Lines are found by one text search over each file and only those are
        parsed, so this costs a read of the log, not a parse of it."""
        wanted = set(papers)
        events = []
        for name in self.names():
            raw = self.raw(name)
            starts: dict[int, None] = {}
            for match in _PAPER.finditer(raw):
                if _unescape(match.group(1)) in wanted:
                    starts[raw.rfind(b"\n", 0, match.start()) + 1] = None
            events.extend(self._decode_at(name, raw, start) for start in starts)
        return events

    def _decode_at(self, name: str, raw: bytes, start: int) -> AnyEvent:
        """The event of the line of file ``name`` (complete text ``raw``) at byte ``start``."""
        try:
            return decode(_line_at(raw, start))
        except LogError:
            return self._decode(name, raw.count(b"\n", 0, start) + 1, _line_at(raw, start))

    def _with(self, needle: bytes) -> list[AnyEvent]:
        """Every event whose line holds ``needle`` (found by a text search, then parsed)."""
        events = []
        for name in self.names():
            raw = self.raw(name)
            position = raw.find(needle)
            while position >= 0:
                start = raw.rfind(b"\n", 0, position) + 1
                events.append(self._decode_at(name, raw, start))
                position = raw.find(b"\n", position)
                position = raw.find(needle, position) if position >= 0 else -1
        return events

    def relinks(self) -> list[AnyEvent]:
        """Every relink event (few: one per edited title an import found)."""
        return self._with(b'"kind":"relink"')

    def todo_events(self) -> list[AnyEvent]:
        """Every TODO event (one per TODO change: few)."""
        return self._with(b'"kind":"todo"')

    def everything(self) -> list[AnyEvent]:
        """Every event of every file (for a rebuild, an export, or a test)."""
        return [event for name in self.names() for event in self.read(name)[0]]

    def newest_first(self) -> Iterator[AnyEvent]:
        """Every event, newest first, merged across files by clock: each file is read backwards
        block by block, so finding the last steps costs what they take, not the whole log."""
        streams = [self._backwards(name) for name in self.names()]
        return heapq.merge(*streams, key=lambda event: event.key, reverse=True)

    def _backwards(self, name: str) -> Iterator[AnyEvent]:
        try:
            handle = open(self.path(name), "rb")  # noqa: SIM115 - closed by the generator
        except FileNotFoundError:
            return
        with handle:
            size = handle.seek(0, os.SEEK_END)
            position = _complete_end(handle.fileno(), size)
            carry = b""  # the start of a line that began in a block not read yet
            while position > 0:
                length = min(_BLOCK, position)
                position -= length
                parts = (os.pread(handle.fileno(), length, position) + carry).split(b"\n")
                carry = parts[0]
                for line in reversed(parts[1:]):
                    if line.strip():
                        yield self._decode(name, None, line)
            if carry.strip():
                yield self._decode(name, 1, carry)

    # -- writing (under the store's lock) -----------------------------------------------------

    def append(self, events: Iterable[AnyEvent]) -> None:
        """Append events to their machines' files and fsync them (the write-ahead)."""
        by_file: dict[str, list[bytes]] = {}
        for event in events:
            by_file.setdefault(log_name(event.machine), []).append(encode(event))
        for name, lines in by_file.items():
            self._append(name, b"".join(lines))

    def _append(self, name: str, data: bytes) -> None:
        path = self.path(name)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            created = not path.exists()
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                _cut_partial_line(fd)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                _datasync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise StoreError(
                f"cannot write log {path} ({exc.strerror or exc}); nothing was changed"
            ) from None
        if created:
            fsync_directory(self.directory)

    def truncate(self, sizes: dict[str, int]) -> None:
        """Cut files back to ``sizes`` (an append whose store write then failed)."""
        for name, size in sizes.items():
            with contextlib.suppress(OSError):
                os.truncate(self.path(name), size)

    def cut_partial_lines(self) -> None:
        """Remove the cut-short last lines of every file (called under the store's lock)."""
        for name in self.names():
            try:
                fd = os.open(self.path(name), os.O_RDWR)
            except OSError:
                continue
            try:
                _cut_partial_line(fd)
            except OSError:
                pass
            finally:
                os.close(fd)


def _datasync(fd: int) -> None:
    """Flush the appended bytes (and the size that reaches them) to the disk; the rest of the
    file's metadata (its times) need not wait."""
    sync = getattr(os, "fdatasync", os.fsync)
    sync(fd)


def _line_at(raw: bytes, start: int) -> bytes:
    """The line of ``raw`` that starts at byte ``start`` (without its newline)."""
    end = raw.find(b"\n", start)
    return raw[start : end if end >= 0 else len(raw)]


def _cut_partial_line(fd: int) -> None:
    """Remove a last line without its newline (a writer was killed mid-append)."""
    size = os.fstat(fd).st_size
    end = _complete_end(fd, size)
    if end != size:
        os.ftruncate(fd, end)


def _complete_end(fd: int, size: int) -> int:
    """The byte after the last newline of a file of ``size`` bytes (0 if it has none)."""
    end = size
    while end > 0:
        start = max(0, end - _BLOCK)
        cut = os.pread(fd, end - start, start).rfind(b"\n")
        if cut >= 0:
            return start + cut + 1
        end = start
    return 0


def _ids(data: bytes) -> Iterator[str]:
    for line in data.splitlines():
        yield from line_ids(line)


def line_ids(line: bytes) -> list[str]:
    """The ``id`` of a log line, taken from its text where :func:`encode` wrote it (``{"v":N,
    "id":"...``), else parsed; none for a blank or unreadable line."""
    start = line.find(b'"id":"')
    if 0 <= start < 16:
        end = line.find(b'"', start + 6)
        value = line[start + 6 : end]
        if end > 0 and b"\\" not in value:
            return [value.decode("utf-8", "replace")]
    if not line.strip():
        return []
    try:
        return [decode(line).id]
    except LogError:
        return []


def _unescape(value: bytes) -> str:
    if b"\\" not in value:
        return value.decode("utf-8", "replace")
    import json

    return str(json.loads(b'"' + value + b'"'))


def sorted_events(events: Iterable[AnyEvent]) -> list[AnyEvent]:
    """Events de-duplicated by id, in the log's total order (clock, machine, id)."""
    unique = {event.id: event for event in events}
    return sorted(unique.values(), key=lambda event: event.key)

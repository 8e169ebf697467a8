"""The store's file: a TinyDB storage that is never half-written and never loses a concurrent write.

TinyDB's ``JSONStorage`` rewrites its file in place, so a writer killed mid-write leaves it
truncated. :class:`AtomicJSONStorage` keeps the database in memory and replaces the whole file
with :func:`~paperdesk.atomic.atomic_write_bytes`: a reader sees the old file or the new one,
never a mix. Every read-modify-write runs under ``fcntl.flock`` on ``<file>.lock`` and first
re-reads the file if another process replaced it, so two processes never lose each other's
writes. A file that cannot be read is never written over: a write only ever replaces the very
file this process last read.

The file stays ordinary TinyDB JSON (``{table: {doc_id: document}}``), laid out one document per
line. The layout is what keeps a write cheap at 50,000 documents: each document's serialised
line is kept and reused until the document is replaced, so a write serialises only what changed
(serialising everything costs ~0.4 s at 50k), and on load the lines are paired back with the
parsed documents. The first line carries a random write id (a ``_storage`` table that this
storage hides from TinyDB), which tells the file we read from one another process wrote even
when inode, size and mtime coincide (mtime ticks are coarse and inodes are reused), and the
CRC-32 of the rest, which vouches for the records to commands that only read
(:mod:`paperdesk.state.file_format`).

Backups: when a write replaces the file, the file it replaced becomes ``<file>.1`` (``.1`` ->
``.2`` ... up to :data:`BACKUP_COUNT`). It is kept aside by a hard link before the write (a copy
where the file system has none) and the backups move only once the new file is safely written,
so a write that fails (a full disk, a file-size limit) leaves the store and every backup as they
were. Rotation happens at most once per :data:`BACKUP_INTERVAL`, measured from the newest
backup's mtime, which the rotation sets (a hard link shares the mtime of the write it was, not
of the rotation): the backups are snapshots at least that far apart, which is what a restore
after a bad edit or a damaged disk needs, rather than the last three keystrokes.

A store that is a symbolic link is written through it (the file it points to is replaced); a
link whose target is missing (the disk that holds it is not mounted) is refused, never taken
for a new, empty store.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import threading
import time
from collections.abc import Iterator
from itertools import repeat
from json.encoder import encode_basestring, encode_basestring_ascii
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from paperdesk.atomic import atomic_write_bytes, fsync_directory, lock_file, unlock_file
from paperdesk.errors import StoreError
from paperdesk.state.file_format import HEADER, WRITE_ID_TABLE, Tables, header_line, vouches

BACKUP_COUNT = 3
BACKUP_INTERVAL = 600.0
LOCK_TIMEOUT = 10.0
RESTORE_HINT = "run 'paperdesk doctor --restore' to restore the newest good backup"


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_ASCII_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False)
_MISSING = object()


def _encode(document: Any) -> bytes:
    """Compact UTF-8 JSON; text with lone surrogates is \\u-escaped so the file stays UTF-8."""
    try:
        return _ENCODER.encode(document).encode("utf-8")
    except UnicodeEncodeError:
        return _ASCII_ENCODER.encode(document).encode("ascii")


def _key(name: str) -> bytes:
    """``"name":`` exactly as :func:`_encode` writes an object key."""
    try:
        return encode_basestring(name).encode("utf-8") + b":"
    except UnicodeEncodeError:
        return encode_basestring_ascii(name).encode("ascii") + b":"


def _stamp(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def store_target(path: Path) -> Path:
    """The file a store path names: itself, or what its symbolic link points to. A link that
    leads nowhere is a one-line StoreError: writing there would start an empty store and make
    the missing directories of a disk that is simply not mounted."""
    if not path.is_symlink():
        return path
    try:
        return path.resolve(strict=True)
    except FileNotFoundError:
        raise StoreError(
            f"store {path} is a symbolic link to {os.readlink(path)}, which does not exist "
            "(is the disk that holds it mounted?); nothing was read or created: mount it, or "
            "remove the link to start a new store"
        ) from None
    except (OSError, RuntimeError) as exc:  # a loop: RuntimeError before Python 3.13
        reason = _reason(exc) if isinstance(exc, OSError) else str(exc)
        raise StoreError(
            f"store {path} is a symbolic link that cannot be followed ({reason}); "
            "fix or remove the link"
        ) from None


def backup_paths(path: Path, count: int = BACKUP_COUNT) -> list[Path]:
    """Where the backups of ``path`` live, newest first (whether they exist or not)."""
    return [path.with_name(f"{path.name}.{n}") for n in range(1, count + 1)]


def parse_tables(path: Path, raw: bytes) -> Tables:
    """The tables in a store file's bytes, or a one-line StoreError naming ``path``."""

    def corrupt(why: str) -> StoreError:
        return StoreError(f"store {path} {why}; {RESTORE_HINT}")

    if not raw.strip():
        raise corrupt("is empty")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise corrupt(f"is unreadable (not UTF-8 text at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise corrupt(f"is unreadable ({exc.msg}: line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise corrupt("is unreadable (nested too deeply)") from None
    if not isinstance(data, dict):
        raise corrupt(f"is not a paperdesk store (it holds a JSON {type(data).__name__})")
    for name, table in data.items():
        if not isinstance(table, dict) or not all(isinstance(d, dict) for d in table.values()):
            raise corrupt(f"is not a paperdesk store (table {name!r} is not a table of records)")
    return data


def _pair_lines(raw: bytes, tables: Tables) -> dict[str, dict[str, bytes]]:
    """Each document's line of ``raw`` when it has this module's layout, else ``{}``.

    Lines are paired with the parsed documents by position and checked by their key, so a file
    written by another tool or edited by hand simply gets its lines rebuilt at the next write.
    The per-document work is all ``map`` over C functions: it runs on every re-read.
    """
    rows = raw.split(b"\n")
    if not HEADER.fullmatch(rows[0].removesuffix(b",")):
        return {}
    lines: dict[str, dict[str, bytes]] = {}
    i = 1
    last_table = len(tables) - 1
    try:
        for t, (name, table) in enumerate(tables.items()):
            sep = b"," if t < last_table else b""
            if not table:
                if rows[i] != _key(name) + b"{}" + sep:
                    return {}
                i += 1
                continue
            n = len(table)
            if rows[i] != _key(name) + b"{" or rows[i + n + 1] != b"}" + sep:
                return {}
            docs = list(map(bytes.removesuffix, rows[i + 1 : i + n + 1], repeat(b",")))
            keys = list(map(str.encode, map(encode_basestring, table)))
            if not all(map(bytes.startswith, docs, keys)) or not all(
                map(bytes.endswith, docs, repeat(b"}"))
            ):
                return {}
            lines[name] = dict(zip(table, docs, strict=True))
            i += n + 2
    except (IndexError, UnicodeEncodeError):
        return {}
    if rows[i:] != [b"}"]:
        return {}
    return lines


class AtomicJSONStorage(Storage):
    """A TinyDB storage over one JSON file: atomic replacement, flock, backups (module docstring).

    Used directly by TinyDB, each ``write`` is one locked atomic write that refuses (StoreError)
    when another process changed the file since it was read. For read-modify-write, wrap the
    TinyDB calls in :meth:`transaction`, which re-reads under the lock and writes once.
    Documents given to :meth:`put` are treated as immutable values: replace, never mutate.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        backups: int = BACKUP_COUNT,
        backup_interval: float = BACKUP_INTERVAL,
        lock_timeout: float = LOCK_TIMEOUT,
    ) -> None:
        super().__init__()
        self.path = store_target(Path(path))  # a link: replace the file, not the link
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.backup_count = backups
        self.backup_interval = backup_interval
        self.lock_timeout = lock_timeout
        #: Why the last backup rotation failed, if it did (a write still goes ahead).
        self.backup_problem: str | None = None
        #: Guards the in-memory state; held for a whole transaction.
        self.mutex = threading.RLock()
        self._tables: Tables | None = None
        #: Counts the times the tables were replaced (re-read, or written whole): what a
        #: caller derived from them holds while it is unchanged.
        self.generation = 0
        self._lines: dict[str, dict[str, bytes]] = {}
        self._loaded = False
        self._seen: tuple[tuple[int, int, int, int], str | None] | None = None
        self._undo: dict[tuple[str, str], tuple[Any, bytes | None]] | None = None
        self._created: set[str] = set()
        self._dirty = False
        self._reload_on_rollback = False
        self._swept = False
        self._lock_fd: int | None = None
        #: Whether every document in memory is known valid, so a write may vouch for the file
        #: with a checksum: true for a file whose own checksum matched (or no file), after
        #: :meth:`trust`, and kept by :meth:`put` (callers put validated records only).
        self.trusted = False

    # -- TinyDB's Storage API ---------------------------------------------------------------

    def read(self) -> Tables | None:
        """The database in memory; the file is parsed on first use only."""
        with self.mutex:
            if not self._loaded:
                self._load()
            return self._tables

    def write(self, data: Tables, *, validated: bool = False) -> None:
        """Replace the whole database (TinyDB may have changed documents in place).
        ``validated``: the caller checked every record, so the file may vouch for them."""
        with self.mutex:
            self.trusted = validated
            self.generation += 1
            if self._undo is not None:
                self._tables = data
                self._lines.clear()
                self._dirty = self._reload_on_rollback = True
                return
            with self.locked():
                if self._changed():
                    self._loaded = False
                    raise StoreError(
                        f"store {self.path} was changed by another process since it was read; "
                        "nothing was written, try again"
                    )
                self._tables = data
                self._lines.clear()
                try:
                    self._flush(force_backup=False)
                except BaseException:
                    self._loaded = False  # memory is ahead of the file: re-read it next time
                    raise

    # -- transactions -------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self, *, backup: bool = False) -> Iterator[Tables]:
        """Lock, re-read if another process wrote, yield the tables, then write once if changed.

        An exception inside undoes the in-memory changes and writes nothing. Nested calls join
        the outer transaction. ``backup`` forces a backup rotation before the write.
        """
        with self.mutex:
            if self._undo is not None:
                assert self._tables is not None
                yield self._tables
                return
            with self.locked():
                if self._changed():
                    self._load()
                if self._tables is None:
                    self._tables = {}
                self._undo, self._created = {}, set()
                self._dirty = self._reload_on_rollback = False
                try:
                    yield self._tables
                    if self._dirty:
                        self._flush(force_backup=backup)
                except BaseException:
                    self._rollback()
                    raise
                finally:
                    self._undo = None

    def put(self, table: str, doc_id: str, document: dict[str, Any]) -> None:
        """Store ``document`` under ``table``/``doc_id`` inside :meth:`transaction`."""
        undo = self._active()
        assert self._tables is not None
        line = _key(doc_id) + self._encode(document)
        if table not in self._tables:
            self._tables[table] = {}
            self._created.add(table)
        docs = self._tables[table]
        lines = self._lines.setdefault(table, {})
        undo.setdefault((table, doc_id), (docs.get(doc_id, _MISSING), lines.get(doc_id)))
        docs[doc_id] = document
        lines[doc_id] = line
        self._dirty = True

    def delete(self, table: str, doc_id: str) -> None:
        """Remove a document inside :meth:`transaction` (no-op when absent)."""
        undo = self._active()
        assert self._tables is not None
        docs = self._tables.get(table, {})
        if doc_id not in docs:
            return
        lines = self._lines.setdefault(table, {})
        undo.setdefault((table, doc_id), (docs[doc_id], lines.get(doc_id)))
        del docs[doc_id]
        lines.pop(doc_id, None)
        self._dirty = True

    def _encode(self, document: dict[str, Any]) -> bytes:
        try:
            return _encode(document)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"store {self.path}: a record cannot be saved ({exc})") from None

    def _active(self) -> dict[tuple[str, str], tuple[Any, bytes | None]]:
        if self._undo is None:
            raise RuntimeError("AtomicJSONStorage.put/delete need an open transaction()")
        return self._undo

    def _rollback(self) -> None:
        if self._reload_on_rollback:
            self._loaded = False
            self._lines.clear()
        elif self._undo and self._tables is not None:
            for (table, doc_id), (doc, line) in self._undo.items():
                docs = self._tables.setdefault(table, {})
                lines = self._lines.setdefault(table, {})
                if doc is _MISSING:
                    docs.pop(doc_id, None)
                else:
                    docs[doc_id] = doc
                if line is None:
                    lines.pop(doc_id, None)
                else:
                    lines[doc_id] = line
            for table in self._created:
                if not self._tables.get(table):
                    self._tables.pop(table, None)
                    self._lines.pop(table, None)
        self._dirty = False

    # -- freshness ----------------------------------------------------------------------------

    def refresh(self) -> bool:
        """Re-read the file if another process replaced it; True if it did."""
        with self.mutex:
            if self._undo is not None or not self._changed():
                return False
            self._load()
            return True

    def _changed(self) -> bool:
        """Whether the file on disk is not the one in memory (a stat, plus its first line)."""
        if not self._loaded:
            return True
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return self._seen is not None
        except OSError as exc:
            raise StoreError(f"store {self.path} cannot be read ({_reason(exc)})") from None
        if self._seen is None or _stamp(st) != self._seen[0]:
            return True
        return self._write_id() != self._seen[1]

    def _write_id(self) -> str | None:
        try:
            with open(self.path, "rb") as handle:
                head = handle.read(128).split(b"\n", 1)[0]
        except OSError:
            return None
        match = HEADER.fullmatch(head.removesuffix(b","))
        return match.group(1).decode() if match else None

    def _load(self) -> None:
        """Parse the file into memory; on any failure memory is left as it was."""
        try:
            with open(self.path, "rb") as handle:
                st = os.fstat(handle.fileno())
                raw = handle.read()
        except FileNotFoundError:
            if self._seen is not None:
                raise StoreError(
                    f"store {self.path} was removed while paperdesk was running; restart "
                    f"paperdesk to start a new store, or {RESTORE_HINT}"
                ) from None
            self._tables, self._lines, self._loaded = None, {}, True
            self.trusted = True  # nothing to vouch for yet
            self.generation += 1
            return
        except OSError as exc:
            raise StoreError(
                f"store {self.path} cannot be read ({_reason(exc)}); "
                "check the path and its permissions"
            ) from None
        tables = parse_tables(self.path, raw)
        header = tables.pop(WRITE_ID_TABLE, None)
        write_id = None
        if header is not None:
            match = HEADER.fullmatch(raw.split(b"\n", 1)[0].removesuffix(b","))
            write_id = match.group(1).decode() if match else None
        self._lines = _pair_lines(raw, tables) if write_id else {}
        self._tables, self._loaded = tables, True
        self.generation += 1
        self.trusted = vouches(raw)
        self._seen = (_stamp(st), write_id)

    # -- writing ------------------------------------------------------------------------------

    def trust(self) -> None:
        """Every document in memory has been validated: let the next write vouch for them."""
        with self.mutex:
            self.trusted = True

    def _render(self, write_id: str) -> bytes:
        """The file's bytes in the one-document-per-line layout, from the kept lines.

        A single ``join`` with the table brackets folded into the first and last line of each
        table: at 50k documents each extra pass over the 20 MB text costs ~10-25 ms here.
        """
        items = []
        for name, table in (self._tables or {}).items():
            if not table:
                items.append(_key(name) + b"{}")
                continue
            cache = self._lines.setdefault(name, {})
            try:
                lines = list(map(cache.__getitem__, table))
            except KeyError:  # lines not kept yet (a foreign file, or a whole-database write)
                for doc_id, doc in table.items():
                    if doc_id not in cache:
                        cache[doc_id] = _key(doc_id) + self._encode(doc)
                lines = list(map(cache.__getitem__, table))
            lines[0] = _key(name) + b"{\n" + lines[0]
            lines[-1] += b"\n}"
            items += lines
        body = b",\n".join(items) + b"\n}" if items else b"}"
        head = header_line(write_id, body if self.trusted else None)
        return head + (b",\n" if items else b"\n") + body

    def _flush(self, *, force_backup: bool) -> None:
        """Write memory to disk under the lock: keep the current file aside, replace it
        atomically, and only then rotate the backups (a failed write touches none of them)."""
        write_id = secrets.token_hex(16)
        data = self._render(write_id)
        kept = self._keep_current(force=force_backup)
        try:
            atomic_write_bytes(self.path, data)
        except BaseException as exc:
            if kept is not None:
                with contextlib.suppress(OSError):
                    os.unlink(kept)
            if not isinstance(exc, OSError):
                raise
            raise StoreError(
                f"store {self.path} cannot be written ({_reason(exc)}); nothing was changed"
            ) from None
        self._dirty = False
        try:
            self._seen = (_stamp(os.stat(self.path)), write_id)
        except OSError:
            self._seen = ((0, 0, -1, 0), None)  # unknown: the next transaction re-reads
        if kept is not None:
            self._rotate(kept)

    def _keep_current(self, *, force: bool) -> Path | None:
        """The file about to be replaced, kept under a temporary name when a rotation is due
        (at most once per interval): a hard link, or a copy where there are none."""
        if self.backup_count <= 0 or self._seen is None:
            return None
        if not force:
            with contextlib.suppress(FileNotFoundError):
                newest = backup_paths(self.path, self.backup_count)[0]
                age = time.time() - newest.stat().st_mtime
                if abs(age) < self.backup_interval:  # a clock set back far makes it negative
                    return None
        kept = self.path.with_name(f".{self.path.name}.backup-{secrets.token_hex(4)}.tmp")
        try:
            try:
                os.link(self.path, kept)
            except FileNotFoundError:
                return None  # nothing to keep yet
            except OSError:  # a file system without hard links: copy it
                atomic_write_bytes(kept, self.path.read_bytes())
        except OSError as exc:
            self.backup_problem = f"cannot keep a backup ({_reason(exc)}: {exc.filename})"
            with contextlib.suppress(OSError):
                os.unlink(kept)
            return None
        return kept

    def _rotate(self, kept: Path) -> None:
        """After a successful write: ``.2`` -> ``.3``, ``.1`` -> ``.2``, ``kept`` -> ``.1``,
        stamped with the time of the rotation."""
        paths = backup_paths(self.path, self.backup_count)
        try:
            for older, newer in zip(reversed(paths[1:]), reversed(paths[:-1]), strict=True):
                with contextlib.suppress(FileNotFoundError):
                    os.replace(newer, older)
            os.replace(kept, paths[0])
            os.utime(paths[0])
            fsync_directory(self.path.parent)
            self.backup_problem = None
        except OSError as exc:
            self.backup_problem = f"backup rotation failed ({_reason(exc)}: {exc.filename})"
            with contextlib.suppress(OSError):
                os.unlink(kept)

    # -- the lock -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the cross-process lock (``flock`` on ``<file>.lock``) and this object's mutex."""
        with self.mutex:
            if self._lock_fd is not None:  # flock would wait on our own lock
                yield
                return
            self._lock_fd = self._acquire()
            try:
                if not self._swept:
                    self._sweep_temp_files()
                yield
            finally:
                fd, self._lock_fd = self._lock_fd, None
                unlock_file(fd)

    def _acquire(self) -> int:
        """Open and flock the lock file; StoreError after ``lock_timeout`` seconds."""
        try:
            return lock_file(self.lock_path, self.lock_timeout)
        except TimeoutError:
            raise StoreError(
                f"store {self.path} is busy: another process has held {self.lock_path} "
                f"for over {self.lock_timeout:g} s; try again"
            ) from None
        except OSError as exc:
            raise StoreError(
                f"store {self.path} cannot be locked ({_reason(exc)}: {self.lock_path}); "
                f"check the permissions of {self.path.parent}"
            ) from None

    def _sweep_temp_files(self) -> None:
        """Delete temp files of writers killed mid-write (safe: writers hold the lock)."""
        self._swept = True
        for leftover in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()
